"""The question log's rows as its stores read and write them, whichever the database."""

from __future__ import annotations

from datetime import datetime

# id, asked_at, question, band, answered, passage_id, confidence
QuestionRow = tuple[str, datetime, str, str, bool, str | None, float]
# answer_id, helpful, given_at
FeedbackRow = tuple[str, bool, datetime]
