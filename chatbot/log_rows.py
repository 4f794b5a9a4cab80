"""The question log's rows as its stores read and write them, whichever the database."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

# Why a reply did not help, given with a thumbs-down (or not at all): a fixed set, so
# the report can count them; `POST /feedback`, both stores and `import-log` accept these.
FeedbackReason = Literal["wrong", "unanswered", "too_general"]
FEEDBACK_REASONS: tuple[str, ...] = get_args(FeedbackReason)

# id, asked_at, question, band, answered, passage_id, confidence
QuestionRow = tuple[str, datetime, str, str, bool, str | None, float]
# answer_id, helpful, given_at, reason (None without one)
FeedbackRow = tuple[str, bool, datetime, str | None]
