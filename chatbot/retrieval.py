"""TF-IDF retrieval over passages: ranked hits with scores in [0, 1].

Each passage is indexed under one or more *views* (an FAQ entry under its question
and under its question with its answer; an article passage under its headings with
its text, and under the alternate phrasings editors add). A query, once turned into
index words (`chatbot.vocabulary`), is scored against every view by two TF-IDF models,
one over stemmed words and word pairs, one over character n-grams, weighted by how
much of the question the view contains; a passage takes the score of its best view,
plus a share of its second best: two phrasings of a passage that both match are better
evidence than one short phrasing that happens to share the question's words.
The score is then lowered by the share of the question the index has never seen, so
"how do I massage my neck" is not answered with a passage about hips, and when the only
words the question shares with the index are everyday English ("what time is it"):
matching on "time" alone is no evidence the question is about the articles' subject.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.answers import Hit
from chatbot.asking import read_message
from chatbot.cosine import CosineScorer
from chatbot.documents import Passage
from chatbot.scope import Scope
from chatbot.scoring import SCORING, Scoring
from chatbot.sparse_index import Groups, top_positive
from chatbot.vocabulary import TOKEN, Vocabulary, english, normalize, rarity, stem

# Question words a view may be asked with; a match breaks ties (see Scoring.intent_bonus).
INTENTS = frozenset({"why", "how", "what", "where", "when", "which"})


class Retriever:
    """Built once over a fixed set of passages; `search` is read-only and thread-safe."""

    def __init__(
        self,
        passages: Sequence[Passage],
        synonyms: Mapping[str, str] | None = None,
        alternates: Mapping[str, Sequence[str]] | None = None,
        scope: Scope | None = None,
        scoring: Scoring = SCORING,
    ):
        self.scoring = scoring
        self.passages = tuple(p for p in passages if p.informative)
        if not self.passages:
            raise ValueError("Retriever needs at least one informative passage to index")
        english()  # Loaded while building, so the first search is as fast as the rest.
        self.vocabulary = Vocabulary(synonyms or {})
        self.scope = scope or Scope()
        alternates = alternates or {}
        views: list[str] = []
        owners: list[int] = []
        weights: list[float] = []
        for index, passage in enumerate(self.passages):
            phrasings = [(a, 1.0) for a in alternates.get(passage.id, ())]
            for view, weight in [*_views(passage, scoring.headings_view_weight), *phrasings]:
                views.append(view)
                owners.append(index)
                weights.append(weight)
        self._view_weights = np.asarray(weights)
        self._owners = np.asarray(owners)
        self._passage_views = Groups(self._owners)  # listed passage by passage
        self._intents = np.asarray([_intent(v, first_only=True) for v in views])
        view_words = [self.vocabulary.words(v) for v in views]
        self.vocabulary.learn(w for words in view_words for w in words)
        self._words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
        )
        topicality = _topicality_by_stem(view_words)
        self._word_model = CosineScorer(
            self._words,
            self._words.fit_transform(view_words),
            np.asarray(
                [
                    np.mean([topicality[s] for s in feature.split()])
                    ** self.scoring.topicality_power
                    for feature in self._words.get_feature_names_out()
                ]
            ),
        )
        self._char_model = CosineScorer(
            self._chars, self._chars.fit_transform([" ".join(w) for w in view_words])
        )
        self._idf = dict(zip(self._words.get_feature_names_out(), self._words.idf_, strict=True))
        self._unknown_idf = self.scoring.unknown_weight * float(self._words.idf_.max())

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` best passages for `query`, best first; empty when nothing matches."""
        typed = self.vocabulary.words(query)
        words = self.vocabulary.corrected(typed)
        word_scores = self._word_model.scores(words)
        char_scores = self._char_model.scores(" ".join(words))
        if word_scores is None and char_scores is None:
            return []
        view_scores = np.zeros(len(self._owners))
        if word_scores is not None:
            view_scores += self.scoring.word_weight * word_scores
        if char_scores is not None:
            view_scores += (1 - self.scoring.word_weight) * char_scores
        view_scores *= self._recall(words) ** self.scoring.recall_power
        view_scores *= self._view_weights
        intent = _intent(query)
        if intent:
            # Breaks ties between phrasings of the same words: "why massage" vs "how massage".
            view_scores += self.scoring.intent_bonus * (self._intents == intent)
        best, second = self._passage_views.top_two(view_scores)
        best += self.scoring.second_view_share * second
        story = self._story_words(query)
        best *= (
            self._coverage(words, len(self.scope.outside(query)), story)
            ** self.scoring.coverage_power
        )
        best *= self._topicality(words)
        return [Hit(self.passages[i], float(min(1.0, best[i]))) for i in top_positive(best, k)]

    def _recall(self, words: Sequence[str]) -> np.ndarray:
        """Per view, the share of the query's known weight that the view contains: a
        passage that leaves out the most telling word of the question is a worse match."""
        weights: dict[int, float] = {}
        for word in words:
            column = self._words.vocabulary_.get(stem(word))
            if column is not None:
                weights[column] = float(self._words.idf_[column]) ** 2
        if not weights:
            return np.zeros(len(self._owners))
        found = self._word_model.postings.presence(
            list(weights), np.fromiter(weights.values(), float)
        )
        recall: np.ndarray = found / sum(weights.values())
        return recall

    def names_a_subject(self, text: str) -> bool:
        """Whether `text` names something the index knows, beyond question words."""
        words = self.vocabulary.corrected(self.vocabulary.words(text))
        return any(stem(w) in self._idf and w not in INTENTS for w in words)

    def _topicality(self, words: Sequence[str]) -> float:
        """1 when the question names something topical the index knows; less when its
        only known words are everyday English ("time", "take", "work")."""
        topical = max((rarity(w) for w in words if stem(w) in self._idf), default=0.0)
        return min(1.0, topical / self.scoring.topical_enough)

    def _coverage(
        self, words: Sequence[str], outside: int = 0, story: frozenset[str] = frozenset()
    ) -> float:
        """The share of the query's weight the index knows: an unknown word (a subject
        the knowledge base never mentions) makes any match less certain, the more so
        the rarer it is in English ("neck" more than "people"); so does each subject
        named outside the knowledge base's scope. An unknown word only of the story
        around the question ("I cycle to work and…") weighs less than one it asks about."""
        known, unknown = 0.0, self.scoring.outside_weight * outside * self._unknown_idf
        for word in words:
            weight = self._idf.get(stem(word))
            if weight is not None:
                known += weight
            else:
                share = self.scoring.story_weight if word in story else 1.0
                unknown += share * self._unknown_idf * rarity(word)
        total = known + unknown
        return known / total if total else 0.0

    def _story_words(self, query: str) -> frozenset[str]:
        """Words of the sentences around the question that only tell its story: in a
        message of several sentences, those not in a sentence that asks."""
        message = read_message(query)
        if not message.asked or not message.told:
            return frozenset()
        asked = {w for s in message.asked for w in self.vocabulary.words(s)}
        told = {w for s in message.told for w in self.vocabulary.words(s)}
        return frozenset(told - asked)


def _intent(text: str, *, first_only: bool = False) -> str:
    """The question word a text asks with ("why", "how"...), or "" for none."""
    words: list[str] = TOKEN.findall(normalize(text))
    for word in words[:1] if first_only else words:
        if word in INTENTS:
            return word
    return ""


def _topicality_by_stem(view_words: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per stem of the index, the topicality (`rarity`) of its rarest word."""
    topicality: dict[str, float] = {}
    for word in {w for words in view_words for w in words}:
        key = stem(word)
        topicality[key] = max(topicality.get(key, 0.0), rarity(word))
    return topicality


def _word_features(words: Sequence[str]) -> list[str]:
    stems = [stem(w) for w in words]
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


def _views(passage: Passage, headings_weight: float) -> list[tuple[str, float]]:
    """The texts a passage is indexed under, each with the weight of its score."""
    if passage.question:
        return [(passage.question, 1.0), (f"{passage.question} {passage.text}", 1.0)]
    views = [(" ".join((*passage.headings, passage.text)), 1.0)]
    if passage.title != passage.section or passage.text[:2] == "1.":
        # A labelled bullet or a numbered list is what its headings promise, so the
        # headings alone (with the label) are a view of it too.
        views.append((" ".join((*passage.headings, passage.title)), headings_weight))
    return views
