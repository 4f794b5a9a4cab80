"""Limits under abuse: oversized bodies, floods of requests, unknown routes and methods."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx2
import limits.storage.memory
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from chatbot.app import create_app
from chatbot.limits import LimitsMiddleware, RateLimiter, window_limit
from chatbot.settings import Settings
from tests.conftest import FIXTURES
from tests.server import running_server

SMALL_BODY_LIMIT = 2048


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """A clock the in-memory `limits` store reads too, so windows pass without sleeping."""
    fake = FakeClock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def limited_client(**overrides: object) -> TestClient:
    settings = Settings.model_validate({"knowledge_dir": FIXTURES / "knowledge", **overrides})
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def small_body_client() -> TestClient:
    return limited_client(max_body_bytes=SMALL_BODY_LIMIT, rate_limit_per_minute=0)


@pytest.mark.parametrize("path", ["/ask", "/feedback", "/"])
def test_a_body_over_the_limit_gets_413_by_its_content_length(
    small_body_client: TestClient, path: str
) -> None:
    body = b'{"question": "' + b"x" * SMALL_BODY_LIMIT + b'"}'
    response = small_body_client.post(
        path, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is too large: send at most {SMALL_BODY_LIMIT} bytes."
    }


def test_a_streamed_body_over_the_limit_gets_413(small_body_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(10):
            yield b"x" * 512
        yield b'"}'

    response = small_body_client.post(
        "/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "at most 2048 bytes" in response.json()["detail"]


def test_a_streamed_body_under_the_limit_is_answered(small_body_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": '
        yield b'"Can I use soap on cast iron?"}'

    response = small_body_client.post(
        "/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["answered"] is True


def test_an_oversized_streamed_body_never_reaches_the_app() -> None:
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    middleware = LimitsMiddleware(app, Settings(max_body_bytes=1024, rate_limit_per_minute=0))
    incoming: list[Message] = [
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/ask",
        "headers": [(b"transfer-encoding", b"chunked")],
        "client": ("203.0.113.9", 4000),
    }
    asyncio.run(middleware(scope, receive, send))
    assert reached == []
    assert sent[0]["status"] == 413


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/ask", {"question": "Can I use soap on cast iron?"}),
        ("/feedback", {"answer_id": "abc", "helpful": True}),
    ],
)
def test_a_flood_from_one_client_gets_429_with_retry_after(
    path: str, body: dict[str, object]
) -> None:
    client = limited_client(rate_limit_per_minute=6, rate_limit_burst=3)
    statuses = [client.post(path, json=body).status_code for _ in range(3)]
    # The app itself answers these: an unknown answer id is a 404 from /feedback.
    assert statuses == [200 if path == "/ask" else 404] * 3
    refused = client.post(path, json=body)
    assert refused.status_code == 429
    # 3 per 30 s at 6 a minute: the burst leaves the window 30 s after it began.
    assert refused.headers["retry-after"] == "30"
    assert refused.json() == {"detail": "Too many requests: please wait 30 seconds and ask again."}


def test_the_rate_limit_is_per_client_and_spares_other_routes() -> None:
    settings = Settings(
        knowledge_dir=FIXTURES / "knowledge", rate_limit_per_minute=1, rate_limit_burst=1
    )
    app = create_app(settings)
    first = TestClient(app, client=("198.51.100.1", 1000))
    second = TestClient(app, client=("198.51.100.2", 1000))
    question = {"question": "Can I use soap on cast iron?"}
    assert first.post("/ask", json=question).status_code == 200
    assert first.post("/ask", json=question).status_code == 429
    assert second.post("/ask", json=question).status_code == 200
    assert first.get("/healthz").status_code == 200


def test_the_chat_form_is_rate_limited_but_the_page_itself_is_not() -> None:
    client = limited_client(rate_limit_per_minute=1, rate_limit_burst=2)
    form = {"question": "Can I use soap on cast iron?"}
    assert [client.post("/", data=form).status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/").status_code for _ in range(5)} == {200}


def test_rate_limit_zero_turns_it_off() -> None:
    client = limited_client(rate_limit_per_minute=0, rate_limit_burst=1)
    statuses = {client.post("/feedback", json={"answer_id": "a", "helpful": True}).status_code}
    statuses |= {
        client.post("/feedback", json={"answer_id": "a", "helpful": True}).status_code
        for _ in range(30)
    }
    assert statuses == {404}  # every request reached the app; none was refused with 429


def test_a_burst_passes_then_the_client_waits_for_its_oldest_request_to_leave_the_window(
    clock: FakeClock,
) -> None:
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)  # 2 per 2 s
    assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
    assert limiter.take("a") == pytest.approx(2.0)
    clock.now += 1.5
    assert limiter.take("a") == pytest.approx(0.5)
    clock.now += 0.501
    assert limiter.take("a") == 0.0  # the burst has left the window: two more pass
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0.0
    clock.now += 60
    assert [limiter.take("a"), limiter.take("a"), limiter.take("a")] == [0.0, 0.0, 2.0]


def test_each_client_has_its_own_window(clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=1, burst=1, clock=clock)
    assert [limiter.take("a"), limiter.take("b")] == [0.0, 0.0]
    assert limiter.take("a") == pytest.approx(60.0)
    assert limiter.take("c") == 0.0


@pytest.mark.parametrize(
    ("per_minute", "burst", "window"),
    [
        (60, 20, "20 per 20 second"),
        (6, 3, "3 per 30 second"),
        (1, 2, "2 per 120 second"),
        (7, 3, "3 per 26 second"),  # rounded up: never more than 7 a minute
        (0.5, 1, "1 per 120 second"),
        (6000, 1, "100 per 1 second"),  # windows are whole seconds
    ],
)
def test_the_window_holds_the_burst_and_keeps_the_per_minute_rate(
    per_minute: float, burst: int, window: str
) -> None:
    assert str(window_limit(per_minute, burst)) == window


@pytest.mark.parametrize(("per_minute", "burst"), [(0, 1), (-1, 5), (10, 0)])
def test_the_rate_limiter_refuses_settings_that_cannot_work(per_minute: float, burst: int) -> None:
    with pytest.raises(ValueError, match="per_minute > 0 and burst >= 1"):
        RateLimiter(per_minute=per_minute, burst=burst)


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/ask", 405, "POST"),
        ("PUT", "/ask", 405, "POST"),
        ("DELETE", "/feedback", 405, "POST"),
        ("POST", "/healthz", 405, "GET"),
        ("GET", "/api/v2/ask", 404, None),
        ("POST", "/asks", 404, None),
        ("PATCH", "/no/such/route", 404, None),
    ],
)
def test_unknown_route_or_method_is_a_clean_json_error(
    small_body_client: TestClient, method: str, path: str, status: int, allow: str | None
) -> None:
    response = small_body_client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found" if status == 404 else "Method Not Allowed"}
    assert response.headers.get("allow") == allow


@pytest.mark.e2e  # starts `chatbot serve` as a real process
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() -> None:
    settings = {
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "1",
        "CHATBOT_RATE_LIMIT_BURST": "1",
        "CHATBOT_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    body = {"answer_id": "abc", "helpful": True}
    with running_server(settings) as url:

        def feedback(client: str) -> int:
            headers = {"x-forwarded-for": client}
            return httpx2.post(f"{url}/feedback", json=body, headers=headers).status_code

        # 404: the app answered (the id is not in the log); 429: the limit refused it.
        assert [feedback("203.0.113.1"), feedback("203.0.113.1")] == [404, 429]
        assert feedback("203.0.113.2") == 404
