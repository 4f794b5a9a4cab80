"""Rate-limit counters in a shared store: one limit across apps, fail-open when it is down."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from chatbot.app import create_app
from chatbot.limits import RateLimiter
from chatbot.settings import Settings, redacted
from tests.conftest import FIXTURES
from tests.redis import redis_url

__all__ = ["redis_url"]  # a fixture, used by name

UNREACHABLE = "redis://127.0.0.1:1"  # port 1: nothing listens, the connection is refused
VOTE = {"answer_id": "abc", "helpful": True}


def limited_app(tmp_path: Path, storage: str) -> TestClient:
    settings = Settings(
        knowledge_dir=FIXTURES / "knowledge",
        db=tmp_path / "q.db",
        rate_limit_per_minute=1,
        rate_limit_burst=1,
        rate_limit_storage=storage,
    )
    return TestClient(create_app(settings))


def test_an_unreachable_store_lets_requests_through_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = limited_app(tmp_path, UNREACHABLE)
    with caplog.at_level(logging.WARNING, logger="chatbot.limits"):
        statuses = [client.post("/feedback", json=VOTE).status_code for _ in range(5)]
    # 404: the app answered each (the id is not in the log); none was refused with 429.
    assert statuses == [404] * 5
    warnings = [r.getMessage() for r in caplog.records if r.name == "chatbot.limits"]
    assert len(warnings) == 1
    assert "rate limits are off: cannot reach redis://127.0.0.1:1" in warnings[0]


def test_a_store_that_keeps_failing_warns_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    limiter = RateLimiter(per_minute=1, burst=1, storage_url=UNREACHABLE, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="chatbot.limits"):
        for _ in range(3):
            assert limiter.take("a") == 0.0
            now[0] += 10.0  # past the retry pause, within the warning interval
        now[0] += 60.0
        assert limiter.take("a") == 0.0
    assert len([r for r in caplog.records if r.name == "chatbot.limits"]) == 2


def test_the_store_password_never_reaches_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = limited_app(tmp_path, "redis://:hunter2-secret@127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="chatbot.limits"):
        assert client.post("/feedback", json=VOTE).status_code == 404
    assert "hunter2-secret" not in caplog.text
    assert "redis://:***@127.0.0.1:1/0" in caplog.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("memory://", "memory://"),
        ("redis://cache:6379/0", "redis://cache:6379/0"),
        ("redis://bot:pw@cache:6379", "redis://bot:***@cache:6379"),
        ("rediss://:pw@cache:6380", "rediss://:***@cache:6380"),
    ],
)
def test_store_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


@pytest.mark.parametrize("url", ["", "redis", "localhost:6379", "memcached://cache:11211"])
def test_a_store_the_bot_cannot_use_is_refused_at_start_up(url: str) -> None:
    with pytest.raises(ValidationError, match="rate_limit_storage"):
        Settings(rate_limit_storage=url)


def test_apps_sharing_a_redis_store_share_each_clients_limit(
    tmp_path: Path, redis_url: str
) -> None:
    # Two apps stand for two workers or two hosts behind one load balancer.
    first = limited_app(tmp_path, redis_url)
    second = limited_app(tmp_path, redis_url)
    assert first.post("/feedback", json=VOTE).status_code == 404
    refused = second.post("/feedback", json=VOTE)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    other = TestClient(second.app, client=("198.51.100.7", 1000))
    assert other.post("/feedback", json=VOTE).status_code == 404
