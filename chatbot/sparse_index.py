"""Posting lists of a sparse view-by-feature matrix, for scoring one short query fast."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse


class PostingIndex:
    """A sparse view-by-feature matrix kept by columns, so a query that names a few
    features costs only their posting lists (the rows holding each feature); whether a
    row holds a feature at all is read from the same postings, with no second matrix."""

    def __init__(self, matrix: sparse.spmatrix | sparse.sparray) -> None:
        self._columns = sparse.csc_matrix(matrix)
        self.shape: tuple[int, int] = (int(self._columns.shape[0]), int(self._columns.shape[1]))
        self._starts: np.ndarray = self._columns.indptr
        self._rows: np.ndarray = self._columns.indices

    def dot(self, columns: Sequence[int], weights: np.ndarray) -> np.ndarray:
        """Per row, the sum over `columns` of the row's value times the column's weight."""
        self._check(columns, weights)
        # scipy's own column slice and product are compiled loops; for the few columns
        # of one query they cost less than gathering the postings here.
        return np.asarray(self._columns[:, list(columns)] @ weights).ravel()

    def presence(self, columns: Sequence[int], weights: np.ndarray) -> np.ndarray:
        """Per row, the sum of the weights of the `columns` the row holds at all."""
        self._check(columns, weights)
        if not len(columns):
            return np.zeros(self.shape[0])
        rows = [self._rows[self._starts[c] : self._starts[c + 1]] for c in columns]
        # bincount adds in order: each row's sum is taken column by column, the same
        # additions as a product with the matrix's 0/1 pattern.
        summed: np.ndarray = np.bincount(
            np.concatenate(rows),
            weights=np.repeat(weights, [len(r) for r in rows]),
            minlength=self.shape[0],
        )
        return summed

    def _check(self, columns: Sequence[int], weights: np.ndarray) -> None:
        if len(columns) != len(weights):
            raise ValueError(f"{len(columns)} columns but {len(weights)} weights: pass one each")


def group_top_two(values: np.ndarray, group_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest and second largest of non-negative `values` in each group of
    consecutive entries, groups beginning at `group_starts` (increasing, the first 0,
    none empty); a group of one entry has 0 as its second. Linear: no sort."""
    best: np.ndarray = np.maximum.reduceat(values, group_starts)
    sizes = np.diff(group_starts, append=len(values))
    is_best = values == np.repeat(best, sizes)
    # A best value that occurs twice in a group is also its second best.
    second = np.where(np.add.reduceat(is_best, group_starts) > 1, best, 0.0)
    rest = np.where(is_best, -np.inf, values)
    second = np.maximum(second, np.maximum.reduceat(rest, group_starts))
    return best, second


def top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` highest positive `scores`, highest first, ties by index: what
    a stable sort of all scores gives, without sorting them all."""
    positive = np.flatnonzero(scores > 0.0)
    if k <= 0 or not len(positive):
        return positive[:0]
    if len(positive) > k:
        # Every entry tied with the k-th largest is kept, so the stable sort below
        # breaks those ties by index as a sort of everything would.
        kth = np.partition(scores[positive], len(positive) - k)[len(positive) - k]
        positive = positive[scores[positive] >= kth]
    order = np.argsort(-scores[positive], kind="stable")[:k]
    chosen: np.ndarray = positive[order]
    return chosen
