"""Focus: a question about another body part beside the site's subject ("can tight
hamstrings make my ankles hurt") is answered only by a passage that speaks of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.engine import Engine
from chatbot.policy import Policy

HAMSTRINGS = Path(__file__).parent / "fixtures" / "hamstrings"
POLICY = Policy(answer_threshold=0.115, suggest_threshold=0.05, default_disclaimer="Not advice.")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(HAMSTRINGS, POLICY)


def test_another_body_part_beside_the_subject_is_not_answered_by_a_passage_without_it(
    engine: Engine,
) -> None:
    answer = engine.ask("can tight hamstrings make my ankles hurt?")
    assert answer.band == "suggest"
    assert answer.passage is None


def test_a_passage_that_speaks_of_the_body_part_still_answers(engine: Engine) -> None:
    # The article says the hamstrings "bend the knee": a question about the knee and the
    # hamstrings may be answered from it.
    assert engine.retriever.scope.focus("do my hamstrings bend the knee?") == ["knee"]
    answer = engine.ask("do my hamstrings bend the knee?")
    assert answer.band == "answer"
    assert answer.passage is not None
    assert "knee" in answer.passage.text


def test_the_subject_alone_has_no_focus(engine: Engine) -> None:
    assert engine.retriever.scope.focus("why are my hamstrings tight?") == []
