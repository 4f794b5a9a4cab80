"""Fixture chain: settings → app → client → ask helper, over a small fixture knowledge base."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chatbot.app import create_app
from chatbot.engine import Engine
from chatbot.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
SEED_KNOWLEDGE = PROJECT_ROOT / "knowledge"
SEED_ARTICLE = FIXTURES / "seed-article.txt"  # the scraped original, as received

AskJSON = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="session", autouse=True)
def _test_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Apps and servers started by tests log to a temporary file, never to ./data, and
    have no rate limit unless a test of the limit sets one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHATBOT_DB", str(tmp_path_factory.mktemp("log") / "questions.db"))
        patch.setenv("CHATBOT_RATE_LIMIT_PER_MINUTE", "0")
        yield


@pytest.fixture
def fixture_settings() -> Settings:
    # Every test client speaks from one address; rate limit tests build their own app.
    return Settings(knowledge_dir=FIXTURES / "knowledge", rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def seed_settings() -> Settings:
    return Settings(knowledge_dir=SEED_KNOWLEDGE, rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def seed_engine(seed_settings: Settings) -> Engine:
    return Engine.from_settings(seed_settings)


@pytest.fixture(scope="session")
def seed_app(seed_settings: Settings) -> FastAPI:
    return create_app(seed_settings)


@pytest.fixture(scope="session")
def client(seed_app: FastAPI) -> TestClient:
    return TestClient(seed_app)


@pytest.fixture
def fixture_client(fixture_settings: Settings) -> TestClient:
    return TestClient(create_app(fixture_settings))


@pytest.fixture(scope="session")
def ask(client: TestClient) -> AskJSON:
    def _ask(question: str) -> dict[str, Any]:
        response = client.post("/ask", json={"question": question})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return _ask
