"""A short concurrent load on the real server: every reply as expected, none dropped."""

from __future__ import annotations

import asyncio
import collections
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from tests.server import running_server

REQUESTS = 400
CONCURRENCY = 32
BODY_LIMIT = 8192
KEEP_ALIVE_SECONDS = 1
JSON = {"content-type": "application/json"}

# Starts `chatbot serve` as a real process.
pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    expected: int
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] | None = None


CALLS = [
    Call("answerable", "POST", "/ask", 200, json={"question": "What are the wrist flexors?"}),
    Call("unanswerable", "POST", "/ask", 200, json={"question": "capital of Australia?"}),
    Call("emoji", "POST", "/ask", 200, json={"question": "✋🔥 stiff wrists?? ‮ مرحبا"}),
    Call("empty question", "POST", "/ask", 422, json={"question": "   "}),
    Call("question too long", "POST", "/ask", 422, json={"question": "wrist " * 200}),
    Call("broken json", "POST", "/ask", 422, content=b'{"question": ', headers=JSON),
    Call("not utf-8", "POST", "/ask", 400, content=b'{"question": "\xff\xfe"}', headers=JSON),
    Call("form body", "POST", "/ask", 415, content=b"question=hi"),
    Call("oversized body", "POST", "/ask", 413, content=b"x" * (BODY_LIMIT + 1), headers=JSON),
    # An id that is not in the log: the app answers 404, which is not a failure of the server.
    Call("feedback", "POST", "/feedback", 404, json={"answer_id": "abc123", "helpful": True}),
    Call("bad feedback", "POST", "/feedback", 422, json={"answer_id": "<>", "helpful": 1}),
    Call("wrong method", "GET", "/ask", 405),
    Call("unknown route", "GET", "/api/nope", 404),
    Call("health", "GET", "/healthz", 200),
]


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    settings = {
        "CHATBOT_MAX_BODY_BYTES": str(BODY_LIMIT),
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "1000000",
        "CHATBOT_RATE_LIMIT_BURST": "1000000",
        "CHATBOT_KEEP_ALIVE_SECONDS": str(KEEP_ALIVE_SECONDS),
    }
    with running_server(settings, workers=2) as url:
        yield url


async def run_load(url: str) -> tuple[collections.Counter[tuple[str, int]], list[str]]:
    """Send REQUESTS calls, cycling through CALLS, from CONCURRENCY connections."""
    outcomes: collections.Counter[tuple[str, int]] = collections.Counter()
    dropped: list[str] = []
    queue = [CALLS[i % len(CALLS)] for i in range(REQUESTS)]
    limits = httpx2.Limits(max_connections=CONCURRENCY)
    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while queue:
                call = queue.pop()
                try:
                    response = await client.request(
                        call.method,
                        call.path,
                        json=call.json,
                        content=call.content,
                        headers=call.headers,
                    )
                    outcomes[(call.name, response.status_code)] += 1
                except httpx2.TransportError as error:
                    dropped.append(f"{call.name}: {error!r}")

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return outcomes, dropped


def test_concurrent_mixed_load_gets_every_expected_status_and_drops_nothing(
    server_url: str,
) -> None:
    outcomes, dropped = asyncio.run(run_load(server_url))
    assert dropped == []
    assert sum(outcomes.values()) == REQUESTS
    server_errors = {key: n for key, n in outcomes.items() if key[1] >= 500}
    assert server_errors == {}
    expected = {call.name: call.expected for call in CALLS}
    unexpected = {key: n for key, n in outcomes.items() if expected[key[0]] != key[1]}
    assert unexpected == {}


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(server_url: str) -> None:
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        reply = b""
        while not reply.endswith(b"}"):  # the /healthz body is one JSON object
            chunk = connection.recv(65536)
            assert chunk, f"closed before the reply was complete: {reply!r}"
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200 OK")
        started = time.monotonic()
        assert connection.recv(65536) == b""  # the server hung up on the idle connection
        idle = time.monotonic() - started
    assert KEEP_ALIVE_SECONDS * 0.5 <= idle < KEEP_ALIVE_SECONDS + 5
