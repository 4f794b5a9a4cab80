"""A question that asks for a kind of answer (how often, how long, when, what causes,
how to tell) is answered only by a passage that gives that kind."""

from __future__ import annotations

import pytest

from chatbot.answer_types import asked_type, gives


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how often should I stretch my wrists?", "frequency"),
        ("How many times a week should I do it", "frequency"),
        ("how long should I hold each stretch", "duration"),
        ("how many minutes a day", "duration"),
        ("how many stretches are there", "count"),
        ("when should I ice it", "timing"),
        ("is it better to stretch in the morning or at night?", "timing"),
        ("before or after a run?", "timing"),
        ("what makes my wrists stiff in the first place", "cause"),
        ("why does my wrist get stiff at work", "cause"),
        ("how do I know if my wrist is strained", "signs"),
        ("what are the signs of a tight calf", "signs"),
        ("why should I stretch my wrists", None),
        ("how do I stretch my wrists", None),
        ("which muscles are people talking about when they say flexors", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("frequency", "Stretch your wrists twice a day.", True),
        ("frequency", "Do this routine daily.", True),
        ("frequency", "1. Hold the wrist.\n2. Bend it back.\n3. Let go.", False),
        ("frequency", "Regular stretching keeps the wrist supple.", False),
        ("frequency", "Stretch regularly through the day.", True),
        ("frequency", "Stretching keeps the wrist supple.", False),
        ("duration", "Hold each stretch for 30 seconds.", True),
        ("duration", "1. Hold the wrist.\n2. Bend it back.", False),
        ("count", "There are three stretches to try.", True),
        ("timing", "Stretch after work, when the muscles are warm.", True),
        ("timing", "Stretching keeps the wrist supple.", False),
        ("cause", "Typing for hours keeps the tendons under load, which leads to stiffness.", True),
        ("cause", "A wrist stretch takes one minute.", False),
        ("signs", "You may feel a dull ache on the back of the hand.", True),
    ],
)
def test_whether_a_passage_gives_that_kind(kind: str, text: str, expected: bool) -> None:
    assert gives(kind, text) is expected  # type: ignore[arg-type]
