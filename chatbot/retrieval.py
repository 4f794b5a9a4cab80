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
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from chatbot.answers import Hit
from chatbot.asking import read_message
from chatbot.cosine import CosineScorer, Tfidf, char_wb_ngrams
from chatbot.documents import Passage
from chatbot.index_cache import Index, index_key, load_index, save_index
from chatbot.scope import Scope
from chatbot.scoring import SCORING, Scoring
from chatbot.sparse_index import Groups, top_positive
from chatbot.vocabulary import CHATTER, TOKEN, Vocabulary, english, normalize, rarity, stem

# Question words a view may be asked with; a match breaks ties (see Scoring.intent_bonus).
INTENTS = frozenset({"why", "how", "what", "where", "when", "which"})


logger = logging.getLogger(__name__)

# Passages scored in full at first; more are scored only while one of them could still
# outrank the k-th best (see `search`), up to MAX_CANDIDATES, past which the passages
# with the highest bounds are taken: only a huge knowledge base with a question of
# nothing but its commonest words gets there.
FIRST_CANDIDATES = 64
MAX_CANDIDATES = 128


class Retriever:
    """Built once over a fixed set of passages; `search` is read-only and thread-safe."""

    def __init__(
        self,
        passages: Sequence[Passage],
        synonyms: Mapping[str, str] | None = None,
        alternates: Mapping[str, Sequence[str]] | None = None,
        scope: Scope | None = None,
        scoring: Scoring = SCORING,
        *,
        index: Index | None = None,
    ):
        self.scoring = scoring
        self.passages = tuple(p for p in passages if p.informative)
        if not self.passages:
            raise ValueError("Retriever needs at least one informative passage to index")
        english()  # Loaded while building, so the first search is as fast as the rest.
        self.vocabulary = Vocabulary(synonyms or {})
        self.scope = scope or Scope()
        if index is None or not self._fits(index, alternates or {}):
            index = build_index(self.passages, synonyms or {}, alternates or {}, scoring)
        self.index = index
        self._view_weights = index.view_weights
        self._owners = index.owners
        self._passage_views = Groups(self._owners)  # listed passage by passage
        self._intents = index.intents
        self.vocabulary.learn_counts(index.word_counts)
        self._word_model = CosineScorer(
            _word_features, index.word_features, index.word_weighted_idf, index.word_matrix
        )
        self._char_model = CosineScorer(
            _char_features, index.char_features, index.char_idf, index.char_matrix, by_rows=True
        )
        self._word_column = self._word_model.index
        self._word_idf = index.word_idf
        self._idf = dict(zip(index.word_features, index.word_idf.tolist(), strict=True))
        self._unknown_idf = self.scoring.unknown_weight * float(index.word_idf.max())

    @classmethod
    def cached(
        cls,
        cache_dir: Path | None,
        passages: Sequence[Passage],
        synonyms: Mapping[str, str] | None = None,
        alternates: Mapping[str, Sequence[str]] | None = None,
        scope: Scope | None = None,
        scoring: Scoring = SCORING,
    ) -> Retriever:
        """A retriever whose index is read from `cache_dir` when the copy there was made
        from the same passages and scoring, and built (and saved there) otherwise."""
        if cache_dir is None:
            return cls(passages, synonyms, alternates, scope, scoring)
        informative = [p for p in passages if p.informative]
        key = index_key(informative, synonyms or {}, alternates or {}, scoring)
        index = load_index(cache_dir, key)
        retriever = cls(passages, synonyms, alternates, scope, scoring, index=index)
        if retriever.index is not index:
            try:
                save_index(cache_dir, key, retriever.index)
            except OSError as error:
                logger.warning("could not save the index cache in %s: %s", cache_dir, error)
        return retriever

    def _fits(self, index: Index, alternates: Mapping[str, Sequence[str]]) -> bool:
        """Whether a saved index has the shape these passages give (its key says the
        rest): a last guard against a copy that is not theirs."""
        views = sum(
            len(_views(p, self.scoring.headings_view_weight)) + len(alternates.get(p.id, ()))
            for p in self.passages
        )
        return index.views == views and int(index.owners[-1]) == len(self.passages) - 1

    def search(self, query: str, k: int = 5, context: str | None = None) -> list[Hit]:
        """The `k` best passages for `query`, best first; empty when nothing matches.
        `context` is the whole message `query` was cut from, if any: what the message
        names that the index does not know lowers confidence as if asked whole.

        A view's score is (word share * word cosine + char share * char cosine) * recall *
        view weight (+ the intent bonus). Only views sharing a known word with the
        question have any recall, and the character cosine is at most 1, so the word
        model alone bounds every passage's score: the character model, whose common
        n-grams are in nearly every view, scores only the passages whose bound could
        still beat the k-th best score found, and the answer is the one scoring every
        view would give."""
        if k <= 0:
            return []
        typed = self.vocabulary.words(query)
        words = self.vocabulary.corrected(typed)
        word_scores = self._word_model.scores(words)
        char_query = self._char_model.query(" ".join(words))
        if word_scores is None and char_query is None:
            return []
        scoring = self.scoring
        factor = self._recall(words) ** scoring.recall_power
        base = np.zeros(len(self._owners))
        if word_scores is not None:
            base += scoring.word_weight * word_scores
        intent = _intent(query)
        # Breaks ties between phrasings of the same words: "why massage" vs "how massage".
        bonus = scoring.intent_bonus * (self._intents == intent) if intent else None
        if len(self.passages) <= MAX_CANDIDATES:
            # A small knowledge base is scored whole: bounds would save nothing.
            everything = np.arange(len(self.passages))
            exact = self._score(everything, char_query, base, factor, bonus)
        else:
            # A little over the character model's most, for the rounding of a cosine of 1.
            slack = (1 - scoring.word_weight) * (1 + 1e-9)
            bound = (base + slack) * factor * self._view_weights
            if bonus is not None:
                bound += bonus
            best, second = self._passage_views.top_two(bound)
            bounds = best + scoring.second_view_share * second
            exact = self._rescore(char_query, base, factor, bonus, bounds, k)
        whole = query if context is None else context
        if whole is not query:
            words_of_whole = self.vocabulary.corrected(self.vocabulary.words(whole))
        else:
            words_of_whole = words
        story = self._story_words(whole)
        outside = len(self.scope.outside(whole))
        exact *= self._coverage(words_of_whole, outside, story) ** scoring.coverage_power
        exact *= self._topicality(words)
        return [Hit(self.passages[i], float(min(1.0, exact[i]))) for i in top_positive(exact, k)]

    def _rescore(
        self,
        char_query: tuple[list[int], np.ndarray] | None,
        base: np.ndarray,
        factor: np.ndarray,
        bonus: np.ndarray | None,
        bounds: np.ndarray,
        k: int,
    ) -> np.ndarray:
        """Per passage, its full score where it could be among the `k` best, else 0:
        passages are scored in full best bound first until no passage left unscored has
        a bound as high as the k-th best full score."""
        exact = np.zeros(len(bounds))
        scored = np.zeros(len(bounds), dtype=bool)
        order = _highest_first(bounds, MAX_CANDIDATES)
        done = 0
        want = max(FIRST_CANDIDATES, 4 * k)
        while done < len(order):
            chosen = order[done : min(len(order), done + want, MAX_CANDIDATES)]
            if not len(chosen):
                break
            done += len(chosen)
            exact[chosen] = self._score(chosen, char_query, base, factor, bonus)[chosen]
            scored[chosen] = True
            ranked = np.sort(exact[scored])[::-1]
            kth = ranked[k - 1] if 0 < k <= len(ranked) else 0.0
            left = order[done:]
            if not len(left) or bounds[left[0]] < kth or done >= MAX_CANDIDATES:
                break
            # Every passage left whose bound reaches the k-th best score, in one step.
            want = int(np.count_nonzero(bounds[left] >= kth))
        return exact

    def _score(
        self,
        chosen: np.ndarray,
        char_query: tuple[list[int], np.ndarray] | None,
        base: np.ndarray,
        factor: np.ndarray,
        bonus: np.ndarray | None,
    ) -> np.ndarray:
        """Per passage, its full score (best view plus a share of the second), right for
        the `chosen` passages only."""
        views = self._passage_views.members(chosen)
        char = None if char_query is None else self._char_model.rows_dot(views, *char_query)
        # The same operations, in the same order, as scoring every view at once.
        values = base[views]
        if char is not None:
            values = values + (1 - self.scoring.word_weight) * char
        values = values * factor[views] * self._view_weights[views]
        if bonus is not None:
            values = values + bonus[views]
        full = np.zeros(len(self._owners))
        full[views] = values
        best, second = self._passage_views.top_two(full)
        scores: np.ndarray = best + self.scoring.second_view_share * second
        return scores

    def _recall(self, words: Sequence[str]) -> np.ndarray:
        """Per view, the share of the query's known weight that the view contains: a
        passage that leaves out the most telling word of the question is a worse match."""
        weights: dict[int, float] = {}
        for word in words:
            column = self._word_column.get(stem(word))
            if column is not None:
                weights[column] = float(self._word_idf[column]) ** 2
        if not weights:
            return np.zeros(len(self._owners))
        assert self._word_model.postings is not None
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
        around the question ("I cycle to work and…"), or of chatter ("lately", "wondering"),
        weighs less than one it asks about."""
        known, unknown = 0.0, self.scoring.outside_weight * outside * self._unknown_idf
        for word in words:
            weight = self._idf.get(stem(word))
            if weight is not None:
                known += weight
            else:
                lightly = word in story or word in CHATTER
                share = self.scoring.story_weight if lightly else 1.0
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


def _highest_first(values: np.ndarray, most: int) -> np.ndarray:
    """Indices of the (at most `most`) highest positive `values`, highest first."""
    positive = np.flatnonzero(values > 0.0)
    if len(positive) > most:
        positive = positive[np.argpartition(-values[positive], most - 1)[:most]]
    order: np.ndarray = positive[np.argsort(-values[positive], kind="stable")]
    return order


def build_index(
    passages: Sequence[Passage],
    synonyms: Mapping[str, str],
    alternates: Mapping[str, Sequence[str]],
    scoring: Scoring,
) -> Index:
    """The views of `passages` and both TF-IDF models over them."""
    views: list[str] = []
    owners: list[int] = []
    weights: list[float] = []
    for index, passage in enumerate(passages):
        phrasings = [(a, 1.0) for a in alternates.get(passage.id, ())]
        for view, weight in [*_views(passage, scoring.headings_view_weight), *phrasings]:
            views.append(view)
            owners.append(index)
            weights.append(weight)
    vocabulary = Vocabulary(synonyms)
    view_words = [vocabulary.words(v) for v in views]
    words = Tfidf.fit(view_words, _word_features)
    topicality = _topicality_by_stem(view_words)
    feature_weights = np.asarray(
        [
            np.mean([topicality[s] for s in feature.split()]) ** scoring.topicality_power
            for feature in words.features
        ]
    )
    word_model = CosineScorer.reweighted(_word_features, words, feature_weights)
    chars = Tfidf.fit((" ".join(w) for w in view_words), _char_features)
    return Index(
        views=len(views),
        view_weights=np.asarray(weights, dtype=np.float64),
        owners=np.asarray(owners, dtype=np.int64),
        intents=np.asarray([_intent(v, first_only=True) for v in views]),
        word_counts=dict(Counter(w for ws in view_words for w in ws)),
        word_features=words.features,
        word_idf=words.idf,
        word_weighted_idf=word_model.idf,
        word_matrix=word_model.matrix,
        char_features=chars.features,
        char_idf=chars.idf,
        char_matrix=chars.matrix,
    )


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


def _char_features(text: object) -> list[str]:
    return char_wb_ngrams(str(text))


def _word_features(words: object) -> list[str]:
    assert isinstance(words, list)
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
