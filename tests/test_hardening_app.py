"""Hardening of the app: the API docs, admin tokens, forwarded addresses, Host, HEAD
probes and the form's rate limit, each as an outside attacker found it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from chatbot.admin import WRONG_TOKENS_PER_WINDOW
from chatbot.app import CONTENT_SECURITY_POLICY
from chatbot.limits import ForwardedClientMiddleware
from chatbot.settings import Settings
from tests.conftest import AppFactory

TOKEN = "hardening-token-0123456789"


def test_the_api_docs_load_only_the_apps_own_files_under_a_csp(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/start.js"):
        assert asset in page.text
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["content-security-policy"]
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("path", ["/redoc", "/docsfoo", "/docs/", "/docs/oauth2-redirect"])
def test_no_other_docs_path_exists_or_skips_the_csp(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (404, 405, 307)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_api_docs_can_be_turned_off(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(api_docs=False))
    assert client.get("/docs").status_code == 404
    assert client.get("/docs/swagger-ui-bundle.js").status_code == 404
    assert client.get("/openapi.json").status_code == 404


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (" " * 16, "white space"),
        ("a-good-long-token-0123\n", "white space"),
        ("a-token with-a-space-inside", "white space"),
        ("abababababababababab", "at least 8 of them different"),
    ],
    ids=["spaces", "trailing-newline", "inner-space", "few-distinct"],
)
def test_a_weak_or_unmatchable_admin_token_is_refused_at_start_up(token: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(admin_token=token)


def test_wrong_admin_tokens_are_throttled_and_the_right_one_waits_too(
    app_factory: AppFactory,
) -> None:
    client = TestClient(app_factory(admin_token=TOKEN))
    wrong = {"authorization": "Bearer not-the-token-at-all-000"}
    tries = WRONG_TOKENS_PER_WINDOW + 1
    statuses = [client.get("/admin", headers=wrong).status_code for _ in range(tries)]
    assert statuses == [401] * WRONG_TOKENS_PER_WINDOW + [429]
    refused = client.get("/admin", headers={"authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "wait" in refused.json()["detail"]


async def _client_seen(middleware_trusted: str, peer: str, forwarded: str) -> Any:
    seen: dict[str, Any] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen["client"] = scope["client"]

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    scope: Scope = {
        "type": "http",
        "client": (peer, 1234),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }
    await ForwardedClientMiddleware(app, middleware_trusted)(scope, receive, send)
    return seen["client"][0]


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        # With *, the leftmost entry is whatever the client wrote: the proxy's is last.
        ("*", "10.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        ("*", "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # The rightmost hop that is not a trusted proxy.
        ("10.0.0.1,10.0.0.2", "10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        ("10.0.0.0/8", "10.0.0.1", "6.6.6.6, 198.51.100.7, 10.9.9.9", "198.51.100.7"),
        # An untrusted peer's header is ignored.
        ("10.0.0.1", "203.0.113.5", "1.2.3.4", "203.0.113.5"),
    ],
)
def test_the_rate_limit_keys_on_the_rightmost_untrusted_hop(
    trusted: str, peer: str, forwarded: str, client: str
) -> None:
    assert asyncio.run(_client_seen(trusted, peer, forwarded)) == client


def test_an_unlisted_host_is_refused(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(allowed_hosts="faq.example.org"))
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"host": "faq.example.org"}).status_code == 200


def test_head_healthz_answers_200(client: TestClient) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def test_the_form_over_its_rate_limit_gets_the_chat_page_with_429(
    app_factory: AppFactory,
) -> None:
    client = TestClient(app_factory(rate_limit_per_minute=1, rate_limit_burst=1))
    assert client.post("/", data={"question": "sore wrist"}).status_code == 200
    response = client.post("/", data={"question": "sore wrist"})
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert "please wait" in response.text
    assert int(response.headers["retry-after"]) >= 1
