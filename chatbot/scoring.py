"""Every tuned number of the bot in one frozen configuration, each with its reason.

The retriever's weights, the answer policy's thresholds (the defaults of their
settings) and the confidence below which an answer is shown as a "Closest match".
How they were chosen, and what was tried instead, is in docs/quality.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Scoring:
    # The weight of the word model in a view's score; the character model has the rest.
    word_weight: float = 0.6
    # An unknown word weighs this many times the rarest known word.
    unknown_weight: float = 2.0
    # How much a view's score depends on containing the question's most telling words.
    recall_power: float = 0.5
    # A subject named outside the knowledge base's scope weighs as this many unknown words.
    outside_weight: float = 2.0
    # A view asked with the question's own question word ("why", "how") gets this
    # bonus, to break ties between phrasings of the same words.
    intent_bonus: float = 0.02
    # An unknown word only in the sentences that tell the story around a question, or
    # one of chatter ("lately", "wondering"), weighs this share of one the question
    # asks with.
    # 0.25 until questions cut from a story were scored with the story's words too
    # (docs/quality.md, 2026-11-30).
    story_weight: float = 0.15
    # A question cut from the story around it is answered on its own, rather than the
    # whole message, when it is answered this many times as confidently.
    question_over_story: float = 2.0
    # How strongly words the index has never seen lower confidence.
    coverage_power: float = 2.0
    # The share of a passage's second-best view added to its best view's score: two
    # phrasings that both match are better evidence than one.
    second_view_share: float = 0.25
    # A view made of an article passage's headings alone counts this much of its
    # score: headings are shared by every passage under them.
    headings_view_weight: float = 0.8
    # Word features are weighted by their TF-IDF weight times their topicality in
    # English to this power, so everyday words ("take", "work") count for less than
    # the subject's words even where the articles use both equally rarely.
    topicality_power: float = 0.5
    # A question whose most topical known word is at least this topical (0.25 for
    # the commonest English words, 1 for rare ones) keeps its full score; one with
    # only everyday known words is scaled down in proportion.
    topical_enough: float = 0.5
    # The red-flag model's probability at or above which a question the patterns let
    # through is sent to a professional (chatbot/red_flag_model.py).
    red_flag_threshold: float = 0.9
    # Confidence at or above which the best passage is given as the answer: tuned on
    # the `tune` part of the sample's question set (CHATBOT_ANSWER_THRESHOLD).
    answer_threshold: float = 0.115
    # Confidence at or above which close passages are offered as "Did you mean…"
    # (CHATBOT_SUGGEST_THRESHOLD).
    suggest_threshold: float = 0.05
    # An answer below this confidence is shown as a "Closest match" and counted as
    # low-confidence in the report and on /admin.
    low_confidence: float = 0.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0.0 <= value <= 10.0:
                raise ValueError(f"scoring {item.name} = {value} is out of range (0 to 10)")
        if not self.suggest_threshold <= self.answer_threshold <= 1.0:
            raise ValueError(
                "scoring thresholds must satisfy suggest_threshold <= answer_threshold <= 1"
            )


SCORING = Scoring()
