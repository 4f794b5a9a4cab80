"""The command line's edges: fast help, and one plain line for each way a start fails."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot import report
from chatbot.cli import cli
from tests.conftest import FIXTURES

runner = CliRunner()
# What `chatbot --help` must not import: each costs from a tenth of a second to seconds.
HEAVY_MODULES = ("sklearn", "scipy", "numpy", "fastapi", "uvicorn", "pydantic", "rich")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def broken_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "bad.md").write_text("no front matter\n")
    return folder


@pytest.mark.parametrize("command", [[], ["serve"], ["ask"]])
def test_help_shows_no_stray_type_labels_on_flags(command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    assert "<bool>" not in result.output


def test_help_imports_none_of_the_heavy_libraries() -> None:
    script = (
        "import sys\n"
        "from chatbot.cli import main\n"
        "sys.argv = ['chatbot', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY_MODULES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "Usage: chatbot" in result.stdout
    assert result.stdout.strip().endswith("[]"), result.stdout


def test_python_m_chatbot_help_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatbot", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: chatbot ")
    for command in ("serve", "ask", "check", "report", "eval"):
        assert command in result.stdout


def test_report_help_states_the_report_defaults() -> None:
    result = runner.invoke(cli, ["report", "--help"])
    text = " ".join(result.output.split())  # unwrapped
    assert f"(default: {report.TOP})" in text
    assert f"(default: {report.LOW_CONFIDENCE})" in text


def test_eval_names_a_missing_question_file_not_the_knowledge_base(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(cli, ["eval", str(missing)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: no question file at {missing}"


def test_eval_names_an_unreadable_question_file(tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_bytes(b"- question: \xff\xfe\n")
    args = ["eval", str(questions), "--knowledge", str(FIXTURES / "knowledge")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert f"{questions}:1: cannot be read" in result.output
    assert f"error: cannot read the question file {questions}" in result.output
    assert "knowledge base" not in result.output
    assert "Traceback" not in result.output


def test_eval_counts_the_problems_of_a_malformed_question_file(tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text("- question: hello\n")
    args = ["eval", str(questions), "--knowledge", str(FIXTURES / "knowledge")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert f"error: the question file {questions} has 1 problem(s)" in result.output
    assert "knowledge base" not in result.output


def test_eval_still_reads_a_sound_question_file(tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        "- question: Can I use soap on cast iron?\n  kind: paraphrase\n  split: tune\n"
        "  expect: abstain\n"
    )
    args = ["eval", str(questions), "--split", "no-such-split"]
    result = runner.invoke(cli, [*args, "--knowledge", str(FIXTURES / "knowledge")])
    assert result.exit_code == 2, result.output
    assert "no question has the split 'no-such-split'" in result.output


def test_serve_on_a_busy_port_says_so_before_loading_the_knowledge(
    busy_port: int, broken_knowledge: Path
) -> None:
    # The knowledge is broken too: had it been loaded first, its problem would show.
    args = ["serve", "--port", str(busy_port), "--knowledge", str(broken_knowledge)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: port {busy_port} is already in use on 127.0.0.1; choose another with --port"
    )


def test_serve_on_an_address_it_cannot_use_says_so_in_one_line() -> None:
    # 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    result = runner.invoke(cli, ["serve", "--host", "192.0.2.1", "--port", "0"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot listen on 192.0.2.1:0 (")
    assert "--host" in lines[0]


def test_a_missing_knowledge_folder_names_the_setting_and_the_option(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(cli, ["ask", "hello", "--knowledge", str(missing)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: no knowledge folder at {missing} (set CHATBOT_KNOWLEDGE_DIR or pass --knowledge)"
    )


def test_the_default_knowledge_folder_is_looked_for_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATBOT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert f"no knowledge folder at {tmp_path / 'knowledge'}" in result.output
    assert "Traceback" not in result.output


def test_check_names_the_folder_argument_when_the_folder_is_missing(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "CHATBOT_KNOWLEDGE_DIR" in result.output
    assert "chatbot check FOLDER" in result.output


def test_serve_refuses_a_web_folder_without_the_page_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATBOT_WEB_DIR", str(tmp_path))
    result = runner.invoke(cli, ["serve", "--knowledge", str(FIXTURES / "knowledge")])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {tmp_path} has no templates/ and static/")
    assert "CHATBOT_WEB_DIR" in result.output
