"""The copied English stop-word list stays scikit-learn's own."""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SCIKIT_LEARN_STOP_WORDS

from chatbot.vocabulary import ENGLISH_STOP_WORDS


def test_the_copied_stop_words_are_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SCIKIT_LEARN_STOP_WORDS
