"""Follow-up questions: a short question that leans on the one before it ("and how
often?", "what about after a run?", "is that safe?") is searched together with it.

A question that names a subject of its own is a new question and is searched alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# A follow-up is short: past this many words a question carries its own subject.
MAX_FOLLOW_UP_WORDS = 8
# Openings that lean on the last question even when the follow-up names a subject of
# its own ("what about my calves?", "and the hamstrings?").
_LEANS_ON_THE_LAST = re.compile(r"^(and|also|but|so|then|what about|how about|what if)\b")


def search_text(
    question: str, history: Sequence[str], names_a_subject: Callable[[str], bool]
) -> str:
    """The text to search for `question` asked after `history` (oldest first): the
    question alone, or, for a short follow-up without a subject of its own, the last
    question that had one, then the follow-up."""
    words = re.findall(r"[a-z0-9']+", question.lower())
    if not history or not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return question
    if names_a_subject(question) and not _LEANS_ON_THE_LAST.match(" ".join(words)):
        return question
    earlier = next((q for q in reversed(history) if names_a_subject(q)), None)
    return f"{earlier} {question}" if earlier else question
