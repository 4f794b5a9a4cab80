"""One fixture chain over small fixture knowledge bases: settings → app → client → ask.

No test reads the shipped `knowledge/` folder: editors change it, and an edit there must
not break `make test`. Nothing is loaded at import time; every knowledge base is built
by a fixture, in a temporary folder a test may edit.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chatbot import defaults
from chatbot.app import create_app
from chatbot.engine import Engine
from chatbot.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
# Two short made-up health articles (wrists, feet) with their data files.
CLINIC = FIXTURES / "clinic"
# Red flags and small talk are the product's rules, not an article's: the package's
# defaults, which every knowledge folder (a fixture one too) starts from.
RED_FLAGS_FILE = defaults.RED_FLAGS
SMALLTALK_FILE = defaults.SMALLTALK

AskJSON = Callable[[str], dict[str, Any]]


class MakeSettings(Protocol):
    def __call__(self, **overrides: Any) -> Settings: ...


class AppFactory(Protocol):
    def __call__(self, **overrides: Any) -> FastAPI: ...


def copy_knowledge(source: Path, target: Path) -> Path:
    """A copy of a fixture knowledge base, for a test to edit."""
    shutil.copytree(source, target)
    return target


def settings_for(knowledge_dir: Path, db: Path, **overrides: Any) -> Settings:
    # Every test client speaks from one address: no rate limit unless a test sets one.
    values = {"knowledge_dir": knowledge_dir, "db": db, "rate_limit_per_minute": 0}
    return Settings.model_validate({**values, **overrides})


@pytest.fixture(scope="session")
def clinic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared fixture knowledge base; read only (edit `knowledge_dir` instead)."""
    return copy_knowledge(CLINIC, tmp_path_factory.mktemp("shared") / "clinic")


@pytest.fixture(scope="session", autouse=True)
def _test_environment(tmp_path_factory: pytest.TempPathFactory, clinic_dir: Path) -> Iterator[None]:
    """Apps, commands and servers a test starts without saying otherwise read the fixture
    knowledge base, log to a temporary file (never ./data) and have no rate limit."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHATBOT_KNOWLEDGE_DIR", str(clinic_dir))
        patch.setenv("CHATBOT_DB", str(tmp_path_factory.mktemp("log") / "questions.db"))
        patch.setenv("CHATBOT_RATE_LIMIT_PER_MINUTE", "0")
        yield


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """This test's own copy of the fixture knowledge base, free to edit."""
    return copy_knowledge(CLINIC, tmp_path / "knowledge")


@pytest.fixture
def make_settings(tmp_path: Path, clinic_dir: Path) -> MakeSettings:
    """Settings over the shared fixture knowledge base, logging under this test's
    tmp_path; keyword arguments override any setting (`knowledge_dir=...` too)."""

    def make(**overrides: Any) -> Settings:
        defaults = {"knowledge_dir": clinic_dir, "db": tmp_path / "data" / "log.db"}
        return settings_for(**{**defaults, **overrides})

    return make


@pytest.fixture
def app_factory(make_settings: MakeSettings) -> AppFactory:
    """`create_app` over `make_settings(**overrides)`: a fresh app per call."""

    def make(**overrides: Any) -> FastAPI:
        return create_app(make_settings(**overrides))

    return make


@pytest.fixture(scope="session")
def clinic_settings(clinic_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(clinic_dir, tmp_path_factory.mktemp("clinic-log") / "log.db")


@pytest.fixture(scope="session")
def engine(clinic_settings: Settings) -> Engine:
    return Engine.from_settings(clinic_settings)


@pytest.fixture(scope="session")
def app(clinic_settings: Settings) -> FastAPI:
    """One app for the tests that only read: building an index per test would be slow."""
    return create_app(clinic_settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def asker(client: TestClient) -> AskJSON:
    """POST /ask through `client`, expecting a 200, and return the JSON body."""

    def ask(question: str) -> dict[str, Any]:
        response = client.post("/ask", json={"question": question})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return ask


@pytest.fixture(scope="session")
def ask(client: TestClient) -> AskJSON:
    return asker(client)
