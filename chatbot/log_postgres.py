"""The question log's PostgreSQL store (psycopg 3 and its pool), for several hosts sharing one log.

Each commit is synchronous (PostgreSQL's default `synchronous_commit = on`), so a
record is on the server's disk before the reply leaves, as with SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg
from psycopg_pool import ConnectionPool

from chatbot.log_rows import FEEDBACK_REASONS, FeedbackRow, QuestionRow
from chatbot.settings import redacted

# Why a thumbs-down was given; checked by the database too, as in SQLite.
REASON_COLUMN = "reason TEXT CHECK (reason IN ({}))".format(
    ", ".join(f"'{reason}'" for reason in FEEDBACK_REASONS)
)
# Run at every start: creates a new database's tables and leaves an existing one alone.
SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS questions (
        id TEXT PRIMARY KEY,
        asked_at TIMESTAMPTZ NOT NULL,
        question TEXT NOT NULL,
        band TEXT NOT NULL,
        answered BOOLEAN NOT NULL,
        passage_id TEXT,
        confidence DOUBLE PRECISION NOT NULL,
        seq BIGSERIAL
    )
    """,
    "CREATE INDEX IF NOT EXISTS questions_by_time ON questions (asked_at)",
    f"""
    CREATE TABLE IF NOT EXISTS feedback (
        id BIGSERIAL PRIMARY KEY,
        answer_id TEXT NOT NULL UNIQUE REFERENCES questions (id) ON DELETE CASCADE,
        helpful BOOLEAN NOT NULL,
        given_at TIMESTAMPTZ NOT NULL,
        {REASON_COLUMN}
    )
    """,
)
# Two hosts starting at once must not both create the tables.
SCHEMA_LOCK = 7_406_061_001
CONNECT_TIMEOUT = 10.0


def _has_reason(connection: psycopg.Connection[tuple[object, ...]]) -> bool:
    found = connection.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'feedback' AND column_name = 'reason'"
    ).fetchone()
    return found is not None


def add_missing_columns(connection: psycopg.Connection[tuple[object, ...]]) -> None:
    """Bring a log made before feedback had a reason up to date (nullable, so no row
    changes). Checked first: ALTER TABLE would lock the table at every start."""
    if not _has_reason(connection):
        connection.execute(f"ALTER TABLE feedback ADD COLUMN {REASON_COLUMN}")


def _read(
    connection: psycopg.Connection[tuple[object, ...]],
) -> tuple[list[QuestionRow], list[FeedbackRow]]:
    questions: list[QuestionRow] = [
        (str(r[0]), r[1], str(r[2]), str(r[3]), bool(r[4]), r[5], float(r[6]))  # type: ignore[misc, arg-type]
        for r in connection.execute(
            "SELECT id, asked_at, question, band, answered, passage_id, confidence "
            "FROM questions ORDER BY asked_at, seq"
        )
    ]
    # A database read as it is (export, report) may predate the reason column.
    query = (
        "SELECT answer_id, helpful, given_at, reason FROM feedback ORDER BY given_at, id"
        if _has_reason(connection)
        else "SELECT answer_id, helpful, given_at, NULL FROM feedback ORDER BY given_at, id"
    )
    feedback: list[FeedbackRow] = [
        (str(r[0]), bool(r[1]), r[2], None if r[3] is None else str(r[3]))  # type: ignore[misc]
        for r in connection.execute(query)
    ]
    return questions, feedback


def read_database(url: str) -> tuple[list[QuestionRow], list[FeedbackRow]]:
    """Read the log in a database without changing it."""
    with psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT)) as connection:
        return _read(connection)


class PostgresStore:
    """The log in a PostgreSQL database, through a small connection pool."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        self.where = redacted(url)
        # One plain connection first: an unreachable server fails at once with its own
        # message (the pool would retry until its timeout), and sets the schema up.
        with psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT)) as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in SCHEMA:
                connection.execute(statement)
            add_missing_columns(connection)
        self._pool = ConnectionPool(
            url, min_size=1, max_size=4, open=False, timeout=CONNECT_TIMEOUT, name="question-log"
        )
        self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)

    def insert_questions(self, rows: Sequence[QuestionRow]) -> None:
        """All rows in one transaction, committed when the block ends."""
        with self._pool.connection() as connection, connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO questions "
                "(id, asked_at, question, band, answered, passage_id, confidence) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )

    def add_feedback(
        self, answer_id: str, helpful: bool, given_at: datetime, reason: str | None = None
    ) -> bool:
        try:
            with self._pool.connection() as connection:
                # One vote per reply: the last, reason included, replaces the one before.
                connection.execute(
                    "INSERT INTO feedback (answer_id, helpful, given_at, reason) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (answer_id) DO UPDATE "
                    "SET helpful = excluded.helpful, given_at = excluded.given_at, "
                    "reason = excluded.reason",
                    (answer_id, helpful, given_at, reason),
                )
        except psycopg.errors.ForeignKeyViolation:
            return False
        return True

    def purge(self, cutoff: datetime) -> int:
        with self._pool.connection() as connection:
            cursor = connection.execute("DELETE FROM questions WHERE asked_at < %s", (cutoff,))
            return cursor.rowcount

    def load(self, questions: Sequence[QuestionRow], feedback: Sequence[FeedbackRow]) -> int:
        """Add records in one transaction, keeping any already there."""
        added = 0
        with self._pool.connection() as connection, connection.cursor() as cursor:
            for row in questions:
                cursor.execute(
                    "INSERT INTO questions "
                    "(id, asked_at, question, band, answered, passage_id, confidence) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    row,
                )
                added += cursor.rowcount
            cursor.executemany(
                "INSERT INTO feedback (answer_id, helpful, given_at, reason) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (answer_id) DO NOTHING",
                feedback,
            )
        return added

    def rows(self) -> tuple[list[QuestionRow], list[FeedbackRow]]:
        with self._pool.connection() as connection:
            return _read(connection)

    def close(self) -> None:
        self._pool.close()
