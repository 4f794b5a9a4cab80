"""The TF-IDF model fitted by scikit-learn, scored by hand: the same cosines as its own
transform and dot product; the character n-grams of a query are its analyzer's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.cosine import CosineScorer, Tfidf, char_wb_ngrams

TEXTS = [
    "stretch the hamstrings slowly after a warm walk",
    "sitting all day keeps the hamstrings short and tight",
    "a pillow between the knees keeps the hips level at night",
    "heat before stretching loosens tight muscles",
    "a an i  x",
]
QUESTIONS = ["why are my hamstrings tight tight", "pillow knees night", "warm heat stretching"]


def split_words(text: object) -> list[str]:
    return str(text).split()


@pytest.mark.parametrize("text", [*TEXTS, "", "ab", "  spaced   out\twords "])
def test_character_ngrams_are_scikit_learns(text: str) -> None:
    analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False)
    assert char_wb_ngrams(text) == analyze.build_analyzer()(text)


@pytest.mark.parametrize("analyzer", ["word", "char_wb"])
def test_the_fitted_model_is_scikit_learns(analyzer: str) -> None:
    if analyzer == "word":
        vectorizer = TfidfVectorizer(analyzer=split_words, sublinear_tf=True)
        model = Tfidf.fit(TEXTS, split_words)
    else:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
        )
        model = Tfidf.fit(TEXTS, char_wb_ngrams)
    expected = vectorizer.fit_transform(TEXTS)
    assert model.features == list(vectorizer.get_feature_names_out())
    np.testing.assert_allclose(model.idf, vectorizer.idf_, rtol=1e-15)
    np.testing.assert_allclose(model.matrix.toarray(), expected.toarray(), atol=1e-15)


@pytest.mark.parametrize("by_rows", [False, True])
@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_equal_scikit_learn_transform_and_dot(question: str, by_rows: bool) -> None:
    vectorizer = TfidfVectorizer(analyzer=split_words, sublinear_tf=True)
    matrix = vectorizer.fit_transform(TEXTS)
    expected = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
    model = Tfidf.fit(TEXTS, split_words)
    scorer = CosineScorer(split_words, model.features, model.idf, model.matrix, by_rows=by_rows)
    rows = np.asarray([4, 0, 2])
    query = scorer.query(question)
    assert query is not None
    scores = scorer.rows_dot(rows, *query)
    np.testing.assert_allclose(scores, expected[rows], atol=1e-12)
    every = scorer.scores(question)
    assert every is not None
    np.testing.assert_allclose(every, expected, atol=1e-12)


def test_a_query_of_unknown_features_scores_nothing() -> None:
    model = Tfidf.fit(TEXTS, split_words)
    scorer = CosineScorer(split_words, model.features, model.idf, model.matrix, by_rows=True)
    assert scorer.query("zebra quagga") is None
    assert scorer.scores("zebra quagga") is None
