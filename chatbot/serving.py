"""Running the app under uvicorn: one process, or several worker processes on one port."""

from __future__ import annotations

import os
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from uvicorn.supervisors import Multiprocess

from chatbot.reloading import SUPERVISOR_VARIABLE
from chatbot.settings import Settings

APP_FACTORY = "chatbot.app:create_app"
# How long a replacement worker may take to load the knowledge base and start serving
# before a rolling restart gives up on it (uvicorn's default, 5 s, is too short).
WORKER_START_SECONDS = 60
# Requests in flight get this long to finish when the server is asked to stop.
GRACEFUL_SHUTDOWN_SECONDS = 10


def serve_app(app: FastAPI, settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve `app`, or with `workers` > 1 that many processes each building its own."""
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **server_options(settings))
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
        "timeout_keep_alive": settings.keep_alive_seconds,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
    }


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as the `CHATBOT_*` variables that reproduce them, secrets included."""
    environment = {}
    for name, value in settings.model_dump().items():
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        environment[f"CHATBOT_{name.upper()}"] = text
    return environment
