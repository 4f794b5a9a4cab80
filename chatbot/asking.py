"""What a message asks: its sentences, split into those that ask a question and those
that tell the story around it ("I'm 52 and cycle to work. Is there anything I can do?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentences end at . ! ? before a space, at a line break, or at dots run together
# ("back problem..Can you", "it hurts… what now"), unless a ? or ! ends them there
# ("tight from cycling..?"); one that opens like this asks something.
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+|(?:\.{2,}|…)(?![.!?…])")
_WORD = re.compile(r"\w")
_QUESTION_OPENING = re.compile(
    r"^(?:how|what|why|when|where|which|who|is|are|am|can|could|should|does|do|did|will|"
    r"would|any|anything|has|have)\b"
)
# A question this short ("Why?", "And?") leans on the rest; it is no question of its own.
MIN_QUESTION_WORDS = 3


@dataclass(frozen=True)
class Message:
    asked: tuple[str, ...]
    told: tuple[str, ...]


def read_message(text: str) -> Message:
    """The sentences of `text` that ask, and those that only tell."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if _WORD.search(s)]
    asked = tuple(s for s in sentences if asks(s))
    return Message(asked, tuple(s for s in sentences if s not in asked))


def asks(sentence: str) -> bool:
    """Whether a sentence is a question: it ends with "?" or opens like one."""
    text = sentence.strip()
    plain = re.sub(r"[’']", "", text.lower())
    return text.endswith("?") or bool(_QUESTION_OPENING.match(plain))


def questions_of(text: str) -> tuple[str, ...]:
    """The questions a message asks, each on its own, when it asks several or tells a
    story around the one it asks; () when the message is a question and nothing else.
    A question of fewer than MIN_QUESTION_WORDS words ("Why?") is not one of its own."""
    message = read_message(text)
    asked = [s for s in message.asked if len(s.split()) >= MIN_QUESTION_WORDS]
    return tuple(asked) if len(asked) > 1 or (asked and message.told) else ()
