"""Performance report: retrieval cost by knowledge size, and the real server under load.

Run with `make bench` (or `python bench/performance.py --quick` for a short run). Each
knowledge size is measured in a fresh process so its memory is its own; the HTTP part
starts `chatbot serve` and drives it from an asyncio client on loopback with a bounded
number of requests. Prints Markdown tables, medians and ratios from one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from app_cost import run_in_process, run_startup
from retrieval_cost import run_retrieval, run_side_by_side
from server_load import run_http

ROOT = Path(__file__).resolve().parent.parent
# The commit the last round of speed work started from: `--before` compares with it.
BASELINE = "f3c89a4"

SYNTHETIC_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)


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
    parser.add_argument(
        "--only", choices=["retrieval", "app", "http", "before"], help="run one part"
    )
    parser.add_argument(
        "--before",
        metavar="COMMIT",
        default=BASELINE,
        help=f"commit to compare with, side by side in this run (default {BASELINE}; "
        "'' skips the comparison)",
    )
    args = parser.parse_args(argv)
    print(f"# Performance report\n\nMachine: {machine()}\n")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"Run: {when}, quick={args.quick}, load average at start {load}\n")
    if args.before and args.only in (None, "before"):
        compare_with(args.before, QUICK_SIZES if args.quick else SYNTHETIC_SIZES, args.quick)
    if args.only in (None, "retrieval"):
        sizes = QUICK_SIZES if args.quick else SYNTHETIC_SIZES
        run_retrieval(sizes, 100 if args.quick else 500, args.profile)
    if args.only in (None, "app"):
        run_in_process(300 if args.quick else 2000)
    if args.only in (None, "http"):
        run_http(300 if args.quick else 2000, (1, 16, 64))


def compare_with(commit: str, sizes: Sequence[int], quick: bool) -> None:
    """Measure `commit` (checked out in a temporary worktree) and the code now, size by
    size in one run, so both sides see the same machine and load."""
    with tempfile.TemporaryDirectory() as folder:
        before = Path(folder) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(before), commit],
            check=True,
        )
        try:
            run_startup(before, f"`{commit}`", ROOT)
            run_side_by_side(sizes, 100 if quick else 400, before, f"`{commit}`")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                check=False,
            )


if __name__ == "__main__":
    main()
