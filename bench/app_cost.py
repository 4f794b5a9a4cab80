"""The cost of /ask inside the app: the framework around it and the engine inside it."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
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


# Run in a fresh interpreter inside a checkout: what a serving worker holds and waits for.
_WORKER = """
import json, re, time
started = time.perf_counter()
from chatbot.app import create_app
from chatbot.settings import Settings
imported = time.perf_counter()
app = create_app(Settings(rate_limit_per_minute=0, log_questions=False))
app.state.engine.ask("how do I stretch my hip flexors")
answered = time.perf_counter()
rss = re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)
print(json.dumps({"import_s": imported - started, "first_answer_s": answered - started,
                  "rss_mib": int(rss) / 1024}))
"""


def _worker(root: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-c", _WORKER],
        cwd=root,
        env=_env(root),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    row: dict[str, float] = json.loads(output.splitlines()[-1])
    return row


def _command_seconds(root: Path, *arguments: str) -> float:
    """Wall time of one `chatbot` command, interpreter start included."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "chatbot", *arguments],
        cwd=root,
        env=_env(root),
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - started


def _env(root: Path) -> dict[str, str]:
    # The checkout's own code first, whatever the virtual environment has installed.
    return {**os.environ, "PYTHONPATH": str(root), "CHATBOT_LOG_QUESTIONS": "0"}


def run_startup(before: Path, label: str, now: Path, runs: int = 3) -> None:
    """Start-up and a worker's memory with the sample knowledge base, the code before
    (a checkout at `before`) and now side by side; medians of `runs` fresh processes."""
    rows: list[tuple[str, str, str]] = []
    measures: list[tuple[str, str, Any]] = [
        ("import the app (s)", "import_s", None),
        ("start to first answer, in process (s)", "first_answer_s", None),
        ("worker RSS after its first answer (MiB)", "rss_mib", None),
        ("`chatbot ask` end to end (s)", "", ("ask", "how do I stretch my hip flexors")),
        ("`chatbot check` end to end (s)", "", ("check",)),
    ]
    workers = {root: [_worker(root) for _ in range(runs)] for root in (before, now)}
    for name, key, command in measures:
        cells = []
        for root in (before, now):
            if key:
                values = [w[key] for w in workers[root]]
            else:
                values = [_command_seconds(root, *command) for _ in range(runs)]
            cells.append(statistics.median(values))
        form = ".0f" if key == "rss_mib" else ".2f"
        rows.append((name, f"{cells[0]:{form}}", f"{cells[1]:{form}}"))
    print(f"## Start-up and memory, sample knowledge base: before ({label}) and now\n")
    print(f"Medians of {runs} fresh processes each.\n")
    print("| measure | before | now |")
    print("| --- | ---: | ---: |")
    for name, old, new in rows:
        print(f"| {name} | {old} | {new} |", flush=True)
    print()
