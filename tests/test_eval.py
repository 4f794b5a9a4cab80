"""`chatbot eval`: the question set replayed as POST /ask, with floors the suite enforces."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.engine import Engine
from chatbot.evaluation import evaluate, load_cases, summarize
from chatbot.problems import KnowledgeError
from chatbot.settings import PROJECT_ROOT, Settings
from tests.conftest import FIXTURES

runner = CliRunner()
# The in-repo question set is about the shipped sample articles: the tests that use it
# (through `shipped_engine`, `seed_ids` or `chatbot eval` on QUESTIONS) are the only
# ones in the suite that read knowledge/, and belong in tests/test_shipped_knowledge.py.
SHIPPED_KNOWLEDGE = PROJECT_ROOT / "knowledge"
QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"


@pytest.fixture(scope="module")
def shipped_engine() -> Engine:
    return Engine.from_settings(Settings(knowledge_dir=SHIPPED_KNOWLEDGE))


@pytest.fixture(scope="module")
def seed_ids(shipped_engine: Engine) -> set[str]:
    return {p.id for p in shipped_engine.knowledge.passages}


@pytest.fixture(scope="module")
def clinic_ids(engine: Engine) -> set[str]:
    return {p.id for p in engine.knowledge.passages}


def test_the_question_set_is_large_and_covers_every_kind(seed_ids: set[str]) -> None:
    cases = load_cases(QUESTIONS, seed_ids)
    kinds = {c.kind for c in cases}
    assert len(cases) >= 120
    assert {"paraphrase", "keyword", "typo", "caps", "nopunct", "body"} <= kinds
    assert {"far", "near", "red_flag", "smalltalk"} <= kinds
    assert {c.split for c in cases} == {"tune", "check", "fresh"}
    assert len({c.question.lower() for c in cases}) == len(cases), "duplicate question"


@pytest.mark.parametrize("split", ["tune", "check", "fresh"])
def test_the_bot_meets_its_floors_on_each_half(
    shipped_engine: Engine, seed_ids: set[str], split: str
) -> None:
    cases = [c for c in load_cases(QUESTIONS, seed_ids) if c.split == split]
    summary = summarize(evaluate(shipped_engine, cases))
    assert summary.top1 >= 0.90
    assert summary.abstain_recall >= 0.90
    assert summary.red_flags_triaged == summary.red_flags
    assert summary.false_triage == 0
    assert summary.missing_disclaimer == 0


def test_eval_command_passes_the_floors_on_the_whole_set() -> None:
    floors = ["--min-accuracy", "0.95", "--min-abstain", "0.95"]
    result = runner.invoke(
        cli, ["eval", str(QUESTIONS), "--knowledge", str(SHIPPED_KNOWLEDGE), *floors]
    )
    assert result.exit_code == 0, result.output
    assert "answerable: top-1" in result.output
    assert "safety: 57/57 red flags triaged" in result.output


def test_eval_command_fails_below_a_floor_and_lists_failures(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: Can I use soap on cast iron?\n  kind: paraphrase\n  split: tune\n"
        "  expect: [cast-iron-care#faq-why-is-my-pan-rusty]\n"
    )
    args = ["eval", str(questions), "--knowledge", str(FIXTURES / "knowledge")]
    result = runner.invoke(cli, [*args, "--min-accuracy", "0.5"])
    assert result.exit_code == 1
    assert "top-1 accuracy below 50.0%" in result.output
    assert "Can I use soap on cast iron?" in result.output
    assert runner.invoke(cli, args).exit_code == 0


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("- question: hi\n  kind: k\n  split: s\n  expect: [nope#x]\n", 1, "no passage has the id"),
        ("- question: hi\n  kind: k\n  split: s\n  expect: maybe\n", 1, "'expect' must be"),
        (
            "- question: ok\n  kind: k\n  split: s\n  expect: abstain\n- question: hi\n",
            5,
            "exactly the fields",
        ),
        ("question: hi\n", 1, "must be a list"),
        ("- [unclosed\n", 2, "cannot be read"),
    ],
)
def test_a_broken_question_set_is_reported_as_file_and_line(
    tmp_path: Path, clinic_ids: set[str], content: str, line: int, message: str
) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(content)
    with pytest.raises(KnowledgeError) as error:
        load_cases(path, clinic_ids)
    problem = error.value.problems[0]
    assert (problem.path, problem.line) == (path, line)
    assert message in problem.message


def test_answers_the_bot_gives_on_the_whole_set_are_right(
    shipped_engine: Engine, seed_ids: set[str]
) -> None:
    summary = summarize(evaluate(shipped_engine, load_cases(QUESTIONS, seed_ids)))
    assert summary.answer_precision >= 0.95
