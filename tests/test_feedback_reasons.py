"""Why No: the reason a thumbs-down may carry, from POST /feedback to the report and /admin."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.log_rows import FEEDBACK_REASONS
from chatbot.question_log import LoggedFeedback, LoggedQuestion, LogSnapshot, QuestionLog, read_log
from chatbot.report import REASON_LABELS, ReasonCount, build_report, format_report
from chatbot.settings import packaged_web_dir
from tests.conftest import FIXTURES, AppFactory, AskJSON

MANY = FIXTURES / "many"
TOKEN = "reasons-test-token-0123456789"
KETTLE_FAQ = "kettle-descaling#faq-how-often-should-i-descale-my-kettle"
LIMESCALE_FAQ = "kettle-descaling#faq-is-limescale-harmful-to-the-kettle"
STARTER_FAQ = "sourdough-starter#faq-why-does-my-starter-smell-of-vinegar"
ASKED = datetime(2026, 3, 1, 9, tzinfo=UTC)

# passage given (None: nothing quoted), then the vote: (helpful, reason) or None
SEED: list[tuple[str | None, tuple[bool, str | None] | None]] = [
    (KETTLE_FAQ, (False, "wrong")),
    (KETTLE_FAQ, (False, "wrong")),
    (KETTLE_FAQ, (False, "too_general")),
    (KETTLE_FAQ, (False, None)),  # a thumbs-down without a reason is not a reason
    (KETTLE_FAQ, (True, None)),
    (KETTLE_FAQ, None),
    (LIMESCALE_FAQ, (False, "unanswered")),
    (STARTER_FAQ, (False, "unanswered")),
    (None, (False, "unanswered")),
]


def _snapshot(seed: list[tuple[str | None, tuple[bool, str | None] | None]]) -> LogSnapshot:
    questions, votes = [], []
    for n, (passage_id, vote) in enumerate(seed):
        band = "answer" if passage_id else "fallback"
        asked = ASKED + timedelta(minutes=n)
        questions.append(
            LoggedQuestion(f"q{n}", asked, f"question {n}", band, band == "answer", passage_id, 0.8)
        )
        if vote is not None:
            votes.append(LoggedFeedback(f"q{n}", vote[0], asked + timedelta(seconds=5), vote[1]))
    return LogSnapshot(tuple(questions), tuple(votes))


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    path = tmp_path / "reasons.db"
    log = QuestionLog(path, retention_days=3650)
    log.load(_snapshot(SEED))
    log.close()
    return path


# The API


@pytest.mark.parametrize("reason", FEEDBACK_REASONS)
def test_a_thumbs_down_with_a_reason_is_accepted_and_stored(
    app_factory: AppFactory, tmp_path: Path, reason: str
) -> None:
    db = tmp_path / "log.db"
    client = TestClient(app_factory(db=db))
    answer_id = client.post("/ask", json={"question": "What are the wrist flexors?"}).json()[
        "answer_id"
    ]
    response = client.post(
        "/feedback", json={"answer_id": answer_id, "helpful": False, "reason": reason}
    )
    assert (response.status_code, response.json()) == (202, {"status": "accepted"})
    ((stored_id, helpful, stored_reason),) = [
        (f.answer_id, f.helpful, f.reason) for f in read_log(db).feedback
    ]
    assert (stored_id, helpful, stored_reason) == (answer_id, False, reason)


def test_the_reason_updates_the_same_vote_and_the_last_vote_wins(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    db = tmp_path / "log.db"
    client = TestClient(app_factory(db=db))
    answer_id = client.post("/ask", json={"question": "What are the wrist flexors?"}).json()[
        "answer_id"
    ]
    seen = []
    for body in (
        {"helpful": False},  # the "No" button
        {"helpful": False, "reason": "wrong"},  # then a reason
        {"helpful": False, "reason": "too_general"},  # a second thought
    ):
        assert client.post("/feedback", json={"answer_id": answer_id, **body}).status_code == 202
        seen.append([(f.helpful, f.reason) for f in read_log(db).feedback])
    assert seen == [[(False, None)], [(False, "wrong")], [(False, "too_general")]]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"helpful": False, "reason": "rude"},
            "reason: Input should be 'wrong', 'unanswered' or 'too_general'.",
        ),
        (
            {"helpful": False, "reason": 1},
            "reason: Input should be 'wrong', 'unanswered' or 'too_general'.",
        ),
        (
            {"helpful": True, "reason": "wrong"},
            "reason: a reason can only be given with helpful false (a thumbs-down).",
        ),
    ],
    ids=["unknown-reason", "not-a-string", "with-a-thumbs-up"],
)
def test_a_bad_reason_gets_a_422_with_a_plain_message(
    client: TestClient, ask: AskJSON, body: dict[str, Any], detail: str
) -> None:
    answer_id = ask("What are the wrist flexors?")["answer_id"]
    response = client.post("/feedback", json={"answer_id": answer_id, **body})
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_the_schema_documents_the_reasons_and_that_they_go_with_a_thumbs_down(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["FeedbackRequest"]
    reason = schema["properties"]["reason"]
    assert {"enum": list(FEEDBACK_REASONS), "type": "string"} in reason["anyOf"]
    assert schema["if"]["properties"]["helpful"] == {"const": True}
    assert schema["then"]["properties"]["reason"] == {"type": "null"}


# import-log

# One exported record as `chatbot export` writes it, before its vote.
EXPORTED: dict[str, Any] = {
    "id": "a1",
    "asked_at": "2026-03-01T09:00:00+00:00",
    "question": "q",
    "band": "fallback",
    "answered": False,
    "passage_id": None,
    "confidence": 0.1,
    "feedback_at": "2026-03-01T09:01:00+00:00",
}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"helpful": False, "reason": "rude"}, "unknown reason 'rude'"),
        ({"helpful": True, "reason": "wrong"}, "a reason goes only with helpful false"),
        ({"helpful": None, "reason": "wrong"}, "a reason without a vote"),
    ],
)
def test_import_log_refuses_a_bad_reason_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any], problem: str
) -> None:
    record = {**EXPORTED, **changes}
    export = tmp_path / "log.jsonl"
    export.write_text(
        json.dumps({**record, "id": "a0", "reason": None}) + "\n" + json.dumps(record)
    )
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "")
    monkeypatch.setenv("CHATBOT_DB", str(tmp_path / "log.db"))
    result = CliRunner().invoke(cli, ["import-log", str(export)])
    assert result.exit_code == 1
    assert f"{export}:2: not a logged question ({problem}" in result.output
    assert "Traceback" not in result.output


def test_import_log_takes_an_export_made_before_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = {**EXPORTED, "helpful": False}
    export = tmp_path / "old.jsonl"
    export.write_text(json.dumps(record) + "\n")
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "")
    monkeypatch.setenv("CHATBOT_DB", str(tmp_path / "log.db"))
    result = CliRunner().invoke(cli, ["import-log", str(export)])
    assert result.exit_code == 0, result.output
    (vote,) = read_log(tmp_path / "log.db").feedback
    assert (vote.answer_id, vote.helpful, vote.reason) == ("a1", False, None)


# The report


def test_reasons_are_counted_per_passage_and_per_article(seeded_db: Path) -> None:
    report = build_report(read_log(seeded_db))
    # Counts in the order wrong, unanswered, too_general; most reasons first.
    assert report.reasons_by_passage == (
        ReasonCount(KETTLE_FAQ, (2, 0, 1)),
        ReasonCount(None, (0, 1, 0)),
        ReasonCount(LIMESCALE_FAQ, (0, 1, 0)),
        ReasonCount(STARTER_FAQ, (0, 1, 0)),
    )
    assert report.reasons_by_article == (
        ReasonCount("kettle-descaling", (2, 1, 1)),
        ReasonCount(None, (0, 1, 0)),
        ReasonCount("sourdough-starter", (0, 1, 0)),
    )


def test_reason_tables_are_cut_at_top(seeded_db: Path) -> None:
    report = build_report(read_log(seeded_db), top=1)
    assert report.reasons_by_passage == (ReasonCount(KETTLE_FAQ, (2, 0, 1)),)
    assert report.reasons_by_article == (ReasonCount("kettle-descaling", (2, 1, 1)),)


def test_a_log_without_reasons_reports_none() -> None:
    report = build_report(_snapshot([(KETTLE_FAQ, (False, None))]))
    assert (report.reasons_by_passage, report.reasons_by_article) == ((), ())
    text = format_report(report)
    assert "Why answers did not help, per passage:\n  (none)" in text
    assert "Why answers did not help, per article:\n  (none)" in text


def _squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_report_command_prints_the_reason_tables(seeded_db: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    lines = _squeezed(result.output)
    per_passage = lines.index("Why answers did not help, per passage:")
    assert lines[per_passage + 1 : per_passage + 6] == [
        "wrong unanswered too_general passage",
        f"2 0 1 {KETTLE_FAQ}",
        "0 1 0 (no answer)",
        f"0 1 0 {LIMESCALE_FAQ}",
        f"0 1 0 {STARTER_FAQ}",
    ]
    per_article = lines.index("Why answers did not help, per article:")
    assert lines[per_article + 1 : per_article + 5] == [
        "wrong unanswered too_general article",
        "2 1 1 kettle-descaling",
        "0 1 0 (no answer)",
        "0 1 0 sourdough-starter",
    ]


def test_report_escapes_a_passage_id_from_an_imported_log() -> None:
    text = format_report(build_report(_snapshot([("evil\x1b[2J\n#x", (False, "wrong"))])))
    assert "\x1b" not in text
    assert "1 0 0 evil\\x1b[2J\\n#x" in _squeezed(text)
    assert "1 0 0 evil\\x1b[2J\\n" in _squeezed(text)


# /admin


def test_admin_page_shows_a_reason_table_per_passage_and_per_article(
    app_factory: AppFactory, seeded_db: Path
) -> None:
    app = app_factory(knowledge_dir=MANY, db=seeded_db, admin_token=TOKEN, retention_days=3650)
    response = TestClient(app).get("/admin", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.text)
    headings = "".join(f'<th scope="col">{REASON_LABELS[r]}</th>' for r in FEEDBACK_REASONS)
    assert headings.replace("'", "&#39;") in page
    kettle = f'<a href="/articles/{KETTLE_FAQ}">{KETTLE_FAQ}</a></td><td>2</td><td>0</td><td>1</td>'
    assert kettle in page
    article = (
        '<a href="/articles/kettle-descaling">Descaling a Kettle</a></td>'
        "<td>2</td><td>1</td><td>1</td>"
    )
    assert article in page
    assert page.index('id="reasons-by-passage-table"') < page.index(kettle)
    assert page.index('id="reasons-by-article-table"') < page.index(article)
    assert "style=" not in page


def test_admin_page_escapes_a_passage_id_from_an_imported_log(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    db = tmp_path / "evil.db"
    log = QuestionLog(db, retention_days=3650)
    log.load(_snapshot([("<img src=x>#y", (False, "wrong"))]))
    log.close()
    app = app_factory(knowledge_dir=MANY, db=db, admin_token=TOKEN, retention_days=3650)
    page = TestClient(app).get("/admin", headers={"authorization": f"Bearer {TOKEN}"}).text
    assert "<img src=x>" not in page
    assert "&lt;img src=x&gt;#y" in page


# The chat page


def test_the_chat_page_offers_the_reasons_the_api_accepts_in_the_reports_words() -> None:
    script = (packaged_web_dir() / "static" / "messages.js").read_text(encoding="utf-8")
    listed = script[script.index("const REASONS = [") :]
    offered = re.findall(r'\["(\w+)", "([^"]+)"\]', listed[: listed.index("];")])
    assert offered == [(reason, REASON_LABELS[reason]) for reason in FEEDBACK_REASONS]
