"""The fast scoring machinery gives what the plain scipy and numpy forms give."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from scipy import sparse

from chatbot import retrieval
from chatbot.documents import Passage
from chatbot.knowledge import load_knowledge
from chatbot.retrieval import Retriever
from chatbot.sparse_index import Groups, PostingIndex, RowIndex, top_positive
from tests.conftest import CLINIC


def random_matrix(rows: int, columns: int, density: float, seed: int) -> sparse.csr_matrix:
    matrix: sparse.csr_matrix = sparse.random(
        rows, columns, density=density, format="csr", random_state=seed
    )
    return matrix


@pytest.mark.parametrize(
    ("rows", "columns", "density", "picked"),
    [
        (50, 30, 0.2, [3, 0, 17, 29]),
        (200, 10, 0.9, [9, 1, 5]),
        (40, 40, 0.02, [7]),
        (60, 25, 0.3, []),
    ],
)
def test_posting_products_equal_the_sliced_matrix_products(
    rows: int, columns: int, density: float, picked: list[int]
) -> None:
    matrix = random_matrix(rows, columns, density, seed=rows + columns)
    weights = np.linspace(0.3, 2.0, len(picked))
    index = PostingIndex(matrix)
    pattern = (matrix != 0).astype(float).tocsc()
    expected_dot = np.asarray(matrix.tocsc()[:, picked] @ weights).ravel()
    expected_presence = np.asarray(pattern[:, picked] @ weights).ravel()
    if not picked:
        expected_dot = expected_presence = np.zeros(rows)
    assert np.array_equal(index.dot(picked, weights), expected_dot)
    assert np.array_equal(index.presence(picked, weights), expected_presence)


def test_posting_products_refuse_a_weight_count_unlike_the_column_count() -> None:
    index = PostingIndex(random_matrix(5, 5, 0.5, seed=1))
    with pytest.raises(ValueError, match="one each"):
        index.dot([0, 1], np.ones(3))


def reference_top_two(values: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each owner's values sorted, largest first: the first two."""
    ranked = [
        [*sorted(values[owners == owner].tolist(), reverse=True), 0.0]
        for owner in range(int(owners.max()) + 1)
    ]
    return np.asarray([r[0] for r in ranked]), np.asarray([r[1] for r in ranked])


def reference_groups_top_two(self: Groups, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return reference_top_two(values, self.owners)


def random_groups() -> Iterator[tuple[list[float], list[int]]]:
    rng = random.Random(3)
    for _ in range(5):
        sizes = [rng.choice([1, 1, 1, 2, 3, 7]) for _ in range(rng.randint(1, 40))]
        owners = [owner for owner, size in enumerate(sizes) for _ in range(size)]
        # One decimal, so many values tie within an owner.
        yield [round(rng.random(), 1) for _ in owners], owners


@pytest.mark.parametrize(
    ("values", "owners"),
    [
        ([0.1, 0.5, 0.2, 0.0, 0.7], [0, 0, 1, 2, 2]),
        ([0.3], [0]),
        ([0.0, 0.0, 0.4, 0.4], [0, 1, 2, 3]),
        ([0.9, 0.1, 0.2, 0.8, 0.8, 0.0], [0, 0, 0, 1, 1, 1]),
        ([0.5, 0.5, 0.5, 0.2], [0, 0, 0, 1]),
        ([0.2, 0.9, 0.4, 0.6], [0, 0, 0, 0]),
        ([0.0, 0.0], [0, 0]),
        *random_groups(),
    ],
)
def test_groups_top_two_equal_a_sort_of_each_group(values: list[float], owners: list[int]) -> None:
    best, second = Groups(np.asarray(owners)).top_two(np.asarray(values))
    expected_best, expected_second = reference_top_two(np.asarray(values), np.asarray(owners))
    assert best.tolist() == expected_best.tolist()
    assert second.tolist() == expected_second.tolist()


@pytest.mark.parametrize("owners", [[], [1, 1], [0, 2], [0, 1, 0], [0, 0, 1, 1, 3]])
def test_groups_refuse_owners_out_of_order(owners: list[int]) -> None:
    with pytest.raises(ValueError, match="in order"):
        Groups(np.asarray(owners, dtype=int))


def reference_top(scores: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if scores[i] > 0.0]


def score_tables() -> Iterator[tuple[list[float], int]]:
    yield [0.0, 0.0, 0.0], 2
    yield [0.5, 0.1, 0.5, 0.5, 0.2], 2
    yield [0.2, 0.0, 0.3], 8
    yield [0.4, 0.4, 0.4, 0.4], 3
    yield [0.1, 0.9], 0
    rng = random.Random(7)
    for size in (30, 500):
        # Scores rounded to one decimal, so many tie at the k-th place.
        yield [round(rng.random(), 1) * (rng.random() > 0.3) for _ in range(size)], 8


@pytest.mark.parametrize(("scores", "k"), list(score_tables()))
def test_top_positive_equals_a_stable_sort_of_every_score(scores: list[float], k: int) -> None:
    array = np.asarray(scores)
    assert top_positive(array, k).tolist() == reference_top(array, k)


def synthetic_passages(size: int, seed: int) -> list[Passage]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tus", "ab", "or", "el", "vin", "sto"]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(400)]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    passages = []
    for index in range(size):
        text = " ".join(rng.choices(words, weights=weights, k=rng.randint(8, 30)))
        question = text[:40] + "?" if index % 3 == 0 else None
        passages.append(
            Passage(
                id=f"doc#p-{index}",
                document="doc",
                section="Section",
                kind="faq" if question else "article",
                text=text + ".",
                anchor=f"p-{index}",
                title=question or f"Title {index}",
                headings=("doc", "Section"),
                line=index,
                question=question,
            )
        )
    return passages


def reference_dot(self: PostingIndex, columns: Sequence[int], weights: np.ndarray) -> np.ndarray:
    return np.asarray(self._columns[:, list(columns)] @ weights).ravel()


def reference_presence(
    self: PostingIndex, columns: Sequence[int], weights: np.ndarray
) -> np.ndarray:
    pattern = (self._columns[:, list(columns)] != 0).astype(float)
    return np.asarray(pattern @ weights).ravel() if len(columns) else np.zeros(self.shape[0])


def reference_top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    return np.asarray(reference_top(scores, k), dtype=np.intp)


SYNTHETIC = synthetic_passages(300, seed=11)
CLINIC_QUESTIONS = [
    "typing all day stiff wrists why",
    "wirst flexsors masage",
    "What is the capital of Australia?",
    "why",
    "!!!",
]
SYNTHETIC_QUESTIONS = [p.text[:30] for p in SYNTHETIC[::7]] + ["kalo minren", "why tus"]


@pytest.mark.parametrize("corpus", ["clinic", "synthetic"])
def test_search_ranks_as_the_plain_scipy_and_numpy_forms_would(
    monkeypatch: pytest.MonkeyPatch, corpus: str
) -> None:
    passages: Sequence[Passage]
    if corpus == "clinic":
        passages = load_knowledge(CLINIC).passages
        # Every passage's question or opening words, plus a few harder ones.
        questions = [p.question or p.text[:60] for p in passages] + CLINIC_QUESTIONS
    else:
        passages, questions = SYNTHETIC, SYNTHETIC_QUESTIONS
    retriever = Retriever(passages)
    fast = [retriever.search(q, k=8) for q in questions]
    monkeypatch.setattr(PostingIndex, "dot", reference_dot)
    monkeypatch.setattr(PostingIndex, "presence", reference_presence)
    monkeypatch.setattr(Groups, "top_two", reference_groups_top_two)
    monkeypatch.setattr(retrieval, "top_positive", reference_top_positive)
    plain = [retriever.search(q, k=8) for q in questions]
    assert any(plain), "the questions should find something"
    for question, got, expected in zip(questions, fast, plain, strict=True):
        assert [h.passage.id for h in got] == [h.passage.id for h in expected], question
        for hit, reference in zip(got, expected, strict=True):
            assert hit.score == pytest.approx(reference.score, abs=1e-9), question


@pytest.mark.parametrize("rows", [[0, 3, 7], [7, 3, 0, 3], list(range(40)), []])
def test_row_index_dot_is_the_plain_product_of_the_chosen_rows(rows: list[int]) -> None:
    matrix = random_matrix(40, 25, 0.2, seed=5)
    columns, weights = [4, 0, 19], np.asarray([0.5, 0.25, 2.0])
    expected = np.asarray(matrix[rows][:, columns] @ weights).ravel()
    got = RowIndex(matrix).dot(np.asarray(rows, dtype=np.int64), columns, weights)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_groups_members_lists_each_chosen_owners_entries() -> None:
    groups = Groups(np.asarray([0, 0, 1, 2, 2, 2, 3]))
    assert groups.members(np.asarray([2, 0, 3])).tolist() == [3, 4, 5, 0, 1, 6]


@pytest.mark.parametrize("k", [1, 3, 8])
def test_bounded_rescoring_ranks_as_scoring_every_passage(
    monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    """With few passages scored first, the bounds still find every passage that could
    be among the best, as scoring all of them does."""
    retriever = Retriever(SYNTHETIC)
    monkeypatch.setattr(retrieval, "MAX_CANDIDATES", 10**9)
    whole = [retriever.search(q, k=k) for q in SYNTHETIC_QUESTIONS]
    monkeypatch.setattr(retrieval, "FIRST_CANDIDATES", 1)
    monkeypatch.setattr(retrieval, "MAX_CANDIDATES", len(SYNTHETIC) - 1)
    bounded = [retriever.search(q, k=k) for q in SYNTHETIC_QUESTIONS]
    assert any(whole)
    for question, got, expected in zip(SYNTHETIC_QUESTIONS, bounded, whole, strict=True):
        assert [h.passage.id for h in got] == [h.passage.id for h in expected], question
        for hit, reference in zip(got, expected, strict=True):
            assert hit.score == pytest.approx(reference.score, abs=1e-12), question
