"""`chatbot serve` as a real process on loopback, for tests that need sockets."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping

import httpx2

from chatbot.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(settings: Mapping[str, str], workers: int = 1) -> Iterator[str]:
    """Serve with these `CHATBOT_*` variables; yields the base URL once /healthz answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "chatbot serve exited"
            assert time.monotonic() < deadline, "chatbot serve did not start in 60 s"
            try:
                if httpx2.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
