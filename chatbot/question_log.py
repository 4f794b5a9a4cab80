"""The question log and feedback: what visitors asked and whether it helped.

Each record holds the time, the question, the outcome band, the quoted passage and the
confidence, and nothing about who asked (no address, cookie or user id). Every record
is committed to disk before the caller answers, so a reply a visitor received is never
lost to a crash or a killed process; replies written at the same moment share one
transaction and one fsync (group commit).
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from chatbot.answers import Answer
from chatbot.log_rows import FEEDBACK_REASONS, FeedbackRow, QuestionRow
from chatbot.log_sqlite import SQLiteStore, read_file

logger = logging.getLogger(__name__)
# Purging is cheap but needs a write lock; once an hour is plenty for a retention in days.
PURGE_INTERVAL = timedelta(hours=1)
# One transaction takes at most this many records: a burst commits in a few steps
# rather than holding the write lock for one long one.
MAX_BATCH = 256

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class QuestionLogError(Exception):
    """The log's file or database cannot be created or opened."""


class Store(Protocol):
    """Where the records live: an SQLite file or a PostgreSQL database."""

    errors: tuple[type[Exception], ...]
    where: str

    def insert_questions(self, rows: Sequence[QuestionRow]) -> None: ...
    def add_feedback(
        self, answer_id: str, helpful: bool, given_at: datetime, reason: str | None = None
    ) -> bool: ...
    def purge(self, cutoff: datetime) -> int: ...
    def load(self, questions: Sequence[QuestionRow], feedback: Sequence[FeedbackRow]) -> int: ...
    def rows(self) -> tuple[list[QuestionRow], list[FeedbackRow]]: ...
    def close(self) -> None: ...


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
    reason: str | None = None  # one of FEEDBACK_REASONS, only with a thumbs-down


@dataclass(frozen=True)
class LogSnapshot:
    """Everything in the log at one moment, for the report."""

    questions: tuple[LoggedQuestion, ...]
    feedback: tuple[LoggedFeedback, ...]


def _snapshot(rows: tuple[list[QuestionRow], list[FeedbackRow]]) -> LogSnapshot:
    questions, feedback = rows
    return LogSnapshot(
        tuple(LoggedQuestion(*row) for row in questions),
        tuple(LoggedFeedback(*row) for row in feedback),
    )


def is_database_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_store(target: Path | str) -> Store:
    """The store for a file path or a `postgresql://` URL."""
    if is_database_url(target):
        from chatbot.log_postgres import PostgresStore  # psycopg only when asked for

        return PostgresStore(str(target))
    return SQLiteStore(Path(target))


class GroupCommit:
    """One writer thread commits whatever records have queued, in one transaction.

    Each caller waits on its own record's future, resolved only after the commit that
    holds it returns; so a reply still leaves only once its record is on disk, but
    concurrent replies share a single fsync instead of queueing for one each.
    """

    def __init__(self, commit: Callable[[Sequence[QuestionRow]], None]) -> None:
        self._commit = commit
        self._queue: queue.SimpleQueue[tuple[QuestionRow, Future[None]] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name="question-log-writer", daemon=True)
        self._thread.start()

    def submit(self, row: QuestionRow) -> Future[None]:
        done: Future[None] = Future()
        self._queue.put((row, done))
        return done

    def stop(self) -> None:
        """Commit what has queued, then end the thread."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._commit([row for row, _ in batch])
            except BaseException as error:  # every caller of the batch hears of it
                for _, done in batch:
                    done.set_exception(error)
            else:
                for _, done in batch:
                    done.set_result(None)


class QuestionLog:
    """The writable log a server keeps; safe to share between threads and event loops."""

    def __init__(self, target: Path | str, retention_days: int, clock: Clock = utc_now) -> None:
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1 (CHATBOT_RETENTION_DAYS)")
        self.retention = timedelta(days=retention_days)
        self._clock = clock
        self._purge_lock = threading.Lock()
        self._last_purge = self._clock()
        try:
            self.store = open_store(target)
        except ImportError as error:
            raise QuestionLogError(
                f"a PostgreSQL question log needs psycopg: pip install 'chatbot[postgres]' "
                f"({error})"
            ) from error
        except Exception as error:
            where = target if isinstance(target, Path) else _hide_password(target)
            setting = "CHATBOT_DATABASE_URL" if is_database_url(target) else "CHATBOT_DB"
            raise QuestionLogError(
                f"cannot open the question log at {where} ({error}): point {setting} at a "
                "writable log, or set CHATBOT_LOG_QUESTIONS=0"
            ) from error
        self.where = self.store.where
        # The database's own errors: a failed write the caller may survive.
        self.errors: tuple[type[Exception], ...] = self.store.errors
        try:
            self.purge()
        except self.errors as error:
            self.store.close()
            raise QuestionLogError(
                f"cannot purge the question log at {self.where}: {error}"
            ) from error
        self._writer = GroupCommit(self.store.insert_questions)

    def _row(self, answer: Answer) -> QuestionRow:
        passage_id = answer.passage.id if answer.passage is not None else None
        return (
            uuid.uuid4().hex,
            self._clock(),
            answer.question,
            answer.band,
            answer.answered,
            passage_id,
            answer.confidence,
        )

    def record(self, answer: Answer) -> str:
        """Log one reply and return its id (the `answer_id`), once it is on disk."""
        row = self._row(answer)
        if self._writer.running:
            self._writer.submit(row).result()
        else:  # After close: a request still in flight writes on its own.
            self.store.insert_questions([row])
        self._purge_if_due(row[1])
        return row[0]

    async def record_async(self, answer: Answer) -> str:
        """As `record`, without holding the event loop while the commit runs."""
        row = self._row(answer)
        if self._writer.running:
            await asyncio.wrap_future(self._writer.submit(row))
        else:
            await asyncio.to_thread(self.store.insert_questions, [row])
        if row[1] - self._last_purge >= PURGE_INTERVAL:
            await asyncio.to_thread(self._purge_if_due, row[1])
        return row[0]

    def _purge_if_due(self, now: datetime) -> None:
        if now - self._last_purge < PURGE_INTERVAL:
            return
        try:
            self.purge()
        except self.errors:  # The record is safe; the purge is retried in an hour.
            logger.exception("could not purge old records from %s", self.where)

    def add_feedback(self, answer_id: str, helpful: bool, reason: str | None = None) -> bool:
        """Record thumbs up or down, and why not; False when no logged reply has that id.

        One vote per reply: a visitor who changes their mind replaces their vote (its
        reason too), and repeated clicks count once.
        """
        check_reason(helpful, reason)
        return self.store.add_feedback(answer_id, helpful, self._clock(), reason)

    def purge(self) -> int:
        """Delete records (and their feedback) older than the retention period."""
        with self._purge_lock:
            now = self._clock()
            self._last_purge = now
            return self.store.purge(now - self.retention)

    def load(self, snapshot: LogSnapshot) -> int:
        """Add an exported log's records, keeping their ids; returns how many were new.

        A record already here (the same id) is kept as it is, so loading twice is safe.
        """
        questions = [
            (q.id, q.asked_at, q.question, q.band, q.answered, q.passage_id, q.confidence)
            for q in snapshot.questions
        ]
        feedback = [(f.answer_id, f.helpful, f.given_at, f.reason) for f in snapshot.feedback]
        return self.store.load(questions, feedback)

    def snapshot(self) -> LogSnapshot:
        return _snapshot(self.store.rows())

    def close(self) -> None:
        """Commit what is queued, then close the connections (and late ones as they return)."""
        if hasattr(self, "_writer"):
            self._writer.stop()
        self.store.close()


def check_reason(helpful: bool, reason: str | None) -> None:
    """Raise ValueError unless `reason` is None, or one of the reasons with a thumbs-down."""
    if reason is None:
        return
    if reason not in FEEDBACK_REASONS:
        raise ValueError(f"unknown reason {reason!r}: use one of {', '.join(FEEDBACK_REASONS)}")
    if helpful:
        raise ValueError("a reason goes only with helpful false (a thumbs-down)")


def _hide_password(url: str) -> str:
    """The URL as it may be shown in a message: no password."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.partition(":")[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"


def read_log(target: Path | str) -> LogSnapshot:
    """Read an existing log without changing it; raises FileNotFoundError if there is none."""
    if is_database_url(target):
        from chatbot.log_postgres import read_database

        return _snapshot(read_database(str(target)))
    return _snapshot(read_file(Path(target)))


def record_answer(log: QuestionLog | None, answer: Answer) -> str | None:
    """Log a reply, on disk before it leaves; its id, or None when it is not logged."""
    if log is None:
        return None
    try:
        return log.record(answer)
    except log.errors:
        # The visitor still gets the answer; its id is then not in the log.
        logger.exception("could not write the question log at %s", log.where)
        return None


async def record_answer_async(log: QuestionLog | None, answer: Answer) -> str | None:
    """As `record_answer`, for a request handled on the event loop."""
    if log is None:
        return None
    try:
        return await log.record_async(answer)
    except log.errors:
        logger.exception("could not write the question log at %s", log.where)
        return None


# The export's fields, one record a line (JSONL) or a row (CSV); feedback rides along.
EXPORT_FIELDS = (
    "id",
    "asked_at",
    "question",
    "band",
    "answered",
    "passage_id",
    "confidence",
    "helpful",
    "feedback_at",
    "reason",
)
EXPORT_FORMATS = ("jsonl", "csv")


class ExportError(Exception):
    """An export file that cannot be read back, as `file:line: message`."""


def export_records(snapshot: LogSnapshot) -> Iterator[dict[str, object]]:
    votes = {vote.answer_id: vote for vote in snapshot.feedback}
    for logged in snapshot.questions:
        vote = votes.get(logged.id)
        yield {
            "id": logged.id,
            "asked_at": logged.asked_at.astimezone(UTC).isoformat(timespec="seconds"),
            "question": logged.question,
            "band": logged.band,
            "answered": logged.answered,
            "passage_id": logged.passage_id,
            "confidence": logged.confidence,
            "helpful": None if vote is None else vote.helpful,
            "feedback_at": None
            if vote is None
            else vote.given_at.astimezone(UTC).isoformat(timespec="seconds"),
            "reason": None if vote is None else vote.reason,
        }


def write_export(snapshot: LogSnapshot, output_format: str, file: TextIO) -> None:
    if output_format == "csv":
        writer = csv.DictWriter(file, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(export_records(snapshot))
        return
    for record in export_records(snapshot):
        file.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_export(path: Path) -> LogSnapshot:
    """Read a JSONL export back; raises ExportError naming the line at fault."""
    questions: list[LoggedQuestion] = []
    feedback: list[LoggedFeedback] = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                logged = LoggedQuestion(
                    id=_text(record["id"]),
                    asked_at=_moment(record["asked_at"]),
                    question=_text(record["question"]),
                    band=_text(record["band"]),
                    answered=bool(record["answered"]),
                    passage_id=None
                    if record["passage_id"] is None
                    else _text(record["passage_id"]),
                    confidence=float(record["confidence"]),
                )
                if record.get("helpful") is not None:
                    helpful = bool(record["helpful"])
                    # Optional: exports made before feedback had a reason have none.
                    reason = record.get("reason")
                    check_reason(helpful, None if reason is None else _text(reason))
                    feedback.append(
                        LoggedFeedback(logged.id, helpful, _moment(record["feedback_at"]), reason)
                    )
                elif record.get("reason") is not None:
                    raise ValueError("a reason without a vote (helpful is empty)")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                problem = f"missing field {error}" if isinstance(error, KeyError) else error
                raise ExportError(f"{path}:{number}: not a logged question ({problem})") from None
            questions.append(logged)
    return LogSnapshot(tuple(questions), tuple(feedback))


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected text, got {value!r}")
    return value


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(f"time without a timezone: {value!r}")
    return moment
