"""TF-IDF retrieval over passages: ranked hits with scores in [0, 1].

Each passage is indexed under one or more *views* (an FAQ entry under its question
and under its question with its answer; an article passage under its headings with
its text). A query is scored against every view by two TF-IDF models, one over
stemmed words and word pairs, one over character n-grams that forgive typos, and a
passage takes the score of its best view.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Indel
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from spellchecker import SpellChecker

from chatbot.knowledge import Passage
from chatbot.scope import Scope

# scikit-learn's English stop words, less those that carry meaning here ("back",
# "front", "side", "top", "move"...), plus the filler of typed questions.
_KEEP_WORDS = """back front side top bottom behind below above move full thick thin fire
    serious system amount interest bill cry detail empty fill mill name describe show call
    part first last become becomes became becoming keep find found made put give take see"""
_FILLER_WORDS = """im ive id youre dont doesnt isnt cant wont got also really please tell
    know want need thing things way ways actually exactly bother stuff like just okay ok
    lot lots kind sort guys basically literally related anybody somebody good best better
    right ever does did doing explain define definition meaning mean means describe wat wot
    u ur r pls plz abt hw wht people say says said talk talking anyone someone called"""
STOP_WORDS = (ENGLISH_STOP_WORDS - frozenset(_KEEP_WORDS.split())) | frozenset(
    _FILLER_WORDS.split()
)
# The weight of the word model in a view's score; the character model has the rest.
WORD_WEIGHT = 0.6
# An unknown word weighs this many times the rarest known word.
UNKNOWN_WEIGHT = 2.0
# Unknown English words as common as "people" (information below this, in nats) weigh
# the least; rarer ones weigh more, up to full weight RARITY_SPAN nats further on.
COMMON_INFORMATION = 7.0
RARITY_SPAN = 5.0
RARITY_FLOOR = 0.25
RECALL_POWER = 0.5
# A subject named outside the knowledge base's scope weighs as this many unknown words.
OUTSIDE_WEIGHT = 2.0
# Question words whose match adds a small bonus to a view, to break ties.
INTENTS = frozenset({"why", "how", "what", "where", "when", "which"})
INTENT_BONUS = 0.02
# How strongly words the index has never seen lower confidence.
COVERAGE_POWER = 2.0
# Typos are fixed only in words this long; longer words may be two edits off.
MIN_CORRECTABLE = 4
LONG_WORD = 7
# An unknown word sharing this many first letters (and 3/4 of itself) with a known
# word is taken for it.
MIN_PREFIX = 6
_TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def normalize(text: str) -> str:
    """Lower-case ASCII-folded text with apostrophes and possessives removed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"'s\b|'", "", text)


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    """English words with their frequencies, shipped with pyspellchecker (loaded once)."""
    return SpellChecker(language="en", distance=1)


def _rarity(word: str) -> float:
    """How topical an unknown word is, from its frequency in English (0.25 to 1)."""
    frequencies = _english().word_frequency
    information = math.log(frequencies.total_words / (1 + frequencies[word]))
    return min(1.0, max(RARITY_FLOOR, (information - COMMON_INFORMATION) / RARITY_SPAN))


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Retriever:
    """Built once over a fixed set of passages; `search` is read-only and thread-safe."""

    def __init__(
        self,
        passages: Sequence[Passage],
        synonyms: Mapping[str, str] | None = None,
        alternates: Mapping[str, Sequence[str]] | None = None,
        scope: Scope | None = None,
    ):
        self.passages = tuple(p for p in passages if p.informative)
        if not self.passages:
            raise ValueError("Retriever needs at least one informative passage to index")
        _english()  # Loaded while building, so the first search is as fast as the rest.
        self.vocabulary = Vocabulary(synonyms or {})
        self.scope = scope or Scope()
        alternates = alternates or {}
        views: list[str] = []
        owners: list[int] = []
        for index, passage in enumerate(self.passages):
            for view in [*_views(passage), *alternates.get(passage.id, ())]:
                views.append(view)
                owners.append(index)
        self._owners = np.asarray(owners)
        self._intents = np.asarray([_intent(v, first_only=True) for v in views])
        view_words = [self.vocabulary.words(v) for v in views]
        self.vocabulary.learn(w for words in view_words for w in words)
        self._words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
        )
        self._word_model = _Model(self._words, self._words.fit_transform(view_words))
        self._char_model = _Model(
            self._chars, self._chars.fit_transform([" ".join(w) for w in view_words])
        )
        self._idf = dict(zip(self._words.get_feature_names_out(), self._words.idf_, strict=True))
        self._present = self._word_model.columns.copy()
        self._present.data[:] = 1.0
        self._unknown_idf = UNKNOWN_WEIGHT * float(self._words.idf_.max())

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
            view_scores += WORD_WEIGHT * word_scores
        if char_scores is not None:
            view_scores += (1 - WORD_WEIGHT) * char_scores
        if RECALL_POWER:
            view_scores *= self._recall(words) ** RECALL_POWER
        intent = _intent(query)
        if intent:
            # Breaks ties between phrasings of the same words: "why massage" vs "how massage".
            view_scores += INTENT_BONUS * (self._intents == intent)
        best = np.zeros(len(self.passages))
        np.maximum.at(best, self._owners, view_scores)
        best *= self._coverage(words, len(self.scope.outside(query))) ** COVERAGE_POWER
        order = np.argsort(-best, kind="stable")[:k]
        return [Hit(self.passages[i], float(min(1.0, best[i]))) for i in order if best[i] > 0.0]

    def _recall(self, words: Sequence[str]) -> np.ndarray:
        """Per view, the share of the query's known weight that the view contains: a
        passage that leaves out the most telling word of the question is a worse match."""
        weights: dict[int, float] = {}
        for word in words:
            column = self._words.vocabulary_.get(stem(word))
            if column is not None:
                weights[column] = float(self._words.idf_[column]) ** 2
        if not weights:
            return np.zeros(self._present.shape[0])
        found = self._present[:, list(weights)] @ np.fromiter(weights.values(), float)
        recall: np.ndarray = np.asarray(found).ravel() / sum(weights.values())
        return recall

    def _coverage(self, words: Sequence[str], outside: int = 0) -> float:
        """The share of the query's weight the index knows: an unknown word (a subject
        the knowledge base never mentions) makes any match less certain, the more so
        the rarer it is in English ("neck" more than "people"); so does each subject
        named outside the knowledge base's scope."""
        known, unknown = 0.0, OUTSIDE_WEIGHT * outside * self._unknown_idf
        for word in words:
            weight = self._idf.get(stem(word))
            if weight is not None:
                known += weight
            else:
                unknown += self._unknown_idf * _rarity(word)
        total = known + unknown
        return known / total if total else 0.0


class Vocabulary:
    """Turns text into the words the index uses: stop words dropped, editors' synonyms
    (single words or phrases) mapped onto article words, and typos of known words fixed."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        self.synonyms = {normalize(k): normalize(v) for k, v in synonyms.items()}
        phrases = sorted((k for k in self.synonyms if " " in k), key=len, reverse=True)
        self._phrases = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
            if phrases
            else None
        )
        self.known: frozenset[str] = frozenset()
        self.known_stems: frozenset[str] = frozenset()
        self._lexicon: list[str] = []
        self._counts: Counter[str] = Counter()

    def learn(self, words: Iterable[str]) -> None:
        self._counts = Counter(words)
        self.known = frozenset([*self._counts, *(k for k in self.synonyms if " " not in k)])
        self.known_stems = frozenset(stem(w) for w in self.known)
        self._lexicon = sorted(w for w in self.known if len(w) >= MIN_CORRECTABLE)

    def words(self, text: str) -> list[str]:
        text = normalize(text)
        if self._phrases is not None:
            text = self._phrases.sub(lambda m: self.synonyms[m.group(0)], text)
        # Synonyms first: a question word such as "where" may stand for an article word.
        words = " ".join(self.synonyms.get(w, w) for w in _TOKEN.findall(text)).split()
        return [w for w in words if w not in STOP_WORDS and not w.isdigit()]

    def corrected(self, words: Sequence[str]) -> list[str]:
        """Typos replaced by the known words they were meant to be. A real English word
        the index does not know stays as it is: it is a subject the articles don't cover
        ("neck", "salary"), not a typo."""
        fixed: list[str] = []
        for word in words:
            if word in self.known or stem(word) in self.known_stems:
                fixed.append(word)
            elif word in _english():
                # A form the stemmer misses ("cylinder", "cylindrical") is still the word.
                fixed.append(self._by_prefix(word))
            else:
                fixed.extend(self._correct(word).split())
        return fixed

    def _correct(self, word: str) -> str:
        """The known word closest to a typo: fewest edits, then fewest letters added or
        dropped (the commonest slip), then the commoner word in the index."""
        if len(word) < MIN_CORRECTABLE or word.isdigit():
            return word
        limit = 1 if len(word) < LONG_WORD else 2
        matches = process.extract(
            word, self._lexicon, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=8
        )
        if not matches:
            return self._by_prefix(word)
        fixed = str(
            min(
                matches,
                key=lambda m: (m[1], Indel.distance(word, m[0]), -self._counts.get(m[0], 0)),
            )[0]
        )
        return self.synonyms.get(fixed, fixed)

    def _by_prefix(self, word: str) -> str:
        # "cylinder" for "cylindrical": a long shared beginning is the same word.
        size = max(MIN_PREFIX, (3 * len(word)) // 4)
        if len(word) < size:
            return word
        candidates = [w for w in self._lexicon if w.startswith(word[:size])]
        if not candidates:
            return word
        fixed = min(candidates, key=len)
        return self.synonyms.get(fixed, fixed)


def _intent(text: str, *, first_only: bool = False) -> str:
    """The question word a text asks with ("why", "how"...), or "" for none."""
    words: list[str] = _TOKEN.findall(normalize(text))
    for word in words[:1] if first_only else words:
        if word in INTENTS:
            return word
    return ""


def _word_features(words: Sequence[str]) -> list[str]:
    stems = [stem(w) for w in words]
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


def _views(passage: Passage) -> list[str]:
    if passage.question:
        return [passage.question, f"{passage.question} {passage.text}"]
    views = [" ".join((*passage.headings, passage.text))]
    if passage.title != passage.section or passage.text[:2] == "1.":
        # A labelled bullet or a numbered list is what its headings promise, so the
        # headings alone (with the label) are a view of it too.
        views.append(" ".join((*passage.headings, passage.title)))
    return views


class _Model:
    """A fitted TF-IDF model that scores one short query by hand: the same numbers as
    `transform` and a dot product, without its per-call overhead."""

    def __init__(self, vectorizer: TfidfVectorizer, matrix: sparse.csr_matrix) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.index: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray = vectorizer.idf_
        self.columns = sparse.csc_matrix(matrix)

    def scores(self, document: object) -> np.ndarray | None:
        """Cosine of the query with every view (rows are L2-normalised), or None when
        the query has no feature the model knows."""
        counts = Counter(f for f in self.analyze(document) if f in self.index)
        if not counts:
            return None
        columns = [self.index[f] for f in counts]
        weights = (1.0 + np.log(np.fromiter(counts.values(), float))) * self.idf[columns]
        weights /= np.linalg.norm(weights)
        return np.asarray(self.columns[:, columns] @ weights).ravel()
