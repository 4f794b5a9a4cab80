"""The report over a seeded question log: the same numbers from the code, the CLI and /admin."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot.admin import chart_bars
from chatbot.answers import Answer, Band
from chatbot.cli import cli
from chatbot.documents import Passage
from chatbot.question_log import QuestionLog, read_log
from chatbot.report import (
    DayCount,
    PassageFeedback,
    QuestionCount,
    build_report,
)
from chatbot.validation import load_validated_knowledge
from tests.conftest import FIXTURES, AppFactory

MANY = FIXTURES / "many"
TOKEN = "report-test-token-0123456789"
KETTLE_FAQ = "kettle-descaling#faq-how-often-should-i-descale-my-kettle"
STARTER_FAQ = "sourdough-starter#faq-why-does-my-starter-smell-of-vinegar"
DAY_1 = datetime(2026, 3, 1, 9, tzinfo=UTC)
DAY_3 = datetime(2026, 3, 3, 23, 59, tzinfo=UTC)

# (day, question, band, confidence, passage id, feedback: thumbs up (True) / down (False))
SEED: list[tuple[datetime, str, Band, float, str | None, list[bool]]] = [
    (DAY_1, "Why is my kettle furry?", "fallback", 0.05, None, [False]),
    (DAY_1, "why is my kettle furry", "fallback", 0.04, None, []),
    (DAY_1, "How often should I descale my kettle?", "answer", 1.0, KETTLE_FAQ, [False]),
    (DAY_1, "descale kettle monthly?", "answer", 0.4, KETTLE_FAQ, [False]),
    (DAY_3, "why is my kettle FURRY", "fallback", 0.05, None, []),
    (DAY_3, "Can I freeze a starter?", "suggest", 0.2, None, []),
    (DAY_3, "descale kettle monthly", "answer", 0.45, KETTLE_FAQ, []),
    (DAY_3, "my chest hurts", "triage", 0.0, None, []),
    (DAY_3, "starter smells of vinegar", "answer", 0.9, STARTER_FAQ, [False]),
    (DAY_3, "Why does my starter smell of vinegar?", "answer", 0.95, STARTER_FAQ, [False, True]),
]


class Clock:
    def __init__(self) -> None:
        self.now = DAY_1

    def __call__(self) -> datetime:
        return self.now


def seed_log(path: Path) -> None:
    passages: dict[str, Passage] = {p.id: p for p in load_validated_knowledge(MANY).passages}
    clock = Clock()
    # The log's retention counts back from its clock: start at the seed's dates.
    log = QuestionLog(path, retention_days=3650, clock=clock)
    for day, question, band, confidence, passage_id, thumbs in SEED:
        clock.now = day
        passage = passages[passage_id] if passage_id else None
        answer = Answer(question, band, band == "answer", "t", confidence, passage, (), "d")
        answer_id = log.record(answer)
        for helpful in thumbs:
            assert log.add_feedback(answer_id, helpful)


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    path = tmp_path / "seeded.db"
    seed_log(path)
    return path


def test_report_numbers_match_the_seeded_log(seeded_db: Path) -> None:
    report = build_report(read_log(seeded_db), low_confidence=0.5)
    assert (report.questions, report.answered) == (10, 5)
    assert report.unanswered == (
        QuestionCount("Why is my kettle furry?", 3),
        QuestionCount("Can I freeze a starter?", 1),
    )
    assert report.low_confidence == (QuestionCount("descale kettle monthly?", 2, KETTLE_FAQ),)
    assert report.thumbs_down == (
        PassageFeedback(KETTLE_FAQ, 2, 0),
        PassageFeedback(None, 1, 0),
        PassageFeedback(STARTER_FAQ, 1, 1),
    )
    assert report.days == (
        DayCount(date(2026, 3, 1), answered=2, unanswered=2, other=0),
        DayCount(date(2026, 3, 2), answered=0, unanswered=0, other=0),
        DayCount(date(2026, 3, 3), answered=3, unanswered=2, other=1),
    )


@pytest.mark.parametrize(("top", "expected"), [(1, 1), (5, 2)])
def test_report_lists_are_cut_at_top(seeded_db: Path, top: int, expected: int) -> None:
    assert len(build_report(read_log(seeded_db), top=top).unanswered) == expected


def test_an_empty_log_makes_an_empty_report(tmp_path: Path) -> None:
    QuestionLog(tmp_path / "empty.db", retention_days=1)
    report = build_report(read_log(tmp_path / "empty.db"))
    assert (report.questions, report.unanswered, report.days) == (0, (), ())


def _squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_report_command_prints_the_same_numbers(seeded_db: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(seeded_db), "--below", "0.5"])
    assert result.exit_code == 0, result.output
    lines = _squeezed(result.output)
    assert "Questions logged: 10 (answered 5, unanswered 4, other 1)" in lines
    assert "3 Why is my kettle furry?" in lines
    assert "2 descale kettle monthly?" in lines
    assert f"2 down 0 up {KETTLE_FAQ}" in lines
    assert "2026-03-02 0 0 0 0" in lines
    assert "2026-03-03 6 3 2 1" in lines


def test_report_command_reads_chatbot_db(seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_DB", str(seeded_db))
    result = CliRunner().invoke(cli, ["report"])
    assert result.exit_code == 0, result.output
    assert "Questions logged: 10" in result.output


def test_report_command_without_a_log_says_where_it_looked(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert f"no question log at {tmp_path / 'none.db'}" in result.output


def test_admin_page_shows_the_same_numbers(app_factory: AppFactory, seeded_db: Path) -> None:
    # A retention long enough that the start-up purge keeps the seeded days.
    app = app_factory(knowledge_dir=MANY, db=seeded_db, admin_token=TOKEN, retention_days=3650)
    client = TestClient(app)
    response = client.get("/admin", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = re.sub(r"\s+", " ", response.text)
    assert "10 questions logged: 5 answered, 4 unanswered, 1 other (referrals, small talk)." in page
    assert "<td>3</td><td>Why is my kettle furry?</td>" in page
    assert "<td>2</td><td>descale kettle monthly?</td>" in page
    assert f">{KETTLE_FAQ}</a></td><td>2</td><td>0</td>" in page
    assert "<td>2026-03-03</td><td>6</td><td>3</td><td>2</td><td>1</td>" in page
    assert page.count('<rect class="bar-answered"') == 3
    assert "style=" not in page
    assert "<script" not in page
    assert "admin.css" in page
    assert client.get("/static/admin.css").status_code == 200


def test_chart_bars_scale_to_the_busiest_day() -> None:
    days = (
        DayCount(date(2026, 3, 1), answered=2, unanswered=2, other=0),
        DayCount(date(2026, 3, 2), answered=0, unanswered=0, other=0),
        DayCount(date(2026, 3, 3), answered=2, unanswered=2, other=1),
    )
    bars = chart_bars(days, height=160)
    assert [(b.answered_height, b.unanswered_height) for b in bars] == [(64, 64), (0, 0), (64, 96)]
    assert [b.answered_y for b in bars] == [96, 160, 96]
    assert [b.unanswered_y for b in bars] == [32, 160, 0]
    assert bars[1].x > bars[0].x


def test_admin_page_says_when_logging_is_off(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(knowledge_dir=MANY, log_questions=False, admin_token=TOKEN))
    response = client.get("/admin", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "Question logging is turned off" in response.text
