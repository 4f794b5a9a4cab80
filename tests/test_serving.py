"""Serving: settings travel to worker processes intact, and workers' sockets are TCP."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.serving import server_options, settings_environment, tcp_listener
from chatbot.settings import Settings
from tests.conftest import FIXTURES


def test_settings_survive_the_trip_to_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        knowledge_dir=FIXTURES / "knowledge",
        answer_threshold=0.5,
        public_url="https://example.org",
        rate_limit_per_minute=12.5,
        workers=3,
        forwarded_allow_ips="10.0.0.1,10.0.0.2",
        admin_token="a-token-of-twenty-chars",
        log_questions=False,
    )
    for name, value in settings_environment(settings).items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_server_options_carry_the_timeouts_and_trusted_proxies() -> None:
    options = server_options(Settings(keep_alive_seconds=2.5, forwarded_allow_ips="10.1.2.3"))
    assert options["timeout_keep_alive"] == 2.5
    assert options["timeout_graceful_shutdown"] > 0
    assert options["forwarded_allow_ips"] == "10.1.2.3"


def test_worker_listener_is_marked_tcp_and_keeps_its_address() -> None:
    bound = socket.socket(socket.AF_INET)  # protocol 0, as uvicorn binds it
    bound.bind(("127.0.0.1", 0))
    address = bound.getsockname()
    assert bound.proto == 0
    listener = tcp_listener(bound)
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.getsockname() == address
    finally:
        listener.close()


def test_non_tcp_listener_is_left_alone() -> None:
    unix = socket.socket(socket.AF_UNIX)
    try:
        assert tcp_listener(unix) is unix
    finally:
        unix.close()


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_serve_refuses_a_worker_count_it_cannot_run(workers: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", workers, "--port", "1"])
    assert result.exit_code == 2
    assert "--workers" in result.output
