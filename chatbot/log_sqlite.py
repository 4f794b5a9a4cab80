"""The question log's SQLite store: one file, WAL journal, every commit fsync'd.

Connections are pooled (opening one costs several times an insert) and reopened when
the file is moved or deleted, so a rotated log is never written to in its old place; a
`-shm` or `-wal` file emptied in place (`copytruncate`) is repaired before the next use.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from chatbot.log_rows import FEEDBACK_REASONS, FeedbackRow, QuestionRow

# A reason is checked by the database too, so no other value can be stored by any path.
REASON_COLUMN = "reason TEXT CHECK (reason IN ({}))".format(
    ", ".join(f"'{reason}'" for reason in FEEDBACK_REASONS)
)
SCHEMA = f"""
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
    given_at TEXT NOT NULL,
    {REASON_COLUMN}
);
"""
FileIdentity = tuple[int, int] | None
# Device, inode and size of a -wal or -shm file, or None when there is none.
FileState = tuple[int, int, int] | None

logger = logging.getLogger(__name__)


def timestamp(moment: datetime) -> str:
    """UTC ISO 8601 to the second: sorts as text, so SQLite compares it directly."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware; use datetime.now(UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _open(path: Path) -> sqlite3.Connection:
    # Autocommit: a statement outside BEGIN … COMMIT is its own transaction.
    # Not tied to the opening thread: the pool hands it to one thread at a time.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def _file_identity(path: Path) -> FileIdentity:
    """The file's device and inode, or None when there is no file."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _file_state(path: Path) -> FileState:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size)


def _emptied(seen: FileState, now: FileState) -> bool:
    """The same file as before, now shorter. While the log is open SQLite only grows its
    -wal and -shm (no journal_size_limit, no TRUNCATE checkpoint) or deletes them with
    the last connection, so a shorter one was emptied from outside."""
    return seen is not None and now is not None and now[:2] == seen[:2] and now[2] < seen[2]


def _question_row(row: Sequence[object]) -> QuestionRow:
    return (
        str(row[0]),
        datetime.fromisoformat(str(row[1])),
        str(row[2]),
        str(row[3]),
        bool(row[4]),
        None if row[5] is None else str(row[5]),
        float(row[6]),  # type: ignore[arg-type]
    )


def _has_reason(connection: sqlite3.Connection) -> bool:
    return any(row[1] == "reason" for row in connection.execute("PRAGMA table_info(feedback)"))


def add_missing_columns(connection: sqlite3.Connection) -> None:
    """Bring a log file made before feedback had a reason up to date (nullable, so no
    existing row changes); a no-op on a current file."""
    if _has_reason(connection):
        return
    connection.execute("BEGIN IMMEDIATE")  # another process may be adding it too
    try:
        if not _has_reason(connection):
            connection.execute(f"ALTER TABLE feedback ADD COLUMN {REASON_COLUMN}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def read_rows(connection: sqlite3.Connection) -> tuple[list[QuestionRow], list[FeedbackRow]]:
    questions = [
        _question_row(row)
        for row in connection.execute(
            "SELECT id, asked_at, question, band, answered, passage_id, confidence "
            "FROM questions ORDER BY asked_at, rowid"
        )
    ]
    # A file read as it is (export, report) may predate the reason column.
    reason = "reason" if _has_reason(connection) else "NULL"
    feedback: list[FeedbackRow] = [
        (str(row[0]), bool(row[1]), datetime.fromisoformat(row[2]), row[3])
        for row in connection.execute(
            f"SELECT answer_id, helpful, given_at, {reason} FROM feedback ORDER BY given_at, id"
        )
    ]
    return questions, feedback


def read_file(path: Path) -> tuple[list[QuestionRow], list[FeedbackRow]]:
    """Read an existing log file without changing it."""
    if not path.is_file():
        raise FileNotFoundError(f"no question log at {path}")
    connection = _open(path)
    try:
        return read_rows(connection)
    finally:
        connection.close()


class SQLiteStore:
    """The log in one SQLite file; safe to share between threads."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._wal = Path(f"{path}-wal")
        self._shm = Path(f"{path}-shm")
        # The largest -wal and -shm seen after a use, to notice either being emptied.
        self._seen: tuple[FileState, FileState] = (None, None)
        # Idle connections, each with the identity of the file it opened.
        self._idle: queue.SimpleQueue[tuple[sqlite3.Connection, FileIdentity]] = queue.SimpleQueue()
        self._pool_lock = threading.Lock()
        self._closed = False
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:  # The first connection sets the file up.
            add_missing_columns(connection)

    def insert_questions(self, rows: Sequence[QuestionRow]) -> None:
        """All rows in one transaction: one fsync however many there are."""
        values = [(r[0], timestamp(r[1]), r[2], r[3], int(r[4]), r[5], r[6]) for r in rows]
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany("INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?)", values)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def add_feedback(
        self, answer_id: str, helpful: bool, given_at: datetime, reason: str | None = None
    ) -> bool:
        row = (answer_id, int(helpful), timestamp(given_at), reason)
        with self._connection() as connection:
            try:
                # One vote per reply: the last, reason included, replaces the one before.
                connection.execute(
                    "INSERT INTO feedback (answer_id, helpful, given_at, reason) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE "
                    "SET helpful = excluded.helpful, given_at = excluded.given_at, "
                    "reason = excluded.reason",
                    row,
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def purge(self, cutoff: datetime) -> int:
        with self._connection() as connection:
            cursor = connection.execute(
                "DELETE FROM questions WHERE asked_at < ?", (timestamp(cutoff),)
            )
            return cursor.rowcount

    def load(self, questions: Sequence[QuestionRow], feedback: Sequence[FeedbackRow]) -> int:
        """Add records in one transaction, keeping any already there."""
        values = [(r[0], timestamp(r[1]), r[2], r[3], int(r[4]), r[5], r[6]) for r in questions]
        votes = [(f[0], int(f[1]), timestamp(f[2]), f[3]) for f in feedback]
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                before = connection.total_changes
                connection.executemany(
                    "INSERT OR IGNORE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?)", values
                )
                added = connection.total_changes - before
                connection.executemany(
                    "INSERT OR IGNORE INTO feedback (answer_id, helpful, given_at, reason) "
                    "VALUES (?, ?, ?, ?)",
                    votes,
                )
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        return added

    def rows(self) -> tuple[list[QuestionRow], list[FeedbackRow]]:
        with self._connection() as connection:
            return read_rows(connection)

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
        self._repair_if_emptied()
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

    def _repair_if_emptied(self) -> None:
        """Rebuild the wal-index when the -shm or -wal was emptied in place since the last use.

        SQLite maps -shm (the wal-index, the WAL's table of contents) into memory in every
        process that has the log open: a page past its new end faults with SIGBUS, which
        kills the server; and a -wal emptied under an intact -shm makes SQLite read the
        vanished frames as zeros, and its next checkpoint write them over the database.
        Closing and reopening cannot fix either alone, as closing the last connection
        checkpoints through that same index. So the -shm is emptied and given back its
        size, all zeros: every process's mapping is valid again, and SQLite, finding no
        valid header, rebuilds the index from what the -wal still holds (its documented
        recovery). Path-based calls only: closing a descriptor of our own on the -shm
        would drop the POSIX locks SQLite holds on it. Idle connections are then closed,
        so the next one re-creates the tables if an emptied -wal held them.

        Remaining window: a truncation that lands while a statement runs (on any thread,
        or in another worker before that worker's own next check) still faults; that is
        microseconds to a commit's fsync. Commits that were only in an emptied -wal are
        gone (with `copytruncate`, into the rotated copy).
        """
        with self._pool_lock:
            seen_wal, seen_shm = self._seen
            wal, shm = _file_state(self._wal), _file_state(self._shm)
            if not (_emptied(seen_wal, wal) or _emptied(seen_shm, shm)):
                return
            if seen_shm is not None and shm is not None and shm[:2] == seen_shm[:2]:
                os.truncate(self._shm, 0)  # zeroes a header still there
                os.truncate(self._shm, seen_shm[2])
            logger.warning(
                "%s: its -wal or -shm file was emptied while the log was open (log rotation "
                "with copytruncate?); records only in the -wal are lost, and the index was "
                "rebuilt",
                self.path,
            )
            self._seen = (None, None)
            while True:
                try:
                    self._idle.get_nowait()[0].close()
                except queue.Empty:
                    return

    def _note_companions(self) -> None:
        """Remember the -wal and -shm as a use left them (the larger, for the same file)."""
        seen = self._seen
        now = (_file_state(self._wal), _file_state(self._shm))
        self._seen = (_larger(seen[0], now[0]), _larger(seen[1], now[1]))

    def _release(self, connection: sqlite3.Connection, opened: FileIdentity) -> None:
        with self._pool_lock:
            self._note_companions()
            if self._closed:
                connection.close()
            else:
                self._idle.put((connection, opened))


def _larger(seen: FileState, now: FileState) -> FileState:
    """`now`, unless it is the same file seen larger: a shrink stays noticeable."""
    if seen is not None and now is not None and now[:2] == seen[:2] and now[2] < seen[2]:
        return seen
    return now
