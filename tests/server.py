"""`chatbot serve` as a real process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx2

from chatbot.settings import PROJECT_ROOT

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    environment: Mapping[str, str], stderr: Path | None = None, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """The running server and its base URL, once /healthz answers 200."""
    port = free_port()
    command = [sys.executable, "-m", "chatbot", "serve", "--port", str(port)]
    with stderr.open("wb") if stderr else open(os.devnull, "wb") as errors:
        server = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "CHATBOT_LOG_QUESTIONS": "1", **environment},
            stdout=subprocess.DEVNULL,
            stderr=errors,  # the child keeps its own copy once started
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            log = stderr.read_text() if stderr else ""
            raise AssertionError(f"chatbot serve exited with {server.returncode}\n{log}")
        assert time.monotonic() < deadline, f"chatbot serve did not start in {START_TIMEOUT} s"
        try:
            if httpx2.get(f"{url}/healthz").status_code == 200:
                return server, url
        except httpx2.TransportError:
            time.sleep(0.1)


@contextlib.contextmanager
def running_server(
    settings: Mapping[str, str], workers: int = 1, stderr: Path | None = None
) -> Iterator[str]:
    """Serve with these `CHATBOT_*` variables; yields the base URL, stops the server after."""
    server, url = start_server(settings, stderr=stderr, workers=workers)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
