"""Two hosts on loopback sharing one PostgreSQL log and one Redis: a rehearsal of a
multi-host deployment, with one host killed mid-run."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import httpx2
import pytest

from chatbot.question_log import read_log
from tests.conftest import FIXTURES
from tests.postgres import new_database, postgres_server
from tests.redis import redis_url
from tests.server import start_server

__all__ = ["postgres_server", "redis_url"]  # fixtures used by name
pytestmark = pytest.mark.e2e

BURST = 20
VISITORS = 6
REQUESTS_EACH = 18  # under the burst: the load itself is never rate limited


def test_two_hosts_share_the_log_and_the_rate_limit_and_survive_losing_one(
    postgres_server: str, redis_url: str
) -> None:
    database = new_database(postgres_server)
    environment = {
        "CHATBOT_KNOWLEDGE_DIR": str(FIXTURES / "many"),
        "CHATBOT_DATABASE_URL": database,
        "CHATBOT_RATE_LIMIT_STORAGE": redis_url,
        "CHATBOT_RATE_LIMIT_BURST": str(BURST),
        # Refills too slowly to matter within the test: only the burst counts.
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "1",
        "CHATBOT_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    first, first_url = start_server(environment)
    second, second_url = start_server(environment)
    third: subprocess.Popen[bytes] | None = None
    acknowledged: list[str] = []
    refused: list[int] = []
    lock = threading.Lock()

    def visitor(number: int) -> None:
        # Each visitor is its own client address (as a proxy reports it), alternating hosts.
        headers = {"x-forwarded-for": f"10.0.0.{number}"}
        for n in range(REQUESTS_EACH):
            url = (first_url, second_url)[(n + number) % 2]
            try:
                response = httpx2.post(
                    f"{url}/ask",
                    json={"question": f"How often should I descale my kettle? ({number}-{n})"},
                    headers=headers,
                    timeout=10,
                )
            except httpx2.TransportError:
                continue  # the killed host: nothing acknowledged
            with lock:
                if response.status_code == 200:
                    acknowledged.append(response.json()["answer_id"])
                else:
                    refused.append(response.status_code)

    try:
        threads = [threading.Thread(target=visitor, args=(v,)) for v in range(VISITORS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 30:
            assert time.monotonic() < deadline, f"only {len(acknowledged)} answers arrived"
            time.sleep(0.005)
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=60)

        assert refused == []
        assert len(acknowledged) < VISITORS * REQUESTS_EACH  # some went to the dead host
        logged = {q.id for q in read_log(database).questions}
        assert set(acknowledged) <= logged
        survivor = httpx2.post(f"{first_url}/ask", json={"question": "kettle"}, timeout=10)
        assert survivor.status_code == 200
        assert survivor.json()["answer_id"] in {q.id for q in read_log(database).questions}

        # A replacement host joins; one client's quick requests, alternating between the
        # two, are limited by the one burst both hosts count in Redis.
        third, third_url = start_server(environment)
        headers = {"x-forwarded-for": "10.9.9.9"}
        statuses = [
            httpx2.post(
                f"{(first_url, third_url)[n % 2]}/ask",
                json={"question": "kettle"},
                headers=headers,
                timeout=10,
            ).status_code
            for n in range(30)
        ]
        assert statuses.count(200) == BURST
        assert statuses.count(429) == 30 - BURST
    finally:
        for server in (first, second, third):
            if server is not None and server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
