"""Limits under abuse: request body size and a per-client rate limit, as ASGI middleware.

The rate limit is the `limits` library's moving window: a client may send at most
`rate_limit_burst` requests in any window of `burst * 60 / rate_limit_per_minute`
seconds. So a burst goes through at once and the long-run rate is the per-minute one;
once a client has spent its burst it waits for its oldest request to leave the window
(Retry-After says how long). Counters live in `rate_limit_storage`: this process's
memory, or Redis shared by every worker and host. When Redis cannot be reached the
limit fails open: requests pass, and one warning a minute says so.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import ConfigurationError, StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.settings import Settings, redacted

# What each question or vote costs a client: the API, and the chat page's form posts.
RATE_LIMITED = frozenset({("POST", "/ask"), ("POST", "/feedback"), ("POST", "/")})
# Of those, the ones a person posts from a page: over the limit they get the page back.
PAGE_PATHS = frozenset({"/"})
# Where LimitsMiddleware leaves the seconds to wait for a page (`request.state.retry_after`).
RETRY_AFTER_STATE = "retry_after"
CLOSE = (b"connection", b"close")
# A shared store that does not answer quickly is treated as down, so a request never
# waits long on it; it is tried again this many seconds after it failed.
STORE_TIMEOUT_SECONDS = 0.5
STORE_RETRY_SECONDS = 5.0
# At most one "rate limits are off" warning per this many seconds, however many requests.
WARNING_INTERVAL_SECONDS = 60.0
# Keys in a shared store start with this, so several bots can share one Redis.
NAMESPACE = "chatbot"

logger = logging.getLogger(__name__)
Clock = Callable[[], float]


class RateLimiter:
    """Per client: `burst` requests at once, `per_minute` a minute in the long run."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        storage_url: str = "memory://",
        clock: Clock = time.time,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("RateLimiter needs per_minute > 0 and burst >= 1")
        self.item = window_limit(per_minute, burst)
        self.storage = open_storage(storage_url)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.where = redacted(storage_url)
        self.clock = clock
        # A process-local store answers in microseconds; a remote one goes to a thread
        # so a slow network never stalls the event loop.
        self.local = isinstance(self.storage, MemoryStorage)
        self._retry_at = 0.0
        self._quiet_until = 0.0
        self._failing = False

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter | None:
        """The limiter the settings ask for, or None when the limit is off."""
        if settings.rate_limit_per_minute <= 0:
            return None
        return cls(
            settings.rate_limit_per_minute, settings.rate_limit_burst, settings.rate_limit_storage
        )

    async def wait(self, client: str) -> float:
        """Count a request: 0.0 when allowed, otherwise the seconds until one will be."""
        if self.local:
            return self.take(client)
        return await run_in_threadpool(self.take, client)

    def take(self, client: str) -> float:
        """`wait`, blocking: the store is called on this thread."""
        now = self.clock()
        if now < self._retry_at:
            return 0.0
        try:
            if self.strategy.hit(self.item, NAMESPACE, client):
                wait = 0.0
            else:
                reset_at, _ = self.strategy.get_window_stats(self.item, NAMESPACE, client)
                wait = max(reset_at - self.clock(), 0.0)
        except StorageError as error:
            return self._fail_open(now, error)
        if self._failing:
            self._failing = False
            logger.warning("rate limits are back on: %s answers again", self.where)
        return wait

    def _fail_open(self, now: float, error: StorageError) -> float:
        # Refusing every question because the counter store is down would take the bot
        # down with it; letting them through keeps it answering, without limits.
        self._failing = True
        self._retry_at = now + STORE_RETRY_SECONDS
        if now >= self._quiet_until:
            self._quiet_until = now + WARNING_INTERVAL_SECONDS
            logger.warning(
                "rate limits are off: cannot reach %s (%s); requests pass unlimited until "
                "it answers",
                self.where,
                error,
            )
        return 0.0


def window_limit(per_minute: float, burst: int) -> RateLimitItem:
    """`burst` requests per `burst * 60 / per_minute` seconds, in whole seconds.

    The window is rounded up, so the long-run rate never exceeds `per_minute`; when it
    would be under a second, it is one second with as many requests as the rate allows.
    """
    seconds = max(1, math.ceil(60 * burst / per_minute))
    amount = max(burst, math.floor(per_minute * seconds / 60))
    return RateLimitItemPerSecond(amount, seconds)


def open_storage(url: str) -> Storage:
    """The `limits` store at `url`; a URL it cannot use raises ValueError saying why."""
    scheme = urlsplit(url).scheme
    # Only Redis takes these; a store that does not answer quickly is treated as down.
    options: dict[str, float | str | bool] = (
        {"socket_connect_timeout": STORE_TIMEOUT_SECONDS, "socket_timeout": STORE_TIMEOUT_SECONDS}
        if scheme.startswith("redis")
        else {}
    )
    try:
        storage = storage_from_string(url, wrap_exceptions=True, **options)
    except ConfigurationError as error:
        raise ValueError(
            f"CHATBOT_RATE_LIMIT_STORAGE={redacted(url)} cannot be used: {error} "
            "(for Redis, install the `redis` extra: pip install 'chatbot[redis]')"
        ) from None
    if not isinstance(storage, Storage) or not hasattr(storage, "acquire_entry"):
        raise ValueError(
            f"CHATBOT_RATE_LIMIT_STORAGE={redacted(url)} cannot be used: use memory:// or a "
            "redis:// URL"
        )
    return storage


class LimitsMiddleware:
    """Rejects oversized bodies with 413 before they are read, and floods with 429."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        rate_limited: Iterable[tuple[str, str]] = RATE_LIMITED,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = settings.max_body_bytes
        self.rate_limited = frozenset(rate_limited)
        self.limiter = limiter if limiter is not None else RateLimiter.from_settings(settings)
        self.page_paths = frozenset(PAGE_PATHS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.limiter is not None and (scope["method"], scope["path"]) in self.rate_limited:
            wait = await self.limiter.wait(client_address(scope))
            if wait > 0.0:
                seconds = max(1, math.ceil(wait))
                if scope["path"] in self.page_paths:
                    # A person at the no-JavaScript form gets the chat page back with a
                    # plain message, not JSON: the page reads the wait from the scope.
                    scope.setdefault("state", {})[RETRY_AFTER_STATE] = seconds
                    await self.app(scope, receive, send)
                    return
                unit = "second" if seconds == 1 else "seconds"
                detail = f"Too many requests: please wait {seconds} {unit} and ask again."
                await send_error(send, 429, detail, [(b"retry-after", str(seconds).encode())])
                return
        length, chunked = body_headers(scope)
        # The rest of a refused body is never read: `Connection: close` makes the server
        # hang up after the 413 instead of draining what the client goes on sending.
        if length is not None and length > self.max_body_bytes:
            await send_error(send, 413, self._too_large(), [CLOSE])
            return
        if length is None and chunked:
            # A streamed body declares no size: read it here, up to the limit, and hand
            # the app the whole of it, so nothing downstream parses an oversized body.
            message = await read_body(receive, self.max_body_bytes)
            if message is None:
                await send_error(send, 413, self._too_large(), [CLOSE])
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


class ForwardedClientMiddleware:
    """The client address and scheme from `X-Forwarded-For`/`-Proto`, set by trusted proxies.

    Used instead of uvicorn's proxy headers, which with `*` take the leftmost
    X-Forwarded-For entry: one the client writes itself, so each request could claim a
    new address and escape its rate limit. Here the address is the rightmost hop that
    is not a trusted proxy; with `*` (every proxy trusted), the rightmost entry, the
    one the proxy in front appended from the connection it saw.
    """

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        entries = [entry.strip() for entry in trusted.split(",") if entry.strip()]
        self.trust_all = "*" in entries
        self.networks: list[IPv4Network | IPv6Network] = []
        self.names: set[str] = set()
        for entry in entries:
            try:
                self.networks.append(ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry)  # a Unix socket path or a host name, matched as is

    def trusts(self, host: str) -> bool:
        if self.trust_all or host in self.names:
            return True
        try:
            address = ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client_host(self, hops: list[str]) -> str | None:
        """The address the rate limit keys on, from the X-Forwarded-For hops."""
        if not hops:
            return None
        if self.trust_all:
            return hops[-1]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0]  # every hop is a trusted proxy: the first one is the client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self.trusts(str(client[0])):
            forwarded: list[str] = []
            proto: str | None = None
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded += value.decode("latin-1").split(",")
                elif name == b"x-forwarded-proto":
                    proto = value.decode("latin-1").split(",")[-1].strip().lower()
            host = self.client_host([hop.strip() for hop in forwarded if hop.strip()])
            if host is not None:
                scope["client"] = (host, 0)
            if proto in ("http", "https", "ws", "wss"):
                if scope["type"] == "websocket":
                    proto = proto.replace("http", "ws")
                scope["scheme"] = proto
        await self.app(scope, receive, send)
