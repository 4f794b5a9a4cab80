"""Follow-ups: a short question leaning on the last one is understood with it; a full
new question is not changed by the conversation before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatbot.engine import Engine
from chatbot.followup import search_text
from chatbot.policy import Policy

HAMSTRINGS = Path(__file__).parent / "fixtures" / "hamstrings"
POLICY = Policy(answer_threshold=0.115, suggest_threshold=0.05, default_disclaimer="Not advice.")


def knows(subjects: set[str]) -> object:
    return lambda text: any(s in text.lower() for s in subjects)


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        (
            "and how long?",
            ["how do I stretch my hamstrings"],
            "how do I stretch my hamstrings and how long?",
        ),
        (
            "is that safe?",
            ["hi", "how do I stretch my hamstrings"],
            "how do I stretch my hamstrings is that safe?",
        ),
        (
            "what about my calves?",
            ["how do I stretch my hamstrings"],
            "how do I stretch my hamstrings what about my calves?",
        ),
        (
            "why are my hamstrings tight?",
            ["how do I stretch my calves"],
            "why are my hamstrings tight?",
        ),
        ("and how long?", [], "and how long?"),
        ("and how long?", ["hello"], "and how long?"),
    ],
)
def test_what_a_question_is_searched_with(question: str, history: list[str], expected: str) -> None:
    assert search_text(question, history, knows({"hamstring", "calves"})) == expected  # type: ignore[arg-type]


def test_a_long_question_is_never_a_follow_up() -> None:
    question = "and how long should I keep doing it every single day of the week please"
    assert search_text(question, ["how do I stretch"], knows({"stretch"})) == question  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(HAMSTRINGS, POLICY)


def test_a_follow_up_is_answered_from_the_last_questions_subject(clinic_dir: Path) -> None:
    engine = Engine.build(clinic_dir, POLICY)
    alone = engine.ask("and how often?")
    after_feet = engine.ask("and how often?", ["how should I trim my toenails"])
    assert alone.band == "fallback"
    assert after_feet.band == "answer"
    assert after_feet.passage is not None
    assert after_feet.passage.anchor == "faq-how-often-should-i-trim-my-toenails"
    assert after_feet.question == "and how often?"


def test_a_new_question_is_not_changed_by_the_conversation(engine: Engine) -> None:
    question = "How long should I hold a hamstring stretch?"
    assert engine.ask(question, ["Why are my hamstrings tight?"]) == engine.ask(question)


def test_a_red_flag_in_a_follow_up_is_still_triaged(engine: Engine) -> None:
    assert engine.ask("and I fell off my bike", ["how do I stretch"]).band == "triage"


def test_ask_accepts_the_conversations_questions(client: TestClient) -> None:
    body = {"question": "and how often?", "history": ["How do I stretch my wrists?"]}
    response = client.post("/ask", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["question"] == "and how often?"


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (["q"] * 11, "history"),
        ([""], "must not be empty"),
        ("not a list", "history"),
    ],
)
def test_ask_refuses_a_history_it_cannot_use(
    client: TestClient, history: object, message: str
) -> None:
    response = client.post("/ask", json={"question": "hello", "history": history})
    assert response.status_code == 422
    assert message in response.json()["detail"]
