"""What answering produces: a retrieval `Hit`, and the `Answer` with its `Band`.

Plain data with no behaviour, shared by retrieval, the policy, the log and the responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chatbot.documents import Passage

Band = Literal["answer", "suggest", "fallback", "triage", "smalltalk"]


@dataclass(frozen=True)
class Hit:
    """A passage found for a question, with its confidence in [0, 1]."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Answer:
    """The bot's reply to one question; `text` is always quoted, never generated."""

    question: str
    band: Band
    answered: bool
    text: str
    confidence: float
    passage: Passage | None
    related: tuple[Passage, ...]
    disclaimer: str
