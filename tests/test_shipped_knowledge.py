"""The editors' regression: the shipped knowledge folders pass `chatbot check`, and
`chatbot eval` of their question files stays above its floors.

These are the only tests that read knowledge/ and examples/: an edit there that breaks
one of them is an edit to look at again, not a bug in the engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.engine import Engine
from chatbot.evaluation import evaluate, load_cases, summarize
from chatbot.folder import read_folder
from chatbot.settings import PROJECT_ROOT, Settings
from tests.conftest import FIXTURES

runner = CliRunner()
SHIPPED = PROJECT_ROOT / "knowledge"
QUESTIONS = SHIPPED / "questions.yaml"
EXAMPLES = sorted(p for p in (PROJECT_ROOT / "examples").glob("*/") if p.is_dir())


@pytest.fixture(scope="module")
def shipped_engine() -> Engine:
    return Engine.from_settings(Settings(knowledge_dir=SHIPPED))


@pytest.fixture(scope="module")
def shipped_ids(shipped_engine: Engine) -> set[str]:
    return {p.id for p in shipped_engine.knowledge.passages}


@pytest.mark.parametrize("folder", [SHIPPED, *EXAMPLES], ids=lambda p: p.name)
def test_every_shipped_folder_passes_check(folder: Path) -> None:
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 0, result.output


def test_the_question_set_is_large_and_covers_every_kind(shipped_ids: set[str]) -> None:
    cases = load_cases(QUESTIONS, shipped_ids)
    kinds = {c.kind for c in cases}
    assert len(cases) >= 120
    assert {"paraphrase", "keyword", "typo", "caps", "nopunct", "body"} <= kinds
    assert {"far", "near", "red_flag", "smalltalk"} <= kinds
    assert {c.split for c in cases} == {"tune", "check", "fresh"}
    assert len({c.question.lower() for c in cases}) == len(cases), "duplicate question"


@pytest.mark.parametrize("split", ["tune", "check", "fresh"])
def test_the_bot_meets_its_floors_on_each_part(
    shipped_engine: Engine, shipped_ids: set[str], split: str
) -> None:
    cases = [c for c in load_cases(QUESTIONS, shipped_ids) if c.split == split]
    summary = summarize(evaluate(shipped_engine, cases))
    assert summary.top1 >= 0.90
    assert summary.abstain_recall >= 0.90
    assert summary.red_flags_triaged == summary.red_flags
    assert summary.false_triage == 0
    assert summary.missing_disclaimer == 0


def test_eval_command_passes_the_floors_on_the_whole_set() -> None:
    floors = ["--min-accuracy", "0.95", "--min-abstain", "0.95"]
    result = runner.invoke(cli, ["eval", str(QUESTIONS), "--knowledge", str(SHIPPED), *floors])
    assert result.exit_code == 0, result.output
    assert "answerable: top-1" in result.output
    assert "safety: 57/57 red flags triaged" in result.output


def test_answers_the_bot_gives_on_the_whole_set_are_right(
    shipped_engine: Engine, shipped_ids: set[str]
) -> None:
    summary = summarize(evaluate(shipped_engine, load_cases(QUESTIONS, shipped_ids)))
    assert summary.answer_precision >= 0.95


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_an_example_site_answers_its_faq_verbatim_and_triages_every_red_flag(
    folder: Path,
) -> None:
    engine = Engine.from_settings(Settings(knowledge_dir=folder, log_questions=False))
    cases = load_cases(folder / "questions.yaml", {p.id for p in engine.knowledge.passages})
    for case in (c for c in cases if c.kind == "faq"):
        answer = engine.ask(case.question)
        assert answer.passage is not None, case.question
        assert answer.passage.id in case.expect, case.question
        assert answer.confidence >= 0.95, case.question
    summary = summarize(evaluate(engine, cases))
    assert summary.red_flags_triaged == summary.red_flags
    assert summary.abstain_recall >= 0.90
    assert summary.missing_disclaimer == 0


def test_a_new_article_in_a_copy_of_the_shipped_folder_keeps_every_check(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, folder)
    shutil.copy(FIXTURES / "clinic" / "foot-care.md", folder / "foot-care.md")
    assert read_folder(folder)[1] == []
    floors = ["--min-accuracy", "0.95", "--min-abstain", "0.95"]
    result = runner.invoke(cli, ["eval", str(QUESTIONS), "--knowledge", str(folder), *floors])
    assert result.exit_code == 0, result.output
