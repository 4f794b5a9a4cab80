"""Finding what a message asks: the sentences that ask, the story around them, and a
message of several questions answered with the others offered next."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.asking import asks, questions_of, read_message
from chatbot.engine import Engine
from chatbot.policy import Policy

HAMSTRINGS = Path(__file__).parent / "fixtures" / "hamstrings"
POLICY = Policy(answer_threshold=0.115, suggest_threshold=0.05, default_disclaimer="Not advice.")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Is there anything I can do in the evenings?", True),
        ("how do i stretch", True),
        ("Can't sleep on my side", False),
        ("I'm 52 and I cycle to work.", False),
        ("Thanks for any help!", False),
    ],
)
def test_a_sentence_asks_when_it_ends_with_a_question_mark_or_opens_like_one(
    sentence: str, expected: bool
) -> None:
    assert asks(sentence) is expected


def test_a_message_is_read_as_its_story_and_its_questions() -> None:
    message = read_message(
        "I'm 52 and sit all day. Since spring my hips feel locked.\nIs there anything I can do?"
    )
    assert message.asked == ("Is there anything I can do?",)
    assert message.told == ("I'm 52 and sit all day.", "Since spring my hips feel locked.")


@pytest.mark.parametrize(
    ("text", "asked", "told"),
    [
        (
            "Hi..I sit all day at a computer..Can you suggest some stretches",
            ("Can you suggest some stretches",),
            ("Hi", "I sit all day at a computer"),
        ),
        ("it hurts… what now?", ("what now?",), ("it hurts",)),
        (
            "My hamstrings are tight from cycling..?",
            ("My hamstrings are tight from cycling..?",),
            (),
        ),
        ("....", (), ()),
    ],
)
def test_dots_run_together_end_a_sentence_unless_a_question_mark_ends_it(
    text: str, asked: tuple[str, ...], told: tuple[str, ...]
) -> None:
    message = read_message(text)
    assert (message.asked, message.told) == (asked, told)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Why are my hamstrings tight? How long should I hold a stretch?",
            ("Why are my hamstrings tight?", "How long should I hold a stretch?"),
        ),
        ("Why are my hamstrings tight?", ()),
        ("Why are my hamstrings tight? Why?", ()),
        (
            "I sit at a desk all week. Why are my hamstrings tight?",
            ("Why are my hamstrings tight?",),
        ),
        ("I sit at a desk all week. Why?", ()),
    ],
)
def test_the_separate_questions_of_a_message(text: str, expected: tuple[str, ...]) -> None:
    assert questions_of(text) == expected


def test_several_questions_get_one_answer_and_the_others_as_related() -> None:
    engine = Engine.build(HAMSTRINGS, POLICY)
    answer = engine.ask("Why are my hamstrings tight? Should a hamstring stretch hurt?")
    assert answer.band == "answer"
    assert answer.passage is not None
    anchors = {answer.passage.anchor, *(p.anchor for p in answer.related)}
    assert {"faq-why-are-my-hamstrings-tight", "faq-should-a-hamstring-stretch-hurt"} <= anchors
    assert answer.passage not in answer.related


def test_a_question_told_inside_a_story_is_answered_as_asked() -> None:
    engine = Engine.build(HAMSTRINGS, POLICY)
    message = (
        "Running and cycling every weekend leave my hamstrings feeling tight when I stand "
        "up and walk. Should a hamstring stretch hurt?"
    )
    answer = engine.ask(message)
    assert answer.band == "answer"
    assert answer.passage is not None
    assert answer.passage.anchor == "faq-should-a-hamstring-stretch-hurt"
    assert answer.question == message


@pytest.mark.parametrize(
    "message",
    [
        "My neck is stiff from my pillow. How long should I hold a hamstring stretch?",
        "My baby will not settle at night. How long should I hold it?",
    ],
)
def test_a_question_cut_from_its_story_keeps_what_the_story_names(message: str) -> None:
    engine = Engine.build(HAMSTRINGS, POLICY)
    assert engine.ask(message).band != "answer"
