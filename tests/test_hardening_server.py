"""Hardening of `chatbot serve` against a hostile client: silent and slow connections,
running out of file descriptors, refused bodies, and what the server's log keeps."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from chatbot.settings import PROJECT_ROOT
from tests.server import START_TIMEOUT, free_port

pytestmark = pytest.mark.e2e  # every test here starts `chatbot serve` as a real process


@contextlib.contextmanager
def serve(
    log: Path, environment: dict[str, str], open_files: int | None = None
) -> Iterator[tuple[str, int]]:
    """`chatbot serve` under an optional open-file limit; yields its URL and port."""
    port = free_port()
    command = f"exec {sys.executable} -m chatbot serve --port {port}"
    if open_files is not None:
        command = f"ulimit -n {open_files} && {command}"
    with log.open("wb") as errors:
        server = subprocess.Popen(
            ["bash", "-c", command],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environment},
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "chatbot serve did not start"
            try:
                if httpx2.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        yield url, port
    finally:
        server.terminate()
        server.wait(timeout=30)


def silent_connections(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(sock)
    return sockets


def healthz_within(url: str, seconds: float) -> int | None:
    """The status of the first /healthz that answers within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status = httpx2.get(f"{url}/healthz", timeout=1.0).status_code
            if status == 200:
                return status
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    return None


def test_silent_connections_are_closed_and_do_not_exhaust_open_files(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    # 300 connections that never send a byte, under a limit of 256 open files.
    environment = {"CHATBOT_HEADER_TIMEOUT_SECONDS": "1", "CHATBOT_LOG_QUESTIONS": "0"}
    with serve(log, environment, open_files=256) as (url, port):
        sockets = silent_connections(port, 300)
        try:
            assert healthz_within(url, 8.0) == 200
            # The server hung up on the silent ones: reading gives end of file.
            sockets[0].settimeout(5)
            assert sockets[0].recv(1) == b""
        finally:
            for sock in sockets:
                sock.close()
    output = log.read_text()
    # At most one line a minute about running out, never a flood of tracebacks.
    assert output.count("Too many open files") <= 1, output[-2000:]
    assert output.count("Traceback") <= 1, output[-2000:]


def test_a_client_dribbling_its_headers_is_cut_off(tmp_path: Path) -> None:
    environment = {"CHATBOT_HEADER_TIMEOUT_SECONDS": "1", "CHATBOT_LOG_QUESTIONS": "0"}
    with serve(tmp_path / "server.log", environment) as (_, port):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        with sock:
            started = time.monotonic()
            closed = False
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                time.sleep(0.1)
            if not closed:
                assert sock.recv(1) == b""
            assert time.monotonic() - started < 4.5


def test_over_the_connection_cap_a_new_connection_gets_503(tmp_path: Path) -> None:
    environment = {"CHATBOT_MAX_CONNECTIONS": "5", "CHATBOT_LOG_QUESTIONS": "0"}
    with serve(tmp_path / "server.log", environment) as (url, port):
        held = silent_connections(port, 5)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
                reply = extra.recv(200)
            assert reply.startswith(b"HTTP/1.1 503")
        finally:
            for sock in held:
                sock.close()
        assert healthz_within(url, 5.0) == 200


def test_after_a_chunked_413_the_server_closes_instead_of_draining(tmp_path: Path) -> None:
    environment = {"CHATBOT_MAX_BODY_BYTES": "1024", "CHATBOT_LOG_QUESTIONS": "0"}
    head = (
        b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"800\r\n" + b"a" * 0x800 + b"\r\n"
    with (
        serve(tmp_path / "server.log", environment) as (_, port),
        socket.create_connection(("127.0.0.1", port), timeout=3) as sock,
    ):
        sock.sendall(head + chunk)
        reply = sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 413")
        # The client goes on sending; the server has hung up rather than read it all.
        with contextlib.suppress(OSError):
            for _ in range(20):
                sock.sendall(chunk)
                time.sleep(0.05)
        rest = b""
        with contextlib.suppress(ConnectionResetError):
            while part := sock.recv(4096):
                rest += part
        assert b"HTTP/1.1" not in rest


def test_no_client_address_reaches_the_server_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    environment = {"CHATBOT_LOG_QUESTIONS": "0"}
    with serve(log, environment) as (url, _):
        headers = {"x-forwarded-for": "203.0.113.77"}
        assert httpx2.get(f"{url}/healthz", headers=headers).status_code == 200
        assert httpx2.post(f"{url}/ask", json={"question": "sore wrist"}).status_code == 200
    output = log.read_text()
    assert "Uvicorn running" in output or "Application startup complete" in output
    assert "203.0.113.77" not in output
    assert "127.0.0.1:" not in output.replace(url, "")


def test_an_access_log_when_asked_for_has_no_address(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    environment = {"CHATBOT_LOG_QUESTIONS": "0", "CHATBOT_ACCESS_LOG": "1"}
    with serve(log, environment) as (url, _):
        headers = {"x-forwarded-for": "203.0.113.77"}
        assert httpx2.get(f"{url}/healthz", headers=headers).status_code == 200
    output = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in output
    assert "203.0.113.77" not in output
    assert "127.0.0.1:" not in output.replace(url, "")
