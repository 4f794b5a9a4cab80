"""The copied stop words and the English word list are what the libraries give."""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SCIKIT_LEARN_STOP_WORDS

from chatbot.vocabulary import ENGLISH_STOP_WORDS


def test_the_copied_stop_words_are_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SCIKIT_LEARN_STOP_WORDS


def test_the_english_word_list_is_pyspellcheckers() -> None:
    from spellchecker import SpellChecker

    from chatbot.vocabulary import english

    reference = SpellChecker(language="en", distance=1).word_frequency
    words = english()
    assert words.total_words == reference.total_words
    for word in ["people", "balance", "ballance", "neck", "zzzqx", "hip", "the"]:
        assert (word in words) == (word in reference)
        assert words[word] == reference[word]
