"""The real server under load on loopback: throughput and latency of /ask beside /healthz."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx2
from workload import REAL_QUESTIONS, ROOT, percentile


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 0.99)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start `chatbot serve`; returns it, its URL and seconds until /ask first answered.

    Returns only once every worker has started, so no worker is still building its
    index while the load runs.
    """
    port = free_port()
    environment = {**os.environ, "CHATBOT_RATE_LIMIT_PER_MINUTE": "0"}
    command = [sys.executable, "-m", "chatbot", "serve", "--port", str(port)]
    started = time.perf_counter()
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    url = f"http://127.0.0.1:{port}"
    first_answer: float | None = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if first_answer is None:
            try:
                response = httpx2.post(f"{url}/ask", json={"question": "hip flexors"}, timeout=5)
                if response.status_code == 200:
                    first_answer = time.perf_counter() - started
            except httpx2.TransportError:
                pass
        ready = log.read_text(errors="replace").count("Application startup complete")
        if first_answer is not None and ready >= workers:
            return server, url, first_answer
        time.sleep(0.01)
    server.terminate()
    raise SystemExit(f"chatbot serve did not start; its log: {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


async def drive(url: str, path: str, concurrency: int, total: int) -> LoadResult:
    """`total` requests from `concurrency` keep-alive connections; counts non-2xx as errors."""
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    issued = 0

    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def one_connection() -> None:
            nonlocal errors, issued
            while issued < total:
                issued += 1
                question = REAL_QUESTIONS[issued % len(REAL_QUESTIONS)]
                started = time.perf_counter()
                try:
                    if path == "/ask":
                        response = await client.post(path, json={"question": question})
                    else:
                        response = await client.get(path)
                    failed = not response.is_success
                except httpx2.HTTPError:
                    failed = True
                latencies.append((time.perf_counter() - started) * 1000)
                errors += failed

        started = time.perf_counter()
        await asyncio.gather(*(one_connection() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return LoadResult(total, errors, seconds, latencies)


def load(url: str, path: str, concurrency: int, total: int) -> LoadResult:
    return asyncio.run(drive(url, path, concurrency, total))


@dataclass(frozen=True)
class Comparison:
    """/ask beside /healthz on one server, in alternating rounds so drift hits both."""

    ask: list[LoadResult]
    health: list[LoadResult]

    @staticmethod
    def rate(results: list[LoadResult]) -> float:
        return statistics.median(result.rate for result in results)

    @staticmethod
    def latencies(results: list[LoadResult]) -> list[float]:
        return [ms for result in results for ms in result.latencies_ms]

    @property
    def ratio(self) -> float:
        return statistics.median(
            a.rate / h.rate for a, h in zip(self.ask, self.health, strict=True)
        )

    @property
    def errors(self) -> int:
        return sum(result.errors for result in [*self.ask, *self.health])


def compare(url: str, concurrency: int, requests: int, rounds: int) -> Comparison:
    per_round = max(4 * concurrency, requests // rounds)
    ask: list[LoadResult] = []
    health: list[LoadResult] = []
    for _ in range(rounds):
        health.append(load(url, "/healthz", concurrency, per_round))
        ask.append(load(url, "/ask", concurrency, per_round))
    return Comparison(ask, health)


def run_http(requests: int, concurrencies: Sequence[int], rounds: int = 5) -> None:
    print(f"## HTTP: `chatbot serve` on loopback, {requests} requests per endpoint and cell\n")
    print(f"Each cell alternates /healthz and /ask in {rounds} rounds; req/s and the ratio")
    print("are medians over the rounds, latencies are over all requests.\n")
    startup: dict[int, float] = {}
    log = Path(tempfile.gettempdir()) / f"chatbot-bench-{os.getpid()}.log"
    server, url, startup[1] = start_server(1, log)
    try:
        load(url, "/ask", 4, 200)  # Warm-up: caches, connection pools.
        print(
            "| concurrency | /ask req/s | /ask p50 (ms) | /ask p99 (ms) | /healthz req/s ", end=""
        )
        print("| /healthz p50 (ms) | /healthz p99 (ms) | /ask ÷ /healthz | errors |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for concurrency in concurrencies:
            cell = compare(url, concurrency, requests, rounds)
            ask, health = Comparison.latencies(cell.ask), Comparison.latencies(cell.health)
            print(
                f"| {concurrency} | {Comparison.rate(cell.ask):.0f} | {statistics.median(ask):.1f} "
                f"| {percentile(ask, 0.99):.1f} | {Comparison.rate(cell.health):.0f} "
                f"| {statistics.median(health):.1f} | {percentile(health, 0.99):.1f} "
                f"| {cell.ratio:.0%} | {cell.errors} |",
                flush=True,
            )
    finally:
        stop_server(server)
    print("\n| workers | /ask req/s (c=16) | /healthz req/s (c=16) | /ask ÷ /healthz | errors |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for workers in (1, 2):
        server, url, startup[workers] = start_server(workers, log)
        try:
            load(url, "/ask", 4, 200)
            cell = compare(url, 16, requests, rounds)
        finally:
            stop_server(server)
        print(
            f"| {workers} | {Comparison.rate(cell.ask):.0f} | {Comparison.rate(cell.health):.0f} "
            f"| {cell.ratio:.0%} | {cell.errors} |",
            flush=True,
        )
    print("\n| workers | `chatbot serve` → first answered /ask (s) |")
    print("| ---: | ---: |")
    for workers, seconds in sorted(startup.items()):
        print(f"| {workers} | {seconds:.2f} |")
    print()
