"""The question log's guarantees on both stores: an SQLite file and a PostgreSQL database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot.answers import Answer
from chatbot.app import create_app
from chatbot.cli import cli
from chatbot.question_log import QuestionLog, read_log
from tests.conftest import FIXTURES, MakeSettings
from tests.postgres import new_database, postgres_server

__all__ = ["postgres_server"]  # the session fixture, used through `target`

Target = Path | str
QUESTION = "How often should I descale my kettle?"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """Where a fresh log lives: an SQLite file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "log.db"
    server: str = request.getfixturevalue("postgres_server")
    return new_database(server)


def _answer(question: str, band: str = "fallback") -> Answer:
    return Answer(question, band, band == "answer", "text", 0.25, None, (), "d")  # type: ignore[arg-type]


def _environment(target: Target) -> dict[str, str]:
    if isinstance(target, Path):
        return {"CHATBOT_DB": str(target), "CHATBOT_DATABASE_URL": ""}
    return {"CHATBOT_DATABASE_URL": target}


def test_a_record_is_readable_once_record_returns(target: Target) -> None:
    log = QuestionLog(target, retention_days=30)
    try:
        record_id = log.record(_answer("where is my kettle?"))
        (logged,) = read_log(target).questions
    finally:
        log.close()
    assert (logged.id, logged.question, logged.band, logged.confidence) == (
        record_id,
        "where is my kettle?",
        "fallback",
        0.25,
    )
    assert logged.asked_at.tzinfo is not None


def test_records_from_many_threads_are_all_kept(target: Target) -> None:
    log = QuestionLog(target, retention_days=30)
    ids: list[str] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        record_id = log.record(_answer(f"question {n}"))
        with lock:
            ids.append(record_id)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    assert {q.id for q in read_log(target).questions} == set(ids)
    assert len(ids) == 40


def test_feedback_is_kept_once_per_answer_and_refused_for_an_unknown_one(target: Target) -> None:
    log = QuestionLog(target, retention_days=30)
    try:
        record_id = log.record(_answer("q"))
        assert log.add_feedback(record_id, helpful=False)
        assert log.add_feedback(record_id, helpful=True)
        assert not log.add_feedback("f" * 32, helpful=True)
        feedback = log.snapshot().feedback
    finally:
        log.close()
    assert [(f.answer_id, f.helpful) for f in feedback] == [(record_id, True)]


def test_old_records_are_purged_with_their_feedback(target: Target) -> None:
    clock = Clock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    log = QuestionLog(target, retention_days=30, clock=clock)
    try:
        old = log.record(_answer("old"))
        log.add_feedback(old, helpful=False)
        clock.now += timedelta(days=20)
        recent = log.record(_answer("recent"))
        clock.now += timedelta(days=11)
        assert log.purge() == 1
        snapshot = log.snapshot()
    finally:
        log.close()
    assert [q.id for q in snapshot.questions] == [recent]
    assert snapshot.feedback == ()


def test_a_second_start_keeps_the_records_of_the_first(target: Target) -> None:
    first = QuestionLog(target, retention_days=30)
    record_id = first.record(_answer("kept"))
    first.close()
    second = QuestionLog(target, retention_days=30)  # creates the schema only if missing
    second.close()
    assert [q.id for q in read_log(target).questions] == [record_id]


def test_the_app_logs_asks_and_feedback_and_the_report_reads_them(
    target: Target, make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = target if isinstance(target, str) else ""
    db = target if isinstance(target, Path) else Path("unused.db")
    settings = make_settings(knowledge_dir=FIXTURES / "many", db=db, database_url=database_url)
    with TestClient(create_app(settings)) as client:
        body = client.post("/ask", json={"question": QUESTION}).json()
        missed = client.post("/ask", json={"question": "What is the capital of Peru?"}).json()
        feedback = {"answer_id": missed["answer_id"], "helpful": False}
        assert client.post("/feedback", json=feedback).status_code == 202
    logged = {q.id for q in read_log(target).questions}
    assert logged == {body["answer_id"], missed["answer_id"]}
    for name, value in _environment(target).items():
        monkeypatch.setenv(name, value)
    report = CliRunner().invoke(cli, ["report"])
    assert report.exit_code == 0, report.output
    assert "Questions logged: 2" in report.output
    assert "What is the capital of Peru?" in report.output


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
def test_export_writes_every_question_with_its_feedback(
    target: Target, output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = QuestionLog(target, retention_days=30)
    first = log.record(_answer('first, with "quotes"\nand a line'))
    second = log.record(_answer("second", band="answer"))
    log.add_feedback(second, helpful=True)
    log.close()
    for name, value in _environment(target).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / f"log.{output_format}"
    result = CliRunner().invoke(cli, ["export", "--format", output_format, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if output_format == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["id"] for row in rows] == [first, second]
    assert rows[0]["question"] == 'first, with "quotes"\nand a line'
    assert str(rows[1]["helpful"]) in ("True", "true")


def test_an_sqlite_log_moves_into_another_log_with_its_ids_and_feedback(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "old.db"
    old = QuestionLog(source, retention_days=30)
    ids = [old.record(_answer(f"question {n}")) for n in range(3)]
    old.add_feedback(ids[1], helpful=False)
    old.close()
    runner = CliRunner()
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "")
    exported = runner.invoke(cli, ["export", "--db", str(source), "--out", str(tmp_path / "x")])
    assert exported.exit_code == 0, exported.output
    for name, value in _environment(target if target != source else tmp_path / "new.db").items():
        monkeypatch.setenv(name, value)
    for added in (3, 0):  # loading twice adds nothing the second time
        loaded = runner.invoke(cli, ["import-log", str(tmp_path / "x")])
        assert loaded.exit_code == 0, loaded.output
        assert f"{added} of 3 questions added" in loaded.output
    snapshot = read_log(target)
    assert [q.id for q in snapshot.questions] == ids
    assert [(f.answer_id, f.helpful) for f in snapshot.feedback] == [(ids[1], False)]
    assert snapshot.questions == read_log(source).questions


def test_an_export_that_is_not_one_is_refused_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n')
    monkeypatch.setenv("CHATBOT_DB", str(tmp_path / "log.db"))
    result = CliRunner().invoke(cli, ["import-log", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: not a logged question (missing field 'asked_at')" in result.output
    assert "Traceback" not in result.output


def test_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "xml", "--db", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--format must be one of jsonl, csv" in result.output


def test_a_database_that_cannot_be_reached_stops_start_up_with_a_message(
    make_settings: MakeSettings,
) -> None:
    from tests.server import free_port

    url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nothing?connect_timeout=1"
    result = CliRunner().invoke(
        cli,
        ["serve", "--knowledge", str(FIXTURES / "many"), "--port", "1"],
        env={"CHATBOT_DATABASE_URL": url},
    )
    assert result.exit_code == 1
    assert "error: cannot open the question log at postgresql://someone@127.0.0.1:" in result.output
    assert "Connection refused" in result.output
    assert "secret" not in result.output
    assert "Traceback" not in result.output


# The feedback table as logs made before feedback had a reason hold it.
OLD_FEEDBACK = (
    "CREATE TABLE questions (id TEXT PRIMARY KEY, asked_at {time} NOT NULL, "
    "question TEXT NOT NULL, band TEXT NOT NULL, answered {boolean} NOT NULL, "
    "passage_id TEXT, confidence {real} NOT NULL{seq})",
    "CREATE TABLE feedback (id {key}, answer_id TEXT NOT NULL UNIQUE "
    "REFERENCES questions (id) ON DELETE CASCADE, helpful {boolean} NOT NULL, "
    "given_at {time} NOT NULL)",
    "INSERT INTO questions (id, asked_at, question, band, answered, passage_id, confidence) "
    "VALUES ('old', '2026-01-01T00:00:00+00:00', 'old question', 'fallback', {false}, NULL, 0.1)",
    "INSERT INTO feedback (answer_id, helpful, given_at) "
    "VALUES ('old', {false}, '2026-01-01T00:01:00+00:00')",
)


def _old_schema_log(target: Target) -> None:
    """A log as the version before reasons wrote it, with one question and one vote."""
    if isinstance(target, Path):
        words = {"time": "TEXT", "boolean": "INTEGER", "real": "REAL", "seq": ""}
        statements = [s.format(key="INTEGER PRIMARY KEY", false="0", **words) for s in OLD_FEEDBACK]
        with sqlite3.connect(target) as connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
        return
    import psycopg

    words = {"time": "TIMESTAMPTZ", "boolean": "BOOLEAN", "real": "DOUBLE PRECISION"}
    statements = [
        s.format(key="BIGSERIAL PRIMARY KEY", false="false", seq=", seq BIGSERIAL", **words)
        for s in OLD_FEEDBACK
    ]
    with psycopg.connect(target) as database:
        for statement in statements:
            database.execute(statement)


def test_a_reason_is_stored_with_a_thumbs_down_and_the_last_vote_wins(target: Target) -> None:
    log = QuestionLog(target, retention_days=30)
    try:
        first, second, third = (log.record(_answer(f"q{n}")) for n in range(3))
        assert log.add_feedback(first, helpful=False, reason="too_general")
        assert log.add_feedback(second, helpful=False, reason="wrong")
        assert log.add_feedback(second, helpful=False, reason="unanswered")  # changed mind
        assert log.add_feedback(third, helpful=False, reason="wrong")
        assert log.add_feedback(third, helpful=True)  # a thumbs-up drops the reason
        assert not log.add_feedback("f" * 32, helpful=False, reason="wrong")
    finally:
        log.close()
    votes = {f.answer_id: (f.helpful, f.reason) for f in read_log(target).feedback}
    assert votes == {
        first: (False, "too_general"),
        second: (False, "unanswered"),
        third: (True, None),
    }


@pytest.mark.parametrize(("helpful", "reason"), [(True, "wrong"), (False, "bad"), (False, "WRONG")])
def test_the_log_refuses_a_reason_outside_the_set_or_with_a_thumbs_up(
    target: Target, helpful: bool, reason: str
) -> None:
    log = QuestionLog(target, retention_days=30)
    try:
        answer_id = log.record(_answer("q"))
        with pytest.raises(ValueError, match="reason"):
            log.add_feedback(answer_id, helpful=helpful, reason=reason)
        assert log.snapshot().feedback == ()
    finally:
        log.close()


def test_a_log_made_before_reasons_gets_the_column_at_start_and_keeps_its_votes(
    target: Target,
) -> None:
    _old_schema_log(target)
    before = read_log(target)  # read as it is, without the column
    assert [(f.answer_id, f.helpful, f.reason) for f in before.feedback] == [("old", False, None)]
    log = QuestionLog(target, retention_days=3650)
    try:
        new = log.record(_answer("new"))
        assert log.add_feedback(new, helpful=False, reason="wrong")
    finally:
        log.close()
    QuestionLog(target, retention_days=3650).close()  # a second start finds it done
    votes = {f.answer_id: (f.helpful, f.reason) for f in read_log(target).feedback}
    assert votes == {"old": (False, None), new: (False, "wrong")}


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
def test_export_carries_the_reason_and_import_log_takes_it_back(
    target: Target, output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source.db"
    old = QuestionLog(source, retention_days=30)
    ids = [old.record(_answer(f"question {n}")) for n in range(3)]
    old.add_feedback(ids[0], helpful=False, reason="too_general")
    old.add_feedback(ids[1], helpful=True)
    old.close()
    runner = CliRunner()
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "")
    out = tmp_path / f"log.{output_format}"
    arguments = ["export", "--db", str(source), "--format", output_format, "--out", str(out)]
    assert runner.invoke(cli, arguments).exit_code == 0
    text = out.read_text(encoding="utf-8")
    rows = (
        [json.loads(line) for line in text.splitlines()]
        if output_format == "jsonl"
        else list(csv.DictReader(io.StringIO(text)))
    )
    assert [row["reason"] or None for row in rows] == ["too_general", None, None]
    if output_format == "csv":
        return  # import-log reads JSONL
    for name, value in _environment(target).items():
        monkeypatch.setenv(name, value)
    loaded = runner.invoke(cli, ["import-log", str(out)])
    assert loaded.exit_code == 0, loaded.output
    votes = {f.answer_id: (f.helpful, f.reason) for f in read_log(target).feedback}
    assert votes == {ids[0]: (False, "too_general"), ids[1]: (True, None)}
