"""Retrieval cost by knowledge size: build time, memory and query latency.

Each size runs in a fresh process (this file, with `--size`), so its memory is its own.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from workload import REAL_QUESTIONS, percentile, real_passages, synthetic_passages

from chatbot.retrieval import Retriever

SEED = 20240601


def rss_mib() -> float:
    """Resident memory of this process now, from /proc (Linux)."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def retrieval_child(
    size: int, queries_to_time: int, profile: bool, cache_dir: Path | None = None
) -> dict[str, float | str]:
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
    result: dict[str, float | str] = {}
    if cache_dir is not None:
        # A restart from the index cache: saved once, then read back as a new worker would.
        Retriever.cached(cache_dir, passages, synonyms, alternates)
        started = time.perf_counter()
        Retriever.cached(cache_dir, passages, synonyms, alternates)
        result["cache_load_s"] = time.perf_counter() - started
    for query in queries[:10]:
        retriever.search(query, k=8)
    timings: list[float] = []
    for index in range(queries_to_time):
        query = queries[index % len(queries)]
        started = time.perf_counter()
        retriever.search(query, k=8)
        timings.append((time.perf_counter() - started) * 1000)
    result |= {
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


def measure(
    size: int, queries: int, script: Path, profile: bool = False, cache_dir: Path | None = None
) -> dict[str, float | str]:
    """One size measured in a fresh process by `script` (this file, or its copy in a
    checkout of older code, which then imports that code)."""
    command = [sys.executable, str(script), "--size", str(size), "--queries", str(queries)]
    if profile:
        command.append("--profile")
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    row: dict[str, float | str] = json.loads(output)
    return row


def run_side_by_side(sizes: Sequence[int], queries: int, before: Path, label: str) -> None:
    """The same sizes measured on the code before (`before`, a checkout) and now."""
    print(f"## Retrieval before ({label}) and now, one process per size and version\n")
    print("| knowledge base | passages | build (s) before → now | RSS (MiB) before → now ", end="")
    print("| median (ms) before → now | p99 (ms) before → now | restart from cache (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (0, *sizes):
        count = queries if size < 100_000 else max(50, queries // 4)
        old = measure(size, count, before / "bench" / "retrieval_cost.py")
        with tempfile.TemporaryDirectory() as cache:
            new = measure(size, count, Path(__file__), cache_dir=Path(cache))
        name = "real (`knowledge/`)" if size == 0 else f"synthetic {size:,}"
        cells = [
            f"{float(old[key]):{form}} → {float(new[key]):{form}}"
            for key, form in (("build_s", ".2f"), ("rss_mib", ".0f"), ("median_ms", ".2f"))
        ]
        cells.append(f"{float(old['p99_ms']):.2f} → {float(new['p99_ms']):.2f}")
        cells.append(f"{float(new['cache_load_s']):.2f}")
        print(f"| {name} | {int(new['passages']):,} | " + " | ".join(cells) + " |", flush=True)
    print()


def run_retrieval(sizes: Sequence[int], queries: int, profile: bool) -> None:
    print("## Retrieval (`Retriever.search`, k=8, one process per size)\n")
    print("| knowledge base | passages | build (s) | RSS (MiB) | index (MiB) ", end="")
    print("| median (ms) | p99 (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    profiles: list[tuple[int, str]] = []
    for size in (0, *sizes):
        command = [sys.executable, __file__, "--size", str(size), "--queries"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure one knowledge size.")
    parser.add_argument("--size", type=int, required=True, help="passages; 0 for knowledge/")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cache-dir", type=Path, help="also time a restart from this cache")
    args = parser.parse_args()
    print(json.dumps(retrieval_child(args.size, args.queries, args.profile, args.cache_dir)))


if __name__ == "__main__":
    main()
