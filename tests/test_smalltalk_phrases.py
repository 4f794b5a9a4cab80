"""Small talk made of several phrases ("hello, what can you do?") is still small talk."""

from __future__ import annotations

import timeit
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatbot.app import create_app
from chatbot.settings import Settings
from chatbot.smalltalk import chat_rule, load_smalltalk

KNOWLEDGE = Path("tests/fixtures/knowledge")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("log") / "q.db"
    return TestClient(create_app(Settings(knowledge_dir=KNOWLEDGE, db=db)))


def _band(client: TestClient, question: str) -> str:
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200, response.text
    band: str = response.json()["band"]
    return band


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("hello, what can you do?", "capabilities"),
        ("hi, what can you do", "capabilities"),
        ("hey! who are you?", "capabilities"),
        ("hello there, thanks", "thanks"),
        ("good morning! what topics do you cover?", "capabilities"),
        ("ok, bye", "goodbye"),
        ("hi hi, thank you so much", "thanks"),
    ],
)
def test_greeting_then_more_small_talk_gets_the_reply_for_the_last_phrase(
    client: TestClient, question: str, reply: str
) -> None:
    assert _band(client, question) == "smalltalk"
    rule = chat_rule(question, load_smalltalk(KNOWLEDGE))
    assert rule is not None
    assert rule.reply == reply


@pytest.mark.parametrize(
    "question",
    [
        "hi, how do I stretch?",
        "hello, can I use soap on cast iron?",
        "thanks, and what oil should I use?",
        "hey, who are you to tell me about rust",
        "good, now how do I season a pan",
        "cool down after exercise",
    ],
)
def test_a_phrase_that_is_not_small_talk_sends_the_question_to_the_search(
    client: TestClient, question: str
) -> None:
    assert _band(client, question) != "smalltalk"
    assert chat_rule(question, load_smalltalk(KNOWLEDGE)) is None


def test_one_phrase_small_talk_still_matches_whole() -> None:
    rules = load_smalltalk(KNOWLEDGE)
    rule = chat_rule("Hi there!", rules)
    assert rule is not None
    assert rule.reply == "greeting"
    assert chat_rule("", rules) is None


def test_splitting_a_long_ordinary_question_stays_cheap() -> None:
    rules = load_smalltalk(KNOWLEDGE)
    question = "why does my cast iron pan rust after washing it with soap"
    seconds = min(timeit.repeat(lambda: chat_rule(question, rules), number=20, repeat=3)) / 20
    assert seconds < 0.005
