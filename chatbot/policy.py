"""The answer policy: what the bot says for a question, given retrieval hits.

A plain function over plain data, so it is tested without HTTP. Confidence decides
the band: `answer` quotes the best passage; `suggest` offers close passages as
"Did you mean…"; `fallback` admits there is no answer and offers starter topics. A
question asking for a kind of answer the best passage does not give (how often, how
long, why: `chatbot.answer_types`) is a `suggest`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from chatbot.answer_types import asked_type, gives
from chatbot.answers import Answer, Hit
from chatbot.documents import KnowledgeBase, Passage

SUGGEST_TEXT = "I'm not sure I found the right answer. Did you mean one of these questions?"
# `{covers}` is what the site covers (site.yaml), so the fallback names no topic itself.
FALLBACK_TEXT = (
    "Sorry, I couldn't find an answer to that in the knowledge base. I can answer "
    "questions about {covers}. For anything about your own health, please ask a "
    "healthcare professional."
)
MAX_RELATED = 3


@dataclass(frozen=True)
class Policy:
    """The thresholds and wording the policy works with."""

    answer_threshold: float
    suggest_threshold: float
    default_disclaimer: str
    fallback_text: str = FALLBACK_TEXT.format(covers="the topics of our articles")
    # FAQ entries offered after a fallback; empty means the knowledge base's first ones.
    starters: tuple[Passage, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest_threshold <= self.answer_threshold <= 1.0:
            raise ValueError(
                "thresholds must satisfy 0 <= suggest_threshold <= answer_threshold <= 1"
            )


Search = Callable[[str], Sequence[Hit]]


def answer_question(
    question: str,
    search: Search,
    knowledge: KnowledgeBase,
    policy: Policy,
    focus: Sequence[str] = (),
) -> Answer:
    """Decide the reply to `question`; the text is always quoted, never generated.
    `focus` holds words the question is about that an answer must mention too."""
    hits = list(search(question))
    best = hits[0] if hits else None
    confidence = round(best.score, 4) if best else 0.0
    if (
        best is not None
        and best.score >= policy.answer_threshold
        and _can_answer(question, best)
        and _mentions(best.passage, focus)
    ):
        others = (h.passage for h in hits[1:] if h.score >= policy.suggest_threshold)
        # A related question with the answer's own title would only repeat it.
        related = tuple(p for p in _distinct(others) if p.title != best.passage.title)
        return Answer(
            question=question,
            band="answer",
            answered=True,
            text=best.passage.text,
            confidence=confidence,
            passage=best.passage,
            related=related,
            disclaimer=disclaimer_for(best.passage, knowledge, policy),
        )
    close = _distinct(h.passage for h in hits if h.score >= policy.suggest_threshold)
    if close:
        return Answer(
            question=question,
            band="suggest",
            answered=False,
            text=SUGGEST_TEXT,
            confidence=confidence,
            passage=None,
            related=close,
            disclaimer=policy.default_disclaimer,
        )
    return Answer(
        question=question,
        band="fallback",
        answered=False,
        text=policy.fallback_text,
        confidence=confidence,
        passage=None,
        related=policy.starters or knowledge.starters(MAX_RELATED),
        disclaimer=policy.default_disclaimer,
    )


def disclaimer_for(passage: Passage, knowledge: KnowledgeBase, policy: Policy) -> str:
    document = knowledge.document(passage.document)
    return (document.disclaimer if document else None) or policy.default_disclaimer


def _can_answer(question: str, hit: Hit) -> bool:
    """False when the question asks for a kind of answer (how often, how long, why…)
    that the passage does not give."""
    kind = asked_type(question)
    return kind is None or gives(kind, hit.passage.text)


def _mentions(passage: Passage, words: Sequence[str]) -> bool:
    """Whether the passage speaks of every word (as a word, in any letter case)."""
    text = " ".join((passage.text, passage.title, *passage.headings)).lower()
    return all(re.search(rf"\b{re.escape(w)}", text) for w in words)


def _distinct(passages: Iterable[Passage]) -> tuple[Passage, ...]:
    seen: dict[str, Passage] = {}
    for passage in passages:
        seen.setdefault(passage.title, passage)
    return tuple(seen.values())[:MAX_RELATED]
