"""Small talk: greetings, thanks and "what can you do" get a short reply, not an answer."""

from __future__ import annotations

import pytest

from tests.conftest import AskJSON


@pytest.mark.parametrize(
    "question",
    [
        "hello",
        "Hi there!",
        "hey",
        "good evening",
        "thanks",
        "Thank you so much!",
        "thx",
        "thanks, that helped a lot",
        "hello, anyone there?",
        "what can you help me with",
        "what can you do?",
        "help",
        "who are you",
        "what can I ask you",
        "bye",
        "hey how's it going",
        "thank u",
        "cheers mate",
        "can you help me?",
        "what topics do you cover",
        "are you a real person",
        "ok",
        "cool",
    ],
)
def test_small_talk_gets_a_friendly_reply_naming_the_topics(ask: AskJSON, question: str) -> None:
    body = ask(question)
    assert body["band"] == "smalltalk"
    assert body["answered"] is False
    assert body["source"] is None
    assert "Wrist Stretches for Desk Workers" in body["answer"]
    assert "Looking After Your Feet" in body["answer"]
    assert body["disclaimer"]


@pytest.mark.parametrize(
    "question",
    [
        "hi, how do I stretch my wrists?",
        "thanks, and can stiff wrists cause forearm pain?",
        "cool down after exercise",
        "good posture",
        "help my wrists are stiff from typing",
    ],
)
def test_a_greeting_with_a_question_is_answered_as_a_question(ask: AskJSON, question: str) -> None:
    assert ask(question)["band"] != "smalltalk"
