"""Fuzzing the HTTP API from its own OpenAPI schema: no 5xx, no response that breaks it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.core.result import Ok

from chatbot.app import create_app
from chatbot.settings import Settings
from tests.conftest import FIXTURES

EXAMPLES_PER_OPERATION = 40


@pytest.fixture(scope="module")
def fuzzed_app() -> FastAPI:
    # Every generated request comes from one client; a high limit keeps them all in play.
    return create_app(
        Settings(
            knowledge_dir=FIXTURES / "knowledge",
            rate_limit_per_minute=1_000_000,
            rate_limit_burst=1_000_000,
        )
    )


def takes_input(operation: APIOperation[Any, Any, Any, Any]) -> bool:
    parameters = (operation.path_parameters, operation.query, operation.headers, operation.cookies)
    return len(operation.body) > 0 or any(len(group) > 0 for group in parameters)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_the_schema_under_generated_input(
    fuzzed_app: FastAPI, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the app's own schema is invalid: {result.err()}"
        operations.append(result.ok())
    assert {op.label for op in operations} >= {"POST /ask", "POST /feedback", "GET /healthz"}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not takes_input(operation):
            continue  # Nothing to break: no body and no parameters.

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def responds_within_the_schema(case: Case[Any]) -> None:
            case.call_and_validate()

        responds_within_the_schema()
