"""The question log's cost under load: /ask beside /healthz on two source trees at once.

    python bench/group_commit.py --before /tmp/old-checkout [--after .] [--requests 2000]

Starts `chatbot serve` from each tree (log on, rate limit off, the tree's own sample
knowledge), and for each concurrency drives both in turn, so drift hits both alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from server_load import Comparison, compare, free_port, load, percentile
from workload import ROOT


def start(tree: Path, db: Path, log: bool = True) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    environment = {
        **os.environ,
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "0",
        "CHATBOT_LOG_QUESTIONS": "1" if log else "0",
        "CHATBOT_DB": str(db),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--port", str(port)],
        cwd=tree,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz").status_code == 200:
                return server, url
        except httpx2.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"chatbot serve did not start from {tree}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="the older source tree")
    parser.add_argument("--after", type=Path, default=ROOT, help="the newer (default: this)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    trees = {"before": arguments.before.resolve(), "after": arguments.after.resolve()}
    with tempfile.TemporaryDirectory() as folder:
        servers = {name: start(tree, Path(folder) / f"{name}.db") for name, tree in trees.items()}
        # The same answers with no log at all: the most the log's design can give back.
        servers["after, log off"] = start(trees["after"], Path(folder) / "off.db", log=False)
        try:
            for _, url in servers.values():
                load(url, "/ask", 4, 200)  # warm-up
            print("| concurrency | tree | /ask req/s | /ask p50 (ms) | /ask p99 (ms) ", end="")
            print("| /healthz req/s | /ask ÷ /healthz | errors |")
            print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for concurrency in (1, 16, 64):
                for name, (_, url) in servers.items():
                    cell = compare(url, concurrency, arguments.requests, arguments.rounds)
                    ask = Comparison.latencies(cell.ask)
                    print(
                        f"| {concurrency} | {name} | {Comparison.rate(cell.ask):.0f} "
                        f"| {percentile(ask, 0.5):.1f} | {percentile(ask, 0.99):.1f} "
                        f"| {Comparison.rate(cell.health):.0f} | {cell.ratio:.0%} "
                        f"| {cell.errors} |",
                        flush=True,
                    )
        finally:
            for server, _ in servers.values():
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
