"""Fixture chain: settings → app → client → ask helper, over a small fixture knowledge base."""

from __future__ import annotations

from collections.abc import Callable
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
