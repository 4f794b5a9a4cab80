"""Admin sign-in through fastapi.security: Bearer or the browser's Basic prompt, one 401."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatbot.app import create_app
from chatbot.settings import Settings

KNOWLEDGE = Path("tests/fixtures/knowledge")
TOKEN = "auth-test-token:0123456789"  # a colon too: only the first one splits a Basic pair
CHALLENGE = 'Basic realm="chatbot admin", charset="UTF-8"'


def _basic(pair: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(knowledge_dir=KNOWLEDGE, db=tmp_path / "q.db", admin_token=TOKEN)
    return TestClient(create_app(settings))


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": f"Bearer {TOKEN}"},
        {"authorization": f"bearer   {TOKEN}  "},
        _basic(f"anyone:{TOKEN}"),
        _basic(f":{TOKEN}"),
    ],
    ids=["bearer", "bearer-loose-spacing", "basic-any-user", "basic-no-user"],
)
def test_the_token_opens_the_admin_page_by_either_scheme(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.get("/admin", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": "Basic bm90LWJhc2U2NA=="},  # base64 of a pair with no colon
        {"authorization": "Basic ***"},
        _basic("auth-test-token:0123456789:"),  # the token with something after it
        _basic(TOKEN),  # "auth-test-token" as user, the rest as password
        {"authorization": "Bearer"},
        {"authorization": f"Digest {TOKEN}"},
    ],
    ids=["no-colon", "not-base64", "token-plus-more", "split-token", "empty-bearer", "digest"],
)
def test_every_refusal_is_the_same_401_with_the_browser_prompt(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/admin", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "This needs the admin token (CHATBOT_ADMIN_TOKEN)."}
    assert response.headers["www-authenticate"] == CHALLENGE


def test_a_right_token_from_another_site_is_still_refused(client: TestClient) -> None:
    headers = {"authorization": f"Bearer {TOKEN}", "sec-fetch-site": "cross-site"}
    response = client.post("/admin/reload", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Cross-site admin requests are refused."}


def test_the_admin_sign_in_stays_out_of_the_public_api_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert not any(path.startswith("/admin") for path in schema["paths"])
    assert "securitySchemes" not in schema.get("components", {})
