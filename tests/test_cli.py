"""The `chatbot` command line: ask, and serve's fail-fast start-up."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from tests.conftest import FIXTURES

runner = CliRunner()


def test_ask_prints_the_answer_source_and_disclaimer() -> None:
    result = runner.invoke(cli, ["ask", "What are the hip flexors?"])
    assert result.exit_code == 0, result.output
    assert "The hip flexors are a group of muscles" in result.output
    assert "Source: Frequently Asked Questions — Why Massage Hip Flexors?" in result.output
    assert "informational purposes only" in result.output


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_answers_over_http_and_python_m_works() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx2.post(
                    f"http://127.0.0.1:{port}/ask", json={"question": "What are the hip flexors?"}
                )
                break
            except httpx2.TransportError:
                assert server.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["answered"] is True
    finally:
        server.terminate()
        server.wait(timeout=10)
