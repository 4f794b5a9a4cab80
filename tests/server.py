"""Start `chatbot serve` as a real process on a free local port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    environment: dict[str, str], stderr: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The running server and its base URL, once it answers /healthz."""
    port = free_port()
    with stderr.open("wb") if stderr else open(os.devnull, "wb") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "chatbot", "serve", "--port", str(port)],
            env={**os.environ, "CHATBOT_LOG_QUESTIONS": "1", **environment},
            stdout=subprocess.DEVNULL,
            stderr=errors,  # the child keeps its own copy once started
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            httpx2.get(f"{url}/healthz")
            return server, url
        except httpx2.TransportError:
            assert server.poll() is None, "server exited"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
