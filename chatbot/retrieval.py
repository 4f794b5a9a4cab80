"""TF-IDF retrieval over passages: ranked hits with scores in [0, 1].

Each passage is indexed under one or more *views* (an FAQ entry under its question
and under its question with its answer; an article passage under its headings with
its text). A query is scored against every view by two TF-IDF models, one over
stemmed words and word pairs, one over character n-grams that forgive typos, and a
passage takes the score of its best view.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.knowledge import Passage

# A small stop list: scikit-learn's English list drops words that matter here
# ("back", "front", "side", "top", "full", "well").
_STOP_WORDS_TEXT = """a about above after again against all am an and any are as at be been
    before being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours
    yourself yourselves im ive id youre dont doesnt isnt cant get got also really please
    tell know want need thing things much many way ways"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
WORD_WEIGHT = 0.6
_TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def normalize(text: str) -> str:
    """Lower-case ASCII-folded text with apostrophes and possessives removed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"'s\b|'", "", text)


def content_words(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    words = [w for w in _TOKEN.findall(normalize(text)) if w not in STOP_WORDS]
    if synonyms:
        words = " ".join(synonyms.get(w, w) for w in words).split()
    return words


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
    ):
        self.passages = tuple(p for p in passages if p.informative)
        if not self.passages:
            raise ValueError("Retriever needs at least one informative passage to index")
        self.synonyms = dict(synonyms or {})
        alternates = alternates or {}
        views: list[str] = []
        owners: list[int] = []
        for index, passage in enumerate(self.passages):
            for view in [*_views(passage), *alternates.get(passage.id, ())]:
                views.append(view)
                owners.append(index)
        self._owners = np.asarray(owners)
        self._words = TfidfVectorizer(analyzer=self._word_features, sublinear_tf=True)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
        )
        self._word_matrix = self._words.fit_transform(views)
        self._char_matrix = self._chars.fit_transform([self._char_text(v) for v in views])

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` best passages for `query`, best first; empty when nothing matches."""
        words = self._words.transform([query])
        chars = self._chars.transform([self._char_text(query)])
        if words.nnz == 0 and chars.nnz == 0:
            return []
        view_scores = WORD_WEIGHT * _cosine(self._word_matrix, words) + (1 - WORD_WEIGHT) * _cosine(
            self._char_matrix, chars
        )
        best = np.zeros(len(self.passages))
        np.maximum.at(best, self._owners, view_scores)
        order = np.argsort(-best, kind="stable")[:k]
        return [Hit(self.passages[i], float(min(1.0, best[i]))) for i in order if best[i] > 0.0]

    def _word_features(self, text: str) -> list[str]:
        stems = [stem(w) for w in content_words(text, self.synonyms)]
        return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]

    def _char_text(self, text: str) -> str:
        return " ".join(content_words(text, self.synonyms))


def _views(passage: Passage) -> list[str]:
    if passage.question:
        return [passage.question, f"{passage.question} {passage.text}"]
    views = [" ".join((*passage.headings, passage.text))]
    if passage.title != passage.section or passage.text[:2] == "1.":
        # A labelled bullet or a numbered list is what its headings promise, so the
        # headings alone (with the label) are a view of it too.
        views.append(" ".join((*passage.headings, passage.title)))
    return views


def _cosine(matrix: sparse.csr_matrix, query: sparse.csr_matrix) -> np.ndarray:
    # Rows are L2-normalised by TfidfVectorizer, so the dot product is the cosine.
    return np.asarray((matrix @ query.T).toarray()).ravel()
