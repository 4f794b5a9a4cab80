"""The cost of /ask inside the app: the framework around it and the engine inside it."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from workload import REAL_QUESTIONS


async def call_app(app: Any, method: str, path: str, body: bytes = b"") -> int:
    """One request straight into the ASGI app: no sockets, no HTTP parsing."""
    headers = [(b"host", b"bench"), (b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # The client never leaves mid-request here.
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def run_in_process(rounds: int) -> None:
    """Split the cost of /ask: the framework around it, and the engine inside it."""
    from chatbot.app import create_app
    from chatbot.settings import Settings

    app = create_app(Settings(rate_limit_per_minute=0))
    engine = app.state.engine
    bodies = [json.dumps({"question": q}).encode() for q in REAL_QUESTIONS]

    async def median_us(method: str, path: str, with_body: bool) -> float:
        for index in range(50):
            await call_app(app, method, path, bodies[index % len(bodies)] if with_body else b"")
        timings: list[float] = []
        for index in range(rounds):
            body = bodies[index % len(bodies)] if with_body else b""
            started = time.perf_counter()
            assert await call_app(app, method, path, body) == 200
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1e6

    health = asyncio.run(median_us("GET", "/healthz", False))
    ask = asyncio.run(median_us("POST", "/ask", True))
    timings: list[float] = []
    for index in range(rounds):
        started = time.perf_counter()
        engine.ask(REAL_QUESTIONS[index % len(REAL_QUESTIONS)])
        timings.append(time.perf_counter() - started)
    engine_us = statistics.median(timings) * 1e6
    print("## In process: one request at a time straight into the ASGI app (median µs)\n")
    print("| GET /healthz | POST /ask | of which `Engine.ask` | /ask rest of the framework |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {health:.0f} | {ask:.0f} | {engine_us:.0f} | {ask - engine_us:.0f} |\n")
