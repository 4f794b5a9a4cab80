"""The hand-computed cosine equals scikit-learn's own transform and dot product."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.cosine import CosineScorer

TEXTS = [
    "stretch the hamstrings slowly after a warm walk",
    "sitting all day keeps the hamstrings short and tight",
    "a pillow between the knees keeps the hips level at night",
    "heat before stretching loosens tight muscles",
]
QUESTIONS = ["why are my hamstrings tight tight", "pillow knees night", "warm heat stretching"]


@pytest.mark.parametrize("analyzer", ["word", "char_wb"])
@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_equal_scikit_learn_transform_and_dot(analyzer: str, question: str) -> None:
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    matrix = vectorizer.fit_transform(TEXTS)
    expected = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
    scores = CosineScorer(vectorizer, matrix).scores(question)
    assert scores is not None
    np.testing.assert_allclose(scores, expected, atol=1e-12)


@pytest.mark.parametrize(
    "settings",
    [
        {"sublinear_tf": False},
        {"sublinear_tf": True, "norm": "l1"},
        {"sublinear_tf": True, "binary": True},
    ],
)
def test_a_vectorizer_made_another_way_is_refused_at_construction(
    settings: dict[str, object],
) -> None:
    vectorizer = TfidfVectorizer(**settings)
    matrix = vectorizer.fit_transform(TEXTS)
    with pytest.raises(ValueError, match="sublinear_tf=True"):
        CosineScorer(vectorizer, matrix)
