"""SIGHUP to a running server reloads the knowledge base, keeping the old one if broken."""

from __future__ import annotations

import re
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from tests.conftest import FIXTURES
from tests.server import start_server

pytestmark = [
    pytest.mark.e2e,  # starts `chatbot serve` as a real process
    pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP"),
]

KETTLE = "kettle-descaling.md"


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sighup_reloads_and_a_broken_edit_keeps_the_old_index(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "many", knowledge)
    stderr = tmp_path / "server.log"
    environment = {"CHATBOT_KNOWLEDGE_DIR": str(knowledge), "CHATBOT_DB": str(tmp_path / "db")}
    server, url = start_server(environment, stderr=stderr)

    def passages() -> int:
        count: int = httpx2.get(f"{url}/healthz").json()["passages"]
        return count

    try:
        assert passages() == 11
        path = knowledge / KETTLE
        path.write_text(path.read_text() + "\n### Can I use lemon juice?\n\nYes, it works too.\n")
        server.send_signal(signal.SIGHUP)
        _wait_for(lambda: passages() == 12)

        path.write_text(path.read_text().replace("title: Descaling a Kettle\n", ""))
        server.send_signal(signal.SIGHUP)
        _wait_for(lambda: "front matter needs a 'title'" in stderr.read_text())
        assert f"{path}:1: front matter needs a 'title'" in stderr.read_text()
        assert "previous version is still being served" in stderr.read_text()
        assert passages() == 12
        answer = httpx2.post(f"{url}/ask", json={"question": "Can I use lemon juice?"}).json()
        assert answer["source"]["title"] == "Descaling a Kettle"
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)


def _workers(log: Path) -> tuple[list[str], set[str], int]:
    """From the server's output: worker pids started, pids finished, startups completed."""
    text = log.read_text()
    started = re.findall(r"Started server process \[(\d+)\]", text)
    finished = set(re.findall(r"Finished server process \[(\d+)\]", text))
    return started, finished, text.count("Application startup complete")


def test_an_admin_reload_reaches_every_worker(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "many", knowledge)
    token = "a-token-for-the-reload-test"
    environment = {
        "CHATBOT_KNOWLEDGE_DIR": str(knowledge),
        "CHATBOT_DB": str(tmp_path / "db"),
        "CHATBOT_ADMIN_TOKEN": token,
    }
    log = tmp_path / "server.log"
    server, url = start_server(environment, stderr=log, workers=2)

    def passages_seen() -> set[int]:
        # New connections each time, so both workers get asked.
        return {httpx2.get(f"{url}/healthz").json()["passages"] for _ in range(12)}

    try:
        # Both workers serving, read from the server's own output rather than guessed.
        _wait_for(lambda: _workers(log)[2] == 2, timeout=60)
        first, _, _ = _workers(log)
        assert passages_seen() == {11}
        path = knowledge / KETTLE
        path.write_text(path.read_text() + "\n### Can I use lemon juice?\n\nYes, it works too.\n")
        reply = httpx2.post(
            f"{url}/admin/reload", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert reply.status_code == 200, reply.text
        # Done when both first workers have finished and two new ones have started up:
        # then no worker that read the old folder is left to answer.
        _wait_for(lambda: set(first) <= _workers(log)[1] and _workers(log)[2] == 4, timeout=60)
        started, _, _ = _workers(log)
        assert len(set(started) - set(first)) == 2
        assert passages_seen() == {12}
    finally:
        server.terminate()
        server.wait(timeout=30)
