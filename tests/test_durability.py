"""A real server killed with SIGKILL loses no question or feedback it acknowledged."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx2
import pytest

from chatbot.question_log import read_log
from tests.conftest import FIXTURES
from tests.server import start_server

QUESTIONS = [
    "How often should I descale my kettle?",
    "Why does my starter smell of vinegar?",
    "What is the capital of Peru?",
]

# Starts `chatbot serve` as a real process.
pytestmark = pytest.mark.e2e


def _ask_until_killed(
    url: str, server: subprocess.Popen[bytes], visitors: int, kill_after: int, rate: bool
) -> tuple[list[str], list[str]]:
    """Visitors ask (and rate, if `rate`) until the server is killed with SIGKILL mid-run.

    Returns the answer ids the visitors received and those whose feedback was accepted.
    """
    acknowledged: list[str] = []
    thumbs: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def visitor(number: int) -> None:
        with httpx2.Client(base_url=url, timeout=10) as client:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    question = f"{QUESTIONS[n % len(QUESTIONS)]} ({number}-{n})"
                    answer_id = client.post("/ask", json={"question": question}).json()["answer_id"]
                    with lock:
                        acknowledged.append(answer_id)
                    if not rate:
                        continue
                    feedback = {"answer_id": answer_id, "helpful": n % 2 == 0}
                    if client.post("/feedback", json=feedback).status_code == 202:
                        with lock:
                            thumbs.append(answer_id)
                except httpx2.TransportError:
                    return  # the server was killed mid-request: nothing was acknowledged

    threads = [threading.Thread(target=visitor, args=(v,)) for v in range(visitors)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < kill_after:
            assert server.poll() is None, "server exited"
            assert time.monotonic() < deadline, f"only {len(acknowledged)} answers arrived"
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)  # while requests are still arriving
        server.wait(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=30)
    assert server.returncode == -signal.SIGKILL
    assert len(acknowledged) >= kill_after
    return acknowledged, thumbs


def test_every_acknowledged_record_survives_a_killed_server(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    environment = {"CHATBOT_DB": str(db), "CHATBOT_KNOWLEDGE_DIR": str(FIXTURES / "many")}
    server, url = start_server(environment)
    acknowledged, thumbs = _ask_until_killed(url, server, visitors=3, kill_after=30, rate=True)
    snapshot = read_log(db)
    logged = {q.id for q in snapshot.questions}
    assert set(acknowledged) <= logged
    assert set(thumbs) <= {f.answer_id for f in snapshot.feedback}
    assert len(snapshot.feedback) >= len(thumbs)


def test_a_server_killed_mid_batch_loses_no_acknowledged_question(tmp_path: Path) -> None:
    # Many visitors at once: their records share transactions, so the kill lands while
    # a batch is queued or being committed.
    db = tmp_path / "log.db"
    environment = {
        "CHATBOT_DB": str(db),
        "CHATBOT_KNOWLEDGE_DIR": str(FIXTURES / "many"),
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "0",
    }
    server, url = start_server(environment)
    acknowledged, _ = _ask_until_killed(url, server, visitors=32, kill_after=200, rate=False)
    logged = {q.id for q in read_log(db).questions}
    assert set(acknowledged) <= logged
