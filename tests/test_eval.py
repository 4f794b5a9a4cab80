"""`chatbot eval`: a question set replayed as POST /ask, with floors and file:line faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.engine import Engine
from chatbot.evaluation import load_cases
from chatbot.problems import KnowledgeError
from tests.conftest import FIXTURES

runner = CliRunner()


@pytest.fixture(scope="module")
def clinic_ids(engine: Engine) -> set[str]:
    return {p.id for p in engine.knowledge.passages}


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


def test_eval_counts_confidently_wrong_answers(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: Why is my pan rusty?\n  kind: faq\n  split: s\n"
        "  expect: [cast-iron-care#faq-can-i-use-soap-on-cast-iron]\n"
    )
    result = runner.invoke(
        cli, ["eval", str(questions), "--knowledge", str(FIXTURES / "knowledge")]
    )
    assert "answers given: 0.0% of them right, 1 confidently wrong" in result.output
    assert "got answer (1.00): cast-iron-care#faq-why-is-my-pan-rusty" in result.output
