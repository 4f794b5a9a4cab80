"""The `chatbot` command line: ask, and serve's fail-fast start-up."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from tests.conftest import FIXTURES
from tests.server import running_server

runner = CliRunner()


def test_ask_prints_the_answer_source_and_disclaimer(clinic_dir: Path) -> None:
    result = runner.invoke(
        cli, ["ask", "What are the wrist flexors?", "--knowledge", str(clinic_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "The wrist flexors are the muscles on the palm side" in result.output
    assert "Source: Frequently Asked Questions — Wrist Stretches for Desk Workers" in result.output
    assert "This fixture article is for testing only" in result.output


def test_ask_json_prints_the_api_response() -> None:
    result = runner.invoke(
        cli,
        [
            "ask",
            "Can I use soap on cast iron?",
            "--json",
            "--knowledge",
            str(FIXTURES / "knowledge"),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["answered"] is True
    assert body["source"]["document"] == "cast-iron-care"


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001])
def test_ask_rejects_an_empty_or_long_question(question: str) -> None:
    result = runner.invoke(cli, ["ask", question])
    assert result.exit_code == 2
    assert "1 to 1000 characters" in result.output


def test_broken_knowledge_is_reported_as_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: Bad\n---\n\n## Empty\n\n## Also\n\nText.\n")
    result = runner.invoke(cli, ["ask", "hello", "--knowledge", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.md'}:5: section 'Empty' is empty" in result.output
    assert "Traceback" not in result.output


def test_bad_setting_is_reported_by_its_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_ANSWER_THRESHOLD", "lots")
    result = runner.invoke(cli, ["ask", "hello"])
    assert result.exit_code == 2
    assert "CHATBOT_ANSWER_THRESHOLD" in result.output


def test_a_check_across_settings_names_the_variables_without_an_empty_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATBOT_SUGGEST_THRESHOLD", "0.9")
    result = runner.invoke(cli, ["ask", "hello"])
    assert result.exit_code == 2
    assert "CHATBOT_SUGGEST_THRESHOLD below CHATBOT_ANSWER_THRESHOLD" in result.output
    assert "CHATBOT_:" not in result.output


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_serve_refuses_a_port_out_of_range_with_a_message(port: str) -> None:
    result = runner.invoke(cli, ["serve", "--port", port])
    assert result.exit_code == 2
    assert "--port" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_to_start_on_a_broken_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("no front matter\n")
    result = runner.invoke(cli, ["serve", "--knowledge", str(tmp_path), "--port", "1"])
    assert result.exit_code == 1
    assert "bad.md:1: document must start with '---' front matter" in result.output


@pytest.mark.e2e
def test_serve_answers_over_http_and_python_m_works(clinic_dir: Path) -> None:
    # tests.server starts `python -m chatbot serve` and waits for /healthz.
    with running_server({"CHATBOT_KNOWLEDGE_DIR": str(clinic_dir)}) as url:
        response = httpx2.post(f"{url}/ask", json={"question": "What are the wrist flexors?"})
    assert response.status_code == 200
    assert response.json()["answered"] is True
    assert response.json()["source"]["document"] == "desk-wrist-stretches"
