"""Performance report: retrieval cost by knowledge size, and the real server under load.

Run with `make bench` (or `python bench/performance.py --quick` for a short run). Each
knowledge size is measured in a fresh process so its memory is its own; the HTTP part
starts `chatbot serve` and drives it from an asyncio client on loopback with a bounded
number of requests. Prints Markdown tables, medians and ratios from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.knowledge import Passage, load_knowledge  # noqa: E402
from chatbot.retrieval import Retriever  # noqa: E402

SYNTHETIC_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
PASSAGES_PER_DOCUMENT = 25
SYNTHETIC_VOCABULARY = 20_000
SEED = 20240601
REAL_QUESTIONS = [
    "sitting all day tight hips why",
    "What are the hip flexors?",
    "how do I massage my hip flexors step by step",
    "How can I stretch my hip flexors?",
    "is a foam roller good for hip pain",
    "how often should i massage tight hip flexors",
    "what causes tight hip flexors",
    "can tight hips cause lower back pain",
    "What is the capital of Australia?",
    "hpi flexsors masage",
]


# ---------------------------------------------------------------- retrieval


def rss_mib() -> float:
    """Resident memory of this process now, from /proc (Linux)."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def real_passages() -> tuple[list[Passage], dict[str, str], dict[str, list[str]]]:
    knowledge = load_knowledge(ROOT / "knowledge")
    alternates = {key: list(value) for key, value in knowledge.alternates.items()}
    return list(knowledge.passages), dict(knowledge.synonyms), alternates


def synthetic_passages(size: int, rng: random.Random) -> tuple[list[Passage], list[str]]:
    """`size` passages over a Zipf-distributed vocabulary seeded from the real articles."""
    real, _, _ = real_passages()
    words = sorted({w for p in real for w in re.findall(r"[a-z]{3,}", p.text.lower())})
    syllables = ["ka", "lo", "mi", "ren", "tus", "ab", "or", "el", "vin", "sto", "pra", "dex"]
    while len(words) < SYNTHETIC_VOCABULARY:
        words.append("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    cumulative = [0.0]
    for weight in weights:
        cumulative.append(cumulative[-1] + weight)
    cumulative.pop(0)

    def phrase(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high)))

    passages: list[Passage] = []
    questions: list[str] = []
    for index in range(size):
        document = f"doc-{index // PASSAGES_PER_DOCUMENT}"
        title = phrase(3, 6).capitalize()
        if rng.random() < 0.3:
            question = phrase(5, 10).capitalize() + "?"
            questions.append(question)
            kind, section, anchor = "faq", "Frequently Asked Questions", f"faq-{index}"
        else:
            question, kind, section, anchor = None, "article", title, f"p-{index}"
        passages.append(
            Passage(
                id=f"{document}#{anchor}",
                document=document,
                section=section,
                kind=kind,  # type: ignore[arg-type]
                text=phrase(25, 70) + ".",
                anchor=anchor,
                title=question or title,
                headings=(document, section),
                line=index,
                question=question,
            )
        )
    queries = [*rng.sample(questions, min(50, len(questions)))]
    queries += [phrase(2, 8) for _ in range(100)] + REAL_QUESTIONS
    rng.shuffle(queries)
    return passages, queries


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def retrieval_child(size: int, queries_to_time: int, profile: bool) -> dict[str, float | str]:
    """Build one index and time queries against it; runs in its own process."""
    rng = random.Random(SEED + size)
    if size == 0:
        passages, synonyms, alternates = real_passages()
        queries = list(REAL_QUESTIONS) + [p.question for p in passages if p.question]
    else:
        passages, queries = synthetic_passages(size, rng)
        synonyms, alternates = {}, {}
    before = rss_mib()
    started = time.perf_counter()
    retriever = Retriever(passages, synonyms, alternates)
    build_seconds = time.perf_counter() - started
    after = rss_mib()
    for query in queries[:10]:
        retriever.search(query, k=8)
    timings: list[float] = []
    for index in range(queries_to_time):
        query = queries[index % len(queries)]
        started = time.perf_counter()
        retriever.search(query, k=8)
        timings.append((time.perf_counter() - started) * 1000)
    result: dict[str, float | str] = {
        "passages": len(passages),
        "build_s": build_seconds,
        "rss_mib": after,
        "index_mib": after - before,
        "median_ms": statistics.median(timings),
        "p99_ms": percentile(timings, 0.99),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for index in range(min(200, queries_to_time)):
            retriever.search(queries[index % len(queries)], k=8)
        profiler.disable()
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(12)
        result["profile"] = report.getvalue()
    return result


def run_retrieval(sizes: Sequence[int], queries: int, profile: bool) -> None:
    print("## Retrieval (`Retriever.search`, k=8, one process per size)\n")
    print("| knowledge base | passages | build (s) | RSS (MiB) | index (MiB) ", end="")
    print("| median (ms) | p99 (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    profiles: list[tuple[int, str]] = []
    for size in (0, *sizes):
        command = [sys.executable, __file__, "--retrieval-child", str(size), "--queries"]
        command.append(str(queries if size < 100_000 else max(50, queries // 4)))
        if profile and size == max(sizes):
            command.append("--profile")
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        row = json.loads(output)
        name = "real (`knowledge/`)" if size == 0 else f"synthetic {size:,}"
        print(
            f"| {name} | {int(row['passages']):,} | {row['build_s']:.2f} | {row['rss_mib']:.0f} "
            f"| {row['index_mib']:.0f} | {row['median_ms']:.2f} | {row['p99_ms']:.2f} |",
            flush=True,
        )
        if "profile" in row:
            profiles.append((size, str(row["profile"])))
    for size, text in profiles:
        print(f"\nProfile of `search` at {size:,} passages (top functions by own time):\n")
        print("```")
        print("\n".join(line for line in text.splitlines() if line.strip())[:4000])
        print("```")
    print()


# ---------------------------------------------------------------- HTTP


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


def run_http(requests: int, concurrencies: Sequence[int]) -> None:
    print(f"## HTTP: `chatbot serve` on loopback, {requests} requests per cell\n")
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
            health = load(url, "/healthz", concurrency, requests)
            ask = load(url, "/ask", concurrency, requests)
            print(
                f"| {concurrency} | {ask.rate:.0f} | {ask.p50:.1f} | {ask.p99:.1f} "
                f"| {health.rate:.0f} | {health.p50:.1f} | {health.p99:.1f} "
                f"| {ask.rate / health.rate:.0%} | {ask.errors + health.errors} |",
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
            health = load(url, "/healthz", 16, requests)
            ask = load(url, "/ask", 16, requests)
        finally:
            stop_server(server)
        print(
            f"| {workers} | {ask.rate:.0f} | {health.rate:.0f} | {ask.rate / health.rate:.0%} "
            f"| {ask.errors + health.errors} |",
            flush=True,
        )
    print("\n| workers | `chatbot serve` → first answered /ask (s) |")
    print("| ---: | ---: |")
    for workers, seconds in sorted(startup.items()):
        print(f"| {workers} | {seconds:.2f} |")
    print()


# ---------------------------------------------------------------- in-process


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


# ---------------------------------------------------------------- report


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    model = ""
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer requests")
    parser.add_argument("--profile", action="store_true", help="profile search at the top size")
    parser.add_argument("--only", choices=["retrieval", "app", "http"], help="run one part")
    parser.add_argument("--retrieval-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.retrieval_child is not None:
        print(json.dumps(retrieval_child(args.retrieval_child, args.queries, args.profile)))
        return
    print(f"# Performance report\n\nMachine: {machine()}\n")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"Run: {when}, quick={args.quick}, load average at start {load}\n")
    if args.only in (None, "retrieval"):
        sizes = QUICK_SIZES if args.quick else SYNTHETIC_SIZES
        run_retrieval(sizes, 100 if args.quick else 500, args.profile)
    if args.only in (None, "app"):
        run_in_process(300 if args.quick else 2000)
    if args.only in (None, "http"):
        run_http(300 if args.quick else 2000, (1, 16, 64))


if __name__ == "__main__":
    main()
