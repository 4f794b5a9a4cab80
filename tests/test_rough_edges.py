"""Small rough edges: an empty body, the admin page's low-confidence passages, and the
report's counts and escaping of what visitors typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot.answers import Answer, Band
from chatbot.app import create_app
from chatbot.cli import cli
from chatbot.knowledge import load_knowledge
from chatbot.question_log import LoggedQuestion, LogSnapshot, QuestionLog
from chatbot.report import build_report, format_report, printable
from chatbot.settings import Settings
from chatbot.urls import passage_id_url

KNOWLEDGE = Path("tests/fixtures/knowledge")
TOKEN = "rough-edges-token-0123456789"
OBJECT_NEEDED = 'The request body must be a JSON object like {"question": "…"}.'


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(knowledge_dir=KNOWLEDGE, db=tmp_path / "q.db", rate_limit_per_minute=0)
    return TestClient(create_app(settings))


@pytest.mark.parametrize("path", ["/ask", "/feedback"])
def test_an_empty_json_body_is_asked_for_an_object_not_a_nameless_field(
    client: TestClient, path: str
) -> None:
    response = client.post(path, content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {"detail": OBJECT_NEEDED}


def test_a_missing_field_is_still_named(client: TestClient) -> None:
    response = client.post("/ask", json={})
    assert response.json() == {"detail": "The field 'question' is required."}


def _logged(question: str, band: Band, answered: bool, passage: str | None) -> LoggedQuestion:
    asked = datetime(2026, 3, 1, 12, tzinfo=UTC)
    return LoggedQuestion(question, asked, question, band, answered, passage, 0.3)


def test_the_report_header_counts_what_its_table_counts() -> None:
    questions = (
        _logged("a", "answer", True, "doc#a"),
        _logged("b", "fallback", False, None),
        _logged("c", "suggest", False, None),
        _logged("d", "triage", False, None),
        _logged("e", "smalltalk", False, None),
    )
    report = build_report(LogSnapshot(questions, ()))
    (day,) = report.days
    assert (report.answered, report.unanswered_total, report.other_total) == (
        day.answered,
        day.unanswered,
        day.other,
    )
    assert (day.answered, day.unanswered, day.other) == (1, 2, 2)
    text = format_report(report)
    assert "Questions logged: 5 (answered 1, unanswered 2, other 2)" in text
    assert "2026-03-01      5        1          2     2" in text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", None),  # an OSC 8 link
        ("ok\n  99  forged line", "ok\\n  99  forged line"),
        ("tab\there\rback", "tab\\there\\rback"),
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("Wie läuft’s? 🙂", "Wie läuft’s? 🙂"),  # printable text is left alone
    ],
)
def test_the_report_escapes_control_characters_visitors_typed(
    typed: str, shown: str | None
) -> None:
    report = build_report(LogSnapshot((_logged(typed, "fallback", False, None),), ()))
    text = format_report(report)
    assert printable(typed) in text
    if shown is not None:
        assert printable(typed) == shown
    for line in text.splitlines():
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in line)
    plain = format_report(build_report(LogSnapshot((_logged("x", "fallback", False, None),), ())))
    assert len(text.splitlines()) == len(plain.splitlines())  # no forged lines


def test_the_report_command_prints_no_terminal_escapes(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    log = QuestionLog(db, retention_days=30)
    log.record(Answer("\x1b[2Jgone\nforged", "fallback", False, "t", 0.0, None, (), "d"))
    log.close()
    result = CliRunner().invoke(cli, ["report", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\\x1b[2Jgone\\nforged" in result.output


def test_the_admin_page_shows_the_passage_given_to_low_confidence_answers(
    tmp_path: Path,
) -> None:
    db = tmp_path / "q.db"
    passage = load_knowledge(KNOWLEDGE).passages[0]
    log = QuestionLog(db, retention_days=30)
    for _ in range(2):
        log.record(Answer("pan rusty?", "answer", True, "t", 0.2, passage, (), "d"))
    log.close()
    settings = Settings(knowledge_dir=KNOWLEDGE, db=db, admin_token=TOKEN)
    page = TestClient(create_app(settings)).get(
        "/admin", headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert page.status_code == 200
    table = re.search(r'id="low-confidence-table".*?</table>', page.text, re.S)
    assert table is not None
    link = f'<a href="{passage_id_url(passage.id)}">{passage.id}</a>'
    assert re.search(r"<td>2</td><td>pan rusty\?</td><td[^>]*>" + re.escape(link), table[0])
    assert passage_id_url(passage.id) == f"/articles/{passage.document}#{passage.anchor}"


@pytest.mark.parametrize(
    ("passage_id", "url"),
    [
        ("cast-iron-care#faq-can-i-use-soap", "/articles/cast-iron-care#faq-can-i-use-soap"),
        ("cast-iron-care", "/articles/cast-iron-care"),
    ],
)
def test_a_passage_id_from_the_log_links_to_its_article(passage_id: str, url: str) -> None:
    assert passage_id_url(passage_id) == url
    assert passage_id_url(passage_id, "https://example.org") == "https://example.org" + url
