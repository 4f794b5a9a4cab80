"""What kind of answer a question asks for, and whether a passage gives that kind.

"How often…" wants a frequency, "how long…" a duration, "how many…" a count, "when
should…" or "morning or night" a time, "what causes…" a cause, "how do I know if…" the
signs of something. A passage that gives no answer of the kind asked is offered as a
suggestion, not quoted as the answer. Questions of any other kind are not constrained.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["frequency", "duration", "count", "timing", "cause", "signs"]

_NUMBER = (
    r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|few|"
    r"several|couple of)"
)
_UNIT = r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|nights?)"
# The first kind that matches is the one asked for: "how long after surgery" is a duration.
_ASKS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        "frequency",
        re.compile(r"\bhow (often|frequently|many times)\b|\bhow many (days|sessions) a\b"),
    ),
    (
        "duration",
        re.compile(rf"\bhow long\b|\bhow many {_UNIT}\b|\bfor how (long|many)\b|\bhow much time\b"),
    ),
    ("count", re.compile(r"\bhow many\b")),
    (
        "timing",
        re.compile(
            r"^when (should|do|is|can|will|to|would)\b|\bwhat time\b|\bbefore or after\b"
            r"|\b(morning|day) or (at )?(night|evening)\b|\bbest time\b"
        ),
    ),
    (
        "cause",
        re.compile(
            r"\bwhat (causes|caused|makes|made|leads to|triggers)\b"
            r"|\b(cause|causes|reason) (of|for)\b"
            r"|\bwhy (do|does|did|would)( \w+){1,4} (get|go|become|tighten|stiffen|flare)\b"
        ),
    ),
    (
        "signs",
        re.compile(r"\bhow (do|can|would|will) (i|you|we) (know|tell)\b|\b(signs?|symptoms?) of\b"),
    ),
)
# What a passage says when it gives each kind of answer.
_GIVES: dict[AnswerType, re.Pattern[str]] = {
    "frequency": re.compile(
        rf"\b(daily|weekly|every (day|week|morning|night|evening|other day|{_NUMBER} \w+)|"
        rf"once|twice|{_NUMBER} times|times a (day|week)|a day|a week|per (day|week)|"
        r"each (day|week|morning|night|evening)|regularly|most days)\b"
    ),
    "duration": re.compile(
        rf"\b{_NUMBER}( to | or |-)?(\d+ )?{_UNIT}\b|\b(seconds?|minutes?|hours?|days?|weeks?|"
        r"months?)\b"
    ),
    "count": re.compile(rf"\b{_NUMBER}\b"),
    "timing": re.compile(
        r"\b(before|after|during|morning|evening|night|bedtime|when|until|while|if|"
        r"first thing|as soon as)\b"
    ),
    "cause": re.compile(
        r"\b(because|caus\w*|due to|lead(s|ing)? to|result\w*|reason\w*|from|when|if|"
        r"contribut\w*|trigger\w*|make|makes)\b"
    ),
    "signs": re.compile(
        r"\b(signs?|symptoms?|feel\w*|notice\w*|tell|know|may|might|if you|when you)\b"
    ),
}
# A numbered list's own numbers ("1. Sit…") say nothing about how often or how long.
_STEP_NUMBER = re.compile(r"(?m)^\s*\d+\.\s+")


def asked_type(question: str) -> AnswerType | None:
    """The kind of answer `question` asks for, or None when it asks for no one kind."""
    text = " ".join(re.sub(r"[^a-z0-9 ]+", " ", question.lower()).split())
    return next((kind for kind, pattern in _ASKS if pattern.search(text)), None)


def gives(kind: AnswerType, text: str) -> bool:
    """Whether a passage's text gives an answer of that kind."""
    return bool(_GIVES[kind].search(_STEP_NUMBER.sub("", text).lower()))
