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

    @property
    def matrix(self) -> sparse.csc_matrix:
        return self._columns

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


class RowIndex:
    """A sparse view-by-feature matrix kept by rows, for scoring one short query against
    a few chosen rows: the cost is those rows' entries, not the features' posting lists
    (a common character n-gram is in nearly every row)."""

    def __init__(self, matrix: sparse.spmatrix | sparse.sparray) -> None:
        self.matrix = sparse.csr_matrix(matrix)
        self.matrix.sort_indices()
        self.shape: tuple[int, int] = (int(self.matrix.shape[0]), int(self.matrix.shape[1]))

    def dot(self, rows: np.ndarray, columns: Sequence[int], weights: np.ndarray) -> np.ndarray:
        """For each of `rows`, in order, the sum over `columns` of the row's value times
        the column's weight."""
        if len(columns) != len(weights):
            raise ValueError(f"{len(columns)} columns but {len(weights)} weights: pass one each")
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows) or not len(columns):
            return np.zeros(len(rows))
        # The query's weights spread over every feature, then scipy's compiled row pick
        # and product: two passes over the chosen rows' entries.
        spread = np.zeros(self.matrix.shape[1])
        spread[np.asarray(columns, dtype=np.int64)] = weights
        every = len(rows) == self.shape[0] and bool(np.all(rows == np.arange(len(rows))))
        summed: np.ndarray = np.asarray((self.matrix if every else self.matrix[rows]) @ spread)
        return summed.ravel()


class Groups:
    """Entries grouped into consecutive runs by owner (0, 0, 1, 2, 2, 2, …), for the
    best and second best entry of each owner. Entries are taken rank by rank (every
    owner's first entry, then every owner's second, …), so each pass is a handful of
    array operations over the owners that have that many entries: linear, no sort."""

    def __init__(self, owners: np.ndarray) -> None:
        owners = np.asarray(owners)
        steps = np.diff(owners)
        if not len(owners) or owners[0] != 0 or np.any((steps != 0) & (steps != 1)):
            raise ValueError("owners must run 0, 1, 2, … in order, each one or more times")
        starts = np.flatnonzero(np.diff(owners, prepend=-1))
        sizes = np.diff(starts, append=len(owners))
        rank = np.arange(len(owners)) - np.repeat(starts, sizes)
        self.owners = owners
        self.size = len(starts)
        self.starts = starts
        self.sizes = sizes
        self._firsts = np.flatnonzero(rank == 0)
        # For each later rank, the entries of that rank and the owners they belong to.
        later = [np.flatnonzero(rank == r) for r in range(1, int(rank.max()) + 1)]
        self._later = [(positions, owners[positions]) for positions in later]

    def top_two(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per owner, the largest and second largest of its non-negative `values`
        (0 as the second of an owner with one entry)."""
        best: np.ndarray = values[self._firsts]
        second: np.ndarray = np.zeros(self.size)
        for positions, owners in self._later:
            entry = values[positions]
            current = best[owners]
            second[owners] = np.maximum(second[owners], np.minimum(current, entry))
            best[owners] = np.maximum(current, entry)
        return best, second

    def members(self, chosen: np.ndarray) -> np.ndarray:
        """The entries of the `chosen` owners, owner by owner."""
        sizes = self.sizes[chosen]
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        members: np.ndarray = np.repeat(self.starts[chosen], sizes) + offsets
        return members


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
