"""The question log and feedback: what is recorded, what is not, and when it is purged."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot import app as app_module
from chatbot.answers import Answer
from chatbot.app import create_app
from chatbot.cli import cli
from chatbot.log_rows import QuestionRow
from chatbot.question_log import GroupCommit, QuestionLog, read_log
from chatbot.settings import Settings
from tests.conftest import FIXTURES, MakeSettings

MANY = FIXTURES / "many"
LogClient = Callable[..., tuple[TestClient, Path]]
ANSWERED_QUESTION = "How often should I descale my kettle?"


@pytest.fixture
def log_client(make_settings: MakeSettings) -> LogClient:
    """A client over the kettle and starter fixture, and the log file its app writes."""

    def make(**overrides: object) -> tuple[TestClient, Path]:
        settings = make_settings(knowledge_dir=MANY, **overrides)
        return TestClient(create_app(settings)), settings.db

    return make


def _answer(question: str, band: str = "fallback", confidence: float = 0.0) -> Answer:
    return Answer(
        question=question,
        band=band,  # type: ignore[arg-type]
        answered=band == "answer",
        text="text",
        confidence=confidence,
        passage=None,
        related=(),
        disclaimer="d",
    )


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_each_ask_is_recorded_under_its_answer_id(log_client: LogClient) -> None:
    client, db = log_client()
    answered = client.post("/ask", json={"question": f"  {ANSWERED_QUESTION} "}).json()
    missed = client.post("/ask", json={"question": "What is the capital of Peru?"}).json()
    questions = {q.id: q for q in read_log(db).questions}
    assert set(questions) == {answered["answer_id"], missed["answer_id"]}
    logged = questions[answered["answer_id"]]
    assert logged.question == ANSWERED_QUESTION
    assert (logged.band, logged.answered) == ("answer", True)
    assert logged.passage_id == answered["source"]["id"]
    assert logged.confidence == answered["confidence"]
    assert abs(logged.asked_at - datetime.now(UTC)) < timedelta(minutes=1)
    other = questions[missed["answer_id"]]
    assert (other.band, other.answered, other.passage_id) == (missed["band"], False, None)


def test_the_page_without_javascript_logs_only_the_new_question(log_client: LogClient) -> None:
    client, db = log_client()
    page = client.post("/", data={"question": ANSWERED_QUESTION, "history": ["hello"]})
    assert page.status_code == 200
    assert [q.question for q in read_log(db).questions] == [ANSWERED_QUESTION]


def test_a_log_file_moved_away_is_not_written_to(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "log.db", retention_days=30)
    first = log.record(_answer("before the move"))
    (tmp_path / "log.db").rename(tmp_path / "old.db")
    for suffix in ("-wal", "-shm"):
        if (tmp_path / f"log.db{suffix}").exists():
            (tmp_path / f"log.db{suffix}").rename(tmp_path / f"old.db{suffix}")
    QuestionLog(tmp_path / "log.db", retention_days=30)  # a fresh file in its place
    second = log.record(_answer("after the move"))
    assert [q.id for q in read_log(tmp_path / "log.db").questions] == [second]
    assert [q.id for q in read_log(tmp_path / "old.db").questions] == [first]
    log.close()


def test_the_log_keeps_nothing_about_who_asked(log_client: LogClient) -> None:
    client, db = log_client()
    client.post(
        "/ask",
        json={"question": ANSWERED_QUESTION},
        headers={"user-agent": "agent-marker", "cookie": "session=cookie-marker"},
    )
    with sqlite3.connect(db) as connection:
        columns = {
            table: {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            for table in ("questions", "feedback")
        }
        rows = [repr(row) for row in connection.execute("SELECT * FROM questions")]
    connection.close()
    assert columns == {
        "questions": {
            "id",
            "asked_at",
            "question",
            "band",
            "answered",
            "passage_id",
            "confidence",
        },
        "feedback": {"id", "answer_id", "helpful", "given_at", "reason"},
    }
    assert not any(m in row for row in rows for m in ("testclient", "marker", "127.0.0.1"))


def test_the_log_is_in_wal_mode(log_client: LogClient) -> None:
    _, db = log_client()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()


@pytest.mark.parametrize("helpful", [True, False])
def test_feedback_is_recorded_against_the_logged_answer(
    log_client: LogClient, helpful: bool
) -> None:
    client, db = log_client()
    answer_id = client.post("/ask", json={"question": ANSWERED_QUESTION}).json()["answer_id"]
    response = client.post("/feedback", json={"answer_id": answer_id, "helpful": helpful})
    assert response.status_code == 202
    (feedback,) = read_log(db).feedback
    assert (feedback.answer_id, feedback.helpful) == (answer_id, helpful)


def test_a_changed_vote_replaces_the_first_and_repeats_count_once(log_client: LogClient) -> None:
    client, db = log_client()
    answer_id = client.post("/ask", json={"question": ANSWERED_QUESTION}).json()["answer_id"]
    for helpful in (False, False, True):
        response = client.post("/feedback", json={"answer_id": answer_id, "helpful": helpful})
        assert response.status_code == 202
    (feedback,) = read_log(db).feedback
    assert (feedback.answer_id, feedback.helpful) == (answer_id, True)


@pytest.mark.parametrize("content", [b"not a database at all", b""])
def test_report_on_a_file_that_is_not_a_log_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "other.db"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["report", "--db", str(path)])
    assert result.exit_code == 1
    assert f"cannot read the question log at {path}" in result.output


def test_feedback_on_an_unknown_answer_is_a_404_with_a_message(log_client: LogClient) -> None:
    client, db = log_client()
    response = client.post("/feedback", json={"answer_id": "f" * 32, "helpful": True})
    assert response.status_code == 404
    assert "No logged answer has the id" in response.json()["detail"]
    assert read_log(db).feedback == ()


def test_logging_off_writes_nothing(log_client: LogClient) -> None:
    client, db = log_client(log_questions=False)
    body = client.post("/ask", json={"question": ANSWERED_QUESTION}).json()
    assert body["answered"] is True
    assert body["answer_id"] is None  # nothing to rate: the page shows no thumbs
    feedback = client.post("/feedback", json={"answer_id": "a" * 32, "helpful": True})
    assert feedback.status_code == 404
    assert "question log is turned off" in feedback.json()["detail"]
    assert not db.parent.exists()


def test_logging_off_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_LOG_QUESTIONS", "0")
    monkeypatch.setenv("CHATBOT_DB", str(tmp_path / "log.db"))
    client = TestClient(create_app(Settings(knowledge_dir=MANY)))
    assert client.post("/ask", json={"question": ANSWERED_QUESTION}).status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_a_log_that_cannot_be_written_still_answers_the_visitor(
    log_client: LogClient, caplog: pytest.LogCaptureFixture
) -> None:
    client, db = log_client()
    db.unlink()
    db.mkdir()  # a folder where the file was: SQLite cannot open it
    with caplog.at_level(logging.ERROR, logger="chatbot.api"):
        response = client.post("/ask", json={"question": ANSWERED_QUESTION})
    assert response.status_code == 200
    assert response.json()["answered"] is True
    assert "could not write the question log" in caplog.text


def test_feedback_a_log_cannot_take_is_a_503_with_a_message(log_client: LogClient) -> None:
    client, db = log_client()
    answer_id = client.post("/ask", json={"question": ANSWERED_QUESTION}).json()["answer_id"]
    for path in db.parent.iterdir():
        path.unlink()
    db.mkdir()  # a folder where the file was: SQLite cannot open it
    response = client.post("/feedback", json={"answer_id": answer_id, "helpful": True})
    assert response.status_code == 503
    assert "cannot be recorded" in response.json()["detail"]


def test_a_log_file_deleted_while_serving_is_started_afresh(log_client: LogClient) -> None:
    client, db = log_client()
    client.post("/ask", json={"question": ANSWERED_QUESTION})
    for path in db.parent.iterdir():
        path.unlink()
    answer_id = client.post("/ask", json={"question": ANSWERED_QUESTION}).json()["answer_id"]
    assert [q.id for q in read_log(db).questions] == [answer_id]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _open_files(path: Path) -> list[str]:
    """This process's open files that are the log or its -wal and -shm companions."""
    descriptors = Path("/proc/self/fd")
    targets = []
    for descriptor in descriptors.iterdir():
        with contextlib.suppress(OSError):  # closed between listing and reading
            targets.append(os.readlink(descriptor))
    return [target for target in targets if target.startswith(str(path))]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_a_closed_log_closes_connections_that_come_back_late(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    log = QuestionLog(path, retention_days=30)
    log.record(_answer("before shutdown"))
    assert _open_files(path), "the log keeps its connection open between writes"
    log.close()
    assert _open_files(path) == []
    # A request still in flight at shutdown records after close: its connection must
    # not go back to the pool and stay open.
    late = log.record(_answer("after shutdown"))
    assert _open_files(path) == []
    assert late in {q.id for q in read_log(path).questions}


def test_records_older_than_the_retention_are_purged_with_their_feedback(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    log = QuestionLog(tmp_path / "log.db", retention_days=30, clock=clock)
    old = log.record(_answer("old question"))
    assert log.add_feedback(old, helpful=False)
    clock.now += timedelta(days=20)
    recent = log.record(_answer("recent question"))
    clock.now += timedelta(days=11)  # `old` is now 31 days old, `recent` 11
    assert log.purge() == 1
    snapshot = log.snapshot()
    assert [q.id for q in snapshot.questions] == [recent]
    assert snapshot.feedback == ()
    assert not log.add_feedback(old, helpful=True)


def test_purging_also_happens_while_recording(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    log = QuestionLog(tmp_path / "log.db", retention_days=1, clock=clock)
    log.record(_answer("first"))
    clock.now += timedelta(days=2)
    newest = log.record(_answer("second"))
    assert [q.id for q in log.snapshot().questions] == [newest]


def test_a_failed_purge_does_not_lose_the_record_that_triggered_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    log = QuestionLog(tmp_path / "log.db", retention_days=1, clock=clock)

    def locked() -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(log, "purge", locked)
    clock.now += timedelta(hours=2)
    with caplog.at_level(logging.ERROR, logger="chatbot.question_log"):
        record_id = log.record(_answer("still kept"))
    assert [q.id for q in log.snapshot().questions] == [record_id]
    assert "could not purge old records" in caplog.text


def test_a_server_that_gets_no_questions_still_purges_old_records(
    log_client: LogClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "PURGE_INTERVAL", timedelta(milliseconds=20))
    client, db = log_client()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO questions VALUES ('old', '2001-01-01T00:00:00+00:00', 'q', "
            "'fallback', 0, NULL, 0.0)"
        )
    assert len(read_log(db).questions) == 1
    with client:  # runs the app's lifespan, as a server does
        deadline = time.monotonic() + 10
        while read_log(db).questions and time.monotonic() < deadline:
            time.sleep(0.02)
    assert read_log(db).questions == ()


def test_a_log_needs_a_retention_of_a_day_or_more(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CHATBOT_RETENTION_DAYS"):
        QuestionLog(tmp_path / "log.db", retention_days=0)


def test_reading_a_missing_log_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no question log at"):
        read_log(tmp_path / "nothing.db")


def test_serve_refuses_to_start_when_the_log_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log's folder should be")
    result = CliRunner().invoke(
        cli,
        ["serve", "--knowledge", str(MANY), "--port", "1"],
        env={"CHATBOT_DB": str(blocker / "log.db")},
    )
    assert result.exit_code == 1
    assert f"error: cannot open the question log at {blocker / 'log.db'}" in result.output
    assert "CHATBOT_LOG_QUESTIONS=0" in result.output
    assert "Traceback" not in result.output


def test_records_queued_during_a_commit_share_the_next_one() -> None:
    release = threading.Event()
    batches: list[list[str]] = []

    def commit(rows: Sequence[QuestionRow]) -> None:
        batches.append([row[2] for row in rows])
        release.wait(timeout=10)  # the first commit is still on its way to disk

    writer = GroupCommit(commit)
    first = writer.submit(_row("first"))
    while not batches:
        time.sleep(0.001)
    queued = [writer.submit(_row(f"q{n}")) for n in range(5)]
    assert not any(done.done() for done in [first, *queued])  # nothing acknowledged yet
    release.set()
    for done in [first, *queued]:
        done.result(timeout=10)
    writer.stop()
    assert batches == [["first"], [f"q{n}" for n in range(5)]]


def test_a_failed_commit_fails_every_record_of_its_batch() -> None:
    def commit(rows: Sequence[QuestionRow]) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    writer = GroupCommit(commit)
    futures = [writer.submit(_row(f"q{n}")) for n in range(3)]
    for done in futures:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
            done.result(timeout=10)
    writer.stop()


def test_closing_the_log_commits_what_was_queued(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "log.db", retention_days=30)
    ids = [log.record(_answer(f"question {n}")) for n in range(3)]
    log.close()
    assert [q.id for q in read_log(tmp_path / "log.db").questions] == ids


def _row(question: str) -> QuestionRow:
    return ("id-" + question, datetime.now(UTC), question, "fallback", False, None, 0.0)
