"""TF-IDF models fitted by scikit-learn's TfidfVectorizer and scored by hand: one short
query against every row, or chosen rows, without the vectorizer's per-call overhead."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy import sparse

from chatbot.sparse_index import PostingIndex, RowIndex

Document = TypeVar("Document")
_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with a space, in the
    order scikit-learn's `analyzer="char_wb"` gives them."""
    ngrams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            ngrams.extend(padded[start : start + n] for start in range(max(1, size - n + 1)))
            if size <= n:  # A short word is counted once, whatever n.
                break
    return ngrams


@dataclass(frozen=True)
class Tfidf:
    """A fitted model: its features (sorted, as scikit-learn orders them), their IDF and
    the L2-normalised sublinear TF-IDF matrix of the fitted documents, one row each."""

    features: list[str]
    idf: np.ndarray
    matrix: sparse.csr_matrix

    @classmethod
    def fit(
        cls,
        documents: Iterable[Document],
        analyze: Callable[[Document], Sequence[str]],
    ) -> Tfidf:
        """Fit scikit-learn's TfidfVectorizer (sublinear TF, smooth IDF, L2 rows) with
        `analyze` as its analyzer, and keep what scoring needs. scikit-learn is imported
        here only: an index read back from the cache needs none of it."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True)
        matrix = sparse.csr_matrix(vectorizer.fit_transform(list(documents)), dtype=np.float64)
        matrix.sort_indices()
        return cls(list(vectorizer.get_feature_names_out()), vectorizer.idf_, matrix)


class CosineScorer:
    """A fitted TF-IDF model that scores one short query by hand: the query weighed as
    sublinear TF times IDF, L2-normalised, dotted with every row (or chosen rows)."""

    def __init__(
        self,
        analyze: Callable[[object], Sequence[str]],
        features: Sequence[str],
        idf: np.ndarray,
        matrix: sparse.spmatrix | sparse.sparray,
        *,
        by_rows: bool = False,
    ) -> None:
        self.analyze = analyze
        self.index: dict[str, int] = {f: i for i, f in enumerate(features)}
        self.idf = idf
        # By columns, a query costs its features' posting lists; by rows, it costs only
        # the rows asked for, however common its features are.
        self.postings: PostingIndex | None = None if by_rows else PostingIndex(matrix)
        self.rows: RowIndex | None = RowIndex(matrix) if by_rows else None

    @classmethod
    def reweighted(
        cls,
        analyze: Callable[[object], Sequence[str]],
        model: Tfidf,
        feature_weights: np.ndarray,
        *,
        by_rows: bool = False,
    ) -> CosineScorer:
        """The model with each feature's weight multiplied by `feature_weights`, rows
        normalised again so scores stay cosines."""
        matrix = sparse.csr_matrix(model.matrix @ sparse.diags(feature_weights))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix)
        return cls(analyze, model.features, model.idf * feature_weights, matrix, by_rows=by_rows)

    def query(self, document: object) -> tuple[list[int], np.ndarray] | None:
        """The query's known features and their normalised weights, or None for none."""
        counts = Counter(f for f in self.analyze(document) if f in self.index)
        if not counts:
            return None
        columns = [self.index[f] for f in counts]
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), float, len(counts))
        weights: np.ndarray = tf * self.idf[columns]
        weights /= np.linalg.norm(weights)
        return columns, weights

    def scores(self, document: object) -> np.ndarray | None:
        """Cosine of the query with every row (rows are L2-normalised), or None when the
        query has no feature the model knows."""
        query = self.query(document)
        if query is None:
            return None
        if self.postings is None:
            assert self.rows is not None
            return self.rows.dot(np.arange(self.rows.matrix.shape[0]), *query)
        return self.postings.dot(*query)

    def rows_dot(self, rows: np.ndarray, columns: list[int], weights: np.ndarray) -> np.ndarray:
        """For a query already weighed (`query`), its cosine with the given rows."""
        if self.rows is None:
            assert self.postings is not None
            picked: np.ndarray = self.postings.dot(columns, weights)[rows]
            return picked
        return self.rows.dot(rows, columns, weights)

    @property
    def matrix(self) -> sparse.csr_matrix:
        """The model's matrix, rows by features (for saving the index)."""
        if self.rows is not None:
            return self.rows.matrix
        assert self.postings is not None
        return self.postings.matrix.tocsr()
