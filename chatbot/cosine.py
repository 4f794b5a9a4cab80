"""Cosine scores of one short query against a fitted TF-IDF matrix, computed by hand."""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.sparse_index import PostingIndex


class CosineScorer:
    """A fitted TF-IDF model that scores one short query by hand: the same numbers as
    `transform` and a dot product, without its per-call overhead."""

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        matrix: sparse.csr_matrix,
        feature_weights: np.ndarray | None = None,
    ) -> None:
        # `scores` weighs the query as sublinear TF times IDF, L2-normalised: the
        # vectorizer must have made the matrix the same way, or scores would drift.
        made_as = (vectorizer.sublinear_tf, vectorizer.norm, vectorizer.use_idf, vectorizer.binary)
        if made_as != (True, "l2", True, False):
            raise ValueError(
                "CosineScorer needs a TfidfVectorizer fitted with sublinear_tf=True, "
                "norm='l2', use_idf=True and binary=False"
            )
        self.analyze = vectorizer.build_analyzer()
        self.index: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray = vectorizer.idf_
        if feature_weights is not None:
            # Reweighted features, rows normalised again so scores stay cosines.
            self.idf = self.idf * feature_weights
            matrix = sparse.csr_matrix(matrix @ sparse.diags(feature_weights))
            norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
            matrix = sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix)
        self.postings = PostingIndex(matrix)

    def scores(self, document: object) -> np.ndarray | None:
        """Cosine of the query with every view (rows are L2-normalised), or None when
        the query has no feature the model knows."""
        counts = Counter(f for f in self.analyze(document) if f in self.index)
        if not counts:
            return None
        columns = [self.index[f] for f in counts]
        weights = (1.0 + np.log(np.fromiter(counts.values(), float))) * self.idf[columns]
        weights /= np.linalg.norm(weights)
        return self.postings.dot(columns, weights)
