"""What helps a knowledge base with no synonyms or alternates of its own: the story
around a question weighs less than the question, contractions and two-letter words are
no subjects, and a body part the articles are about counts in any form."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.engine import Engine
from chatbot.policy import Policy
from chatbot.scope import load_scope
from chatbot.vocabulary import RARITY_FLOOR, STOP_WORDS, rarity

HAMSTRINGS = Path(__file__).parent / "fixtures" / "hamstrings"
POLICY = Policy(answer_threshold=0.115, suggest_threshold=0.05, default_disclaimer="Not advice.")
FAQ = "stretching-your-hamstrings#faq-why-are-my-hamstrings-tight"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(HAMSTRINGS, POLICY)


def test_the_story_around_a_question_weighs_less_than_the_question(engine: Engine) -> None:
    story = "I commute by motorbike and play badminton on weekends. Why are my hamstrings tight?"
    told = engine.ask(story)
    assert told.band == "answer"
    assert told.passage is not None
    assert told.passage.id == FAQ
    # The same unknown words asked about, rather than told, lower confidence more.
    asked = engine.retriever.search(
        "why are my hamstrings tight from motorbike and badminton weekends", k=1
    )
    assert asked[0].score < told.confidence


def test_a_message_without_a_question_sentence_is_not_discounted(engine: Engine) -> None:
    # With no sentence that asks, every sentence counts as the question.
    told = engine.retriever.search("I ride a motorbike. My hamstrings are tight.", k=1)
    asked = engine.retriever.search("I ride a motorbike and my hamstrings are tight", k=1)
    assert told[0].score == pytest.approx(asked[0].score, rel=0.05)


@pytest.mark.parametrize("word", ["didnt", "wasnt", "havent", "shouldnt", "shud", "gonna"])
def test_contractions_and_texting_forms_are_stop_words(word: str) -> None:
    assert word in STOP_WORDS


@pytest.mark.parametrize("word", ["oa", "tv", "x"])
def test_a_word_of_two_letters_is_no_telling_subject(word: str) -> None:
    assert rarity(word) == RARITY_FLOOR


def test_a_body_part_is_a_subject_in_its_plural_and_abbreviated_forms(tmp_path: Path) -> None:
    (tmp_path / "knee.md").write_text(
        "---\ntitle: Exercise for a Sore Knee\n---\n\n## Quadriceps Work\n\n"
        "Tighten the thigh muscle and hold it for five seconds.\n"
    )
    engine = Engine.build(tmp_path, POLICY)
    scope = load_scope(tmp_path, engine.knowledge)
    assert scope.outside("will exercise wear my knees out") == []
    assert scope.outside("how do I work my quads") == []
    assert scope.outside("my neck is stiff") == ["neck"]


def test_everyday_synonyms_ship_with_the_package_and_a_folder_overrides_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "feet.md").write_text(
        "---\ntitle: Feet\n---\n\n## Shoes\n\nShoes with a firm heel support the arch.\n"
    )
    engine = Engine.build(tmp_path, POLICY)
    assert engine.knowledge.synonyms["trainers"] == "shoes"
    (tmp_path / "synonyms.yaml").write_text("heel: [trainers]\n")
    assert Engine.build(tmp_path, POLICY).knowledge.synonyms["trainers"] == "heel"
