"""The question log and feedback, kept in SQLite: what visitors asked and whether it helped.

Each record holds the time, the question, the outcome band, the quoted passage and the
confidence, and nothing about who asked (no address, cookie or user id). Every write
is committed (WAL journal, `synchronous=FULL`) before the caller answers, so a reply a
visitor received is never lost to a crash or a killed process.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.answers import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    band TEXT NOT NULL,
    answered INTEGER NOT NULL,
    passage_id TEXT,
    confidence REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_by_time ON questions (asked_at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    answer_id TEXT NOT NULL UNIQUE REFERENCES questions (id) ON DELETE CASCADE,
    helpful INTEGER NOT NULL,
    given_at TEXT NOT NULL
);
"""
logger = logging.getLogger(__name__)
# Purging is cheap but needs a write lock; once an hour is plenty for a retention in days.
PURGE_INTERVAL = timedelta(hours=1)

Clock = Callable[[], datetime]
FileIdentity = tuple[int, int] | None


def utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    """UTC ISO 8601 to the second: sorts as text, so SQLite compares it directly."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware; use datetime.now(UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class QuestionLogError(Exception):
    """The log's file cannot be created or opened."""


@dataclass(frozen=True)
class LoggedQuestion:
    id: str
    asked_at: datetime
    question: str
    band: str
    answered: bool
    passage_id: str | None
    confidence: float


@dataclass(frozen=True)
class LoggedFeedback:
    answer_id: str
    helpful: bool
    given_at: datetime


@dataclass(frozen=True)
class LogSnapshot:
    """Everything in the log at one moment, for the report."""

    questions: tuple[LoggedQuestion, ...]
    feedback: tuple[LoggedFeedback, ...]


def _open(path: Path) -> sqlite3.Connection:
    # Autocommit: each statement is its own transaction, committed when execute returns.
    # Not tied to the opening thread: the log's pool hands it to one thread at a time.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection, for reading a log without keeping it open."""
    connection = _open(path)
    try:
        yield connection
    finally:
        connection.close()


def _snapshot(connection: sqlite3.Connection) -> LogSnapshot:
    questions = tuple(
        LoggedQuestion(
            id=row[0],
            asked_at=datetime.fromisoformat(row[1]),
            question=row[2],
            band=row[3],
            answered=bool(row[4]),
            passage_id=row[5],
            confidence=float(row[6]),
        )
        for row in connection.execute(
            "SELECT id, asked_at, question, band, answered, passage_id, confidence "
            "FROM questions ORDER BY asked_at, rowid"
        )
    )
    feedback = tuple(
        LoggedFeedback(row[0], bool(row[1]), datetime.fromisoformat(row[2]))
        for row in connection.execute(
            "SELECT answer_id, helpful, given_at FROM feedback ORDER BY given_at, id"
        )
    )
    return LogSnapshot(questions, feedback)


class QuestionLog:
    """The writable log a server keeps; safe to share between request threads.

    Writes reuse pooled connections: opening one costs several times the insert itself.
    """

    def __init__(self, path: Path, retention_days: int, clock: Clock = utc_now) -> None:
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1 (CHATBOT_RETENTION_DAYS)")
        self.path = path
        self.retention = timedelta(days=retention_days)
        self._clock = clock
        self._purge_lock = threading.Lock()
        # Idle connections, each with the identity of the file it opened.
        self._idle: queue.SimpleQueue[tuple[sqlite3.Connection, FileIdentity]] = queue.SimpleQueue()
        self._pool_lock = threading.Lock()
        self._closed = False
        self._last_purge = self._clock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.purge()  # Its connection, the first, also sets the file up.
        except (OSError, sqlite3.Error) as error:
            raise QuestionLogError(
                f"cannot open the question log at {path} ({error}): point CHATBOT_DB at a "
                "writable file, or set CHATBOT_LOG_QUESTIONS=0"
            ) from error

    def record(self, answer: Answer) -> str:
        """Log one reply and return its id (the `answer_id`), once it is on disk."""
        record_id = uuid.uuid4().hex
        now = self._clock()
        passage_id = answer.passage.id if answer.passage is not None else None
        row = (
            record_id,
            _timestamp(now),
            answer.question,
            answer.band,
            int(answer.answered),
            passage_id,
            answer.confidence,
        )
        with self._connection() as connection:
            connection.execute("INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        if now - self._last_purge >= PURGE_INTERVAL:
            try:
                self.purge()
            except sqlite3.Error:  # The record is safe; the purge is retried in an hour.
                logger.exception("could not purge old records from %s", self.path)
        return record_id

    def add_feedback(self, answer_id: str, helpful: bool) -> bool:
        """Record thumbs up or down; False when no logged reply has that id.

        One vote per reply: a visitor who changes their mind replaces their vote, and
        repeated clicks count once.
        """
        row = (answer_id, int(helpful), _timestamp(self._clock()))
        with self._connection() as connection:
            try:
                connection.execute(
                    "INSERT INTO feedback (answer_id, helpful, given_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (answer_id) DO UPDATE "
                    "SET helpful = excluded.helpful, given_at = excluded.given_at",
                    row,
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def purge(self) -> int:
        """Delete records (and their feedback) older than the retention period."""
        with self._purge_lock:
            now = self._clock()
            self._last_purge = now
            cutoff = _timestamp(now - self.retention)
            with self._connection() as connection:
                cursor = connection.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
            return cursor.rowcount

    def snapshot(self) -> LogSnapshot:
        with self._connection() as connection:
            return _snapshot(connection)

    def close(self) -> None:
        """Close the pooled connections, and those in use as they come back."""
        with self._pool_lock:
            self._closed = True
            while True:
                try:
                    self._idle.get_nowait()[0].close()
                except queue.Empty:
                    return

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection, used by one thread at a time and returned after."""
        # Taken before any opening: if the file moves meanwhile, the next use reopens.
        identity = _file_identity(self.path)
        try:
            connection, opened = self._idle.get_nowait()
            if opened != identity:
                # The file was moved or deleted: writing on would lose the records.
                connection.close()
                raise queue.Empty
        except queue.Empty:
            connection = self._open_log()
            # A file that did not exist has just been created; there was no old one to
            # confuse it with.
            opened = identity if identity is not None else _file_identity(self.path)
        try:
            yield connection
        except sqlite3.IntegrityError:  # A refused row leaves the connection sound.
            self._release(connection, opened)
            raise
        except BaseException:
            connection.close()  # In an unknown state: not worth keeping.
            raise
        else:
            self._release(connection, opened)

    def _open_log(self) -> sqlite3.Connection:
        connection = _open(self.path)
        try:
            # Sets up a new file, the first or one started afresh after rotation.
            connection.execute("PRAGMA journal_mode = WAL")  # Stored in the file itself.
            connection.executescript(SCHEMA)
        except BaseException:
            connection.close()
            raise
        return connection

    def _release(self, connection: sqlite3.Connection, opened: FileIdentity) -> None:
        with self._pool_lock:
            if self._closed:
                connection.close()
            else:
                self._idle.put((connection, opened))


def _file_identity(path: Path) -> FileIdentity:
    """The file's device and inode, or None when there is no file."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def read_log(path: Path) -> LogSnapshot:
    """Read an existing log without changing it; raises FileNotFoundError if there is none."""
    if not path.is_file():
        raise FileNotFoundError(f"no question log at {path}")
    with _connect(path) as connection:
        return _snapshot(connection)


def record_answer(log: QuestionLog | None, answer: Answer) -> str | None:
    """Log a reply, on disk before it leaves; its id, or None when it is not logged."""
    if log is None:
        return None
    try:
        return log.record(answer)
    except sqlite3.Error:
        # The visitor still gets the answer; its id is then not in the log.
        logger.exception("could not write the question log at %s", log.path)
        return None
