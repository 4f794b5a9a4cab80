"""The SQLite question log survives its `-shm` or `-wal` file being emptied in place.

That is what logrotate's `copytruncate` or `> file` does. SQLite maps `-shm` into
memory, so a truncated one used to kill the whole server with SIGBUS; each case runs
in a child process so that such a crash kills only the child.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.question_log import read_log

# Records one reply, empties the named companion files in place, records three more
# (reading the log between them, as /admin does), and prints each id once it is on disk.
CHILD = """
import os, sys
from pathlib import Path
from chatbot.answers import Answer
from chatbot.question_log import QuestionLog

path, emptied = Path(sys.argv[1]), sys.argv[2:]
log = QuestionLog(path, retention_days=30)

def record(question):
    answer = Answer(question=question, band="fallback", answered=False, text="text",
                    confidence=0.0, passage=None, related=(), disclaimer="d")
    print(("before " if question == "before" else "after ") + log.record(answer), flush=True)

record("before")
for suffix in emptied:
    os.truncate(f"{path}{suffix}", 0)
for n in range(3):
    record(f"after {n}")
    log.snapshot()
log.close()
"""


def _run(path: Path, emptied: tuple[str, ...]) -> tuple[int, dict[str, list[str]]]:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), *emptied],
        capture_output=True,
        text=True,
        timeout=60,
    )
    acknowledged: dict[str, list[str]] = {"before": [], "after": []}
    for line in child.stdout.splitlines():
        when, _, answer_id = line.partition(" ")
        acknowledged[when].append(answer_id)
    return child.returncode, acknowledged


@pytest.mark.skipif(sys.platform == "win32", reason="SQLite's -shm is a mapped file on POSIX")
@pytest.mark.parametrize(
    "emptied", [("-shm",), ("-shm", "-wal"), ("-wal",)], ids=["shm", "shm-and-wal", "wal"]
)
def test_a_log_whose_companion_files_are_emptied_keeps_recording(
    tmp_path: Path, emptied: tuple[str, ...]
) -> None:
    path = tmp_path / "log.db"
    returncode, acknowledged = _run(path, emptied)
    assert returncode == 0, (
        f"the process ended with {signal.Signals(-returncode).name}"
        if returncode < 0
        else f"the process ended with status {returncode}"
    )
    assert len(acknowledged["before"]) == 1
    assert len(acknowledged["after"]) == 3
    kept = {q.id for q in read_log(path).questions}
    # Every reply acknowledged after the truncation is in the log. One committed before
    # it stays too, unless the -wal holding it was itself emptied: that deletes it.
    assert set(acknowledged["after"]) <= kept
    if "-wal" not in emptied:
        assert set(acknowledged["before"]) <= kept
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
