"""Running the app under uvicorn: one process, or several worker processes on one port."""

from __future__ import annotations

import asyncio
import copy
import errno
import logging
import os
import resource
import socket
import time
from typing import Any, ClassVar

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from starlette.types import ASGIApp
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from chatbot.limits import ForwardedClientMiddleware
from chatbot.reloading import SUPERVISOR_VARIABLE
from chatbot.settings import Settings

APP_FACTORY = "chatbot.serving:create_served_app"
PROTOCOL = "chatbot.serving:GuardedH11Protocol"
# How long a replacement worker may take to load the knowledge base and start serving
# before a rolling restart gives up on it (uvicorn's default, 5 s, is too short).
WORKER_START_SECONDS = 60
# Requests in flight get this long to finish when the server is asked to stop.
GRACEFUL_SHUTDOWN_SECONDS = 10


# File descriptors kept back from the connection cap for the process's own files: the
# listener, the question log, the knowledge folder being reloaded, logs, the event loop.
RESERVED_FILES = 64
# uvicorn's listen backlog, and how many accept bursts of that size may land before a
# connection over the cap is closed (accept, then the transport, then connection_made).
MAX_BACKLOG = 2048
ACCEPT_TURNS = 3
# At most one "out of file descriptors" message per this many seconds.
EMFILE_LOG_INTERVAL_SECONDS = 60.0
# Sent to a connection over the cap, which is then closed without reading it.
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"content-length: 63\r\nretry-after: 1\r\nconnection: close\r\n\r\n"
    b'{"detail": "The server is busy. Please try again in a moment."}'
)
# An access line without the client's address, which uvicorn's default format prints.
ACCESS_FORMAT = '%(levelprefix)s "%(request_line)s" %(status_code)s'


def serve_app(app: FastAPI, settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve `app`, or with `workers` > 1 that many processes each building its own."""
    if workers == 1:
        guard_connections(settings)
        served = served_app(app, settings)
        uvicorn.run(served, host=host, port=port, **server_options(settings))
        return
    # Worker processes import the factory and build their own app from CHATBOT_*
    # variables, so they serve exactly the settings `app` was built and checked with.
    os.environ.update(settings_environment(settings.model_copy(update={"workers": workers})))
    os.environ[SUPERVISOR_VARIABLE] = str(os.getpid())
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        **server_options(settings),
    )
    Multiprocess(config, sockets=[tcp_listener(config.bind_socket())]).run()


def tcp_listener(listener: socket.socket) -> socket.socket:
    """The listener marked as TCP, so accepted connections get TCP_NODELAY.

    uvicorn binds it with the protocol left at 0; asyncio then leaves Nagle's algorithm
    on for every accepted connection, and each keep-alive response waits about 40 ms
    for the client's delayed ACK (uvicorn issue 3149).
    """
    if listener.family not in (socket.AF_INET, socket.AF_INET6):
        return listener
    return socket.socket(listener.family, listener.type, socket.IPPROTO_TCP, listener.detach())


def server_options(settings: Settings) -> dict[str, Any]:
    """Uvicorn options that bound what one slow or idle client can hold."""
    return {
        "http": PROTOCOL,
        "backlog": listen_backlog(),
        "timeout_keep_alive": settings.keep_alive_seconds,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        # ForwardedClientMiddleware reads X-Forwarded-For instead (see served_app);
        # uvicorn's own would key the rate limit on an address the client chose.
        "proxy_headers": False,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        "access_log": settings.access_log,
        "log_config": log_config(),
    }


def served_app(app: FastAPI, settings: Settings) -> ASGIApp:
    """`app` as served: the client address taken from trusted proxies' X-Forwarded-For."""
    return ForwardedClientMiddleware(app, settings.forwarded_allow_ips)


def create_served_app() -> ASGIApp:
    """The factory each worker process calls: the app from its `CHATBOT_*` variables."""
    from chatbot.app import create_app  # imported here: the factory runs in the worker

    settings = Settings()
    guard_connections(settings)
    return served_app(create_app(settings), settings)


def guard_connections(settings: Settings) -> None:
    """Set the request timeout and the connection cap of this process's connections."""
    GuardedH11Protocol.request_seconds = settings.header_timeout_seconds
    GuardedH11Protocol.max_connections = connection_cap(settings.max_connections)


def open_file_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def listen_backlog() -> int:
    """The listen queue, which is also how many connections asyncio accepts in one go
    (uvicorn's 2048 would let one burst take every file descriptor before any
    connection over the cap could be closed)."""
    limit = open_file_limit()
    return MAX_BACKLOG if limit is None else max(16, min(MAX_BACKLOG, limit // 8))


def connection_cap(wanted: int) -> int:
    """`wanted`, or fewer when the open-file limit would run out first: room is kept for
    the process's own files and for the connections accepted in the few loop turns
    before one over the cap is closed."""
    limit = open_file_limit()
    if limit is None:
        return wanted
    return max(1, min(wanted, limit - RESERVED_FILES - ACCEPT_TURNS * listen_backlog()))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with two guards uvicorn lacks.

    - A whole request (headers and body) must arrive within `request_seconds` of the
      connection opening or of the previous reply; uvicorn has no header timeout, so a
      client that never sends a byte, or sends one a second, held its connection and a
      file descriptor forever.
    - At most `max_connections` are open: one more gets 503 and is closed at once, so
      the process never runs out of file descriptors for its own files.
    """

    request_seconds: ClassVar[float] = 10.0
    max_connections: ClassVar[int] = 1000
    _request_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(BUSY_RESPONSE)
            transport.close()
            return
        self._start_request_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_clock()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_request_clock()

    def _start_request_clock(self) -> None:
        self._stop_request_clock()
        self._request_timer = self.loop.call_later(self.request_seconds, self._request_too_slow)

    def _stop_request_clock(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_too_slow(self) -> None:
        self._request_timer = None
        cycle = self.cycle
        # Still waiting for headers, or for the rest of a body: the client is too slow.
        # A request that arrived whole and is being answered is left to finish.
        reading = cycle is None or cycle.response_complete or cycle.more_body
        if reading and not self.transport.is_closing():
            self.transport.close()


class RepeatedErrorFilter(logging.Filter):
    """Lets through one "out of file descriptors" record per interval, without its
    traceback, so a flood of connections cannot flood the log too."""

    def __init__(self, name: str = "", interval: float = EMFILE_LOG_INTERVAL_SECONDS) -> None:
        super().__init__(name)
        self.interval = interval
        self.quiet_until = 0.0
        self.suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not out_of_files(record):
            return True
        now = time.monotonic()
        if now < self.quiet_until:
            self.suppressed += 1
            return False
        self.quiet_until = now + self.interval
        record.msg = (
            f"{record.getMessage()}: too many open files (the open-file limit or "
            f"CHATBOT_MAX_CONNECTIONS is too high); {self.suppressed} more since the last "
            f"such message, the next ones are held back for {self.interval:.0f} s"
        )
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        self.suppressed = 0
        return True


def out_of_files(record: logging.LogRecord) -> bool:
    """A record of running out of file descriptors, or of its aftermath in asyncio: each
    failed accept schedules a retry that fails once the listener is closed."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, OSError) and error.errno in (errno.EMFILE, errno.ENFILE):
        return True
    message = record.getMessage()
    return "Too many open files" in message or "._start_serving(" in message


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with access lines that carry no address and one
    out-of-files message per interval (from asyncio's accept loop or uvicorn)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["fmt"] = ACCESS_FORMAT
    config["filters"] = {"out_of_files": {"()": RepeatedErrorFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["out_of_files"]
    config["loggers"]["asyncio"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as the `CHATBOT_*` variables that reproduce them, secrets included."""
    environment = {}
    for name, value in settings.model_dump().items():
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        environment[f"CHATBOT_{name.upper()}"] = text
    return environment
