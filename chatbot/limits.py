"""Limits under abuse: request body size and a per-client rate limit, as ASGI middleware."""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.settings import Settings

# What each question or vote costs a client: the API, and the chat page's form posts.
RATE_LIMITED = frozenset({("POST", "/ask"), ("POST", "/feedback"), ("POST", "/")})
# Buckets kept at most; past this the client seen longest ago is forgotten (it gets a
# fresh burst), so memory and time per request stay bounded however many clients come.
MAX_TRACKED_CLIENTS = 100_000

Clock = Callable[[], float]


class TokenBuckets:
    """One token bucket per client: `burst` tokens, refilled at `per_minute` a minute."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        clock: Clock = time.monotonic,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        if per_minute <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("TokenBuckets needs per_minute > 0, burst >= 1 and max_clients >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Spend a token: 0.0 when allowed, otherwise the seconds until one is available."""
        now = self.clock()
        tokens, then = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return 0.0 if allowed else (1.0 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


class LimitsMiddleware:
    """Rejects oversized bodies with 413 before they are read, and floods with 429."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        rate_limited: Iterable[tuple[str, str]] = RATE_LIMITED,
        clock: Clock = time.monotonic,
    ) -> None:
        self.app = app
        self.max_body_bytes = settings.max_body_bytes
        self.rate_limited = frozenset(rate_limited)
        self.buckets = (
            TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst, clock)
            if settings.rate_limit_per_minute > 0
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.buckets is not None and (scope["method"], scope["path"]) in self.rate_limited:
            wait = self.buckets.take(client_address(scope))
            if wait > 0.0:
                seconds = max(1, math.ceil(wait))
                unit = "second" if seconds == 1 else "seconds"
                detail = f"Too many requests: please wait {seconds} {unit} and ask again."
                await send_error(send, 429, detail, [(b"retry-after", str(seconds).encode())])
                return
        length, chunked = body_headers(scope)
        if length is not None and length > self.max_body_bytes:
            await send_error(send, 413, self._too_large())
            return
        if length is None and chunked:
            # A streamed body declares no size: read it here, up to the limit, and hand
            # the app the whole of it, so nothing downstream parses an oversized body.
            message = await read_body(receive, self.max_body_bytes)
            if message is None:
                await send_error(send, 413, self._too_large())
                return
            receive = replay(message, receive)
        await self.app(scope, receive, send)

    def _too_large(self) -> str:
        return f"The request body is too large: send at most {self.max_body_bytes} bytes."


def client_address(scope: Scope) -> str:
    """The client's address; behind a trusted proxy the server has already resolved it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def body_headers(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None when absent) and whether the body is chunked."""
    length: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            # The server rejects malformed lengths; this guards direct ASGI callers.
            length = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, chunked


async def read_body(receive: Receive, limit: int) -> Message | None:
    """The whole request body as one message, or None once it grows past `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # The client left; the app sees the disconnect as usual.
        body: bytes = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def replay(first: Message, receive: Receive) -> Receive:
    """A `receive` that yields `first` once, then defers to the server's."""
    pending = [first]

    async def receive_again() -> Message:
        return pending.pop() if pending else await receive()

    return receive_again


async def send_error(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
