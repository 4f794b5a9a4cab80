"""The public /ask contract, field by field, and every kind of bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatbot.engine import Engine
from tests.conftest import FIXTURES, AppFactory, AskJSON

FIELDS = {
    "answer_id",
    "question",
    "answered",
    "band",
    "answer",
    "confidence",
    "source",
    "related",
    "disclaimer",
}


def test_answer_follows_the_contract_field_by_field(ask: AskJSON) -> None:
    body = ask("  What are the wrist flexors?  ")
    assert set(body) == FIELDS
    assert re.fullmatch(r"[0-9a-f]{32}", body["answer_id"])
    assert body["question"] == "What are the wrist flexors?"
    assert body["answered"] is True
    assert body["band"] == "answer"
    assert body["answer"].startswith("The wrist flexors are the muscles on the palm side")
    assert 0.9 <= body["confidence"] <= 1.0
    assert body["source"] == {
        "id": "desk-wrist-stretches#faq-what-are-the-wrist-flexors",
        "document": "desk-wrist-stretches",
        "title": "Wrist Stretches for Desk Workers",
        "section": "Frequently Asked Questions",
        "kind": "faq",
        "url": "/articles/desk-wrist-stretches#faq-what-are-the-wrist-flexors",
        "source_url": "https://example.org/fixtures/desk-wrist-stretches",
    }
    assert 0 < len(body["related"]) <= 3
    assert all(set(r) == {"id", "title", "url"} for r in body["related"])
    assert all(r["url"].endswith("/articles/" + r["id"]) for r in body["related"])
    assert body["disclaimer"].startswith("This fixture article is for testing only")


def test_unanswerable_question_gets_the_fallback_with_a_disclaimer(ask: AskJSON) -> None:
    body = ask("What is the capital of Australia?")
    assert body["answered"] is False
    assert body["source"] is None
    assert body["band"] in {"suggest", "fallback"}
    assert body["answer"]
    assert body["disclaimer"]
    assert len(body["related"]) <= 3


def test_step_by_step_question_gets_all_five_steps(ask: AskJSON) -> None:
    body = ask("how do I stretch my wrists step by step")
    assert body["answered"] is True
    assert [line[:2] for line in body["answer"].split("\n")] == ["1.", "2.", "3.", "4.", "5."]
    assert body["source"]["url"].endswith("#your-step-by-step-wrist-stretch-steps")


def test_citation_links_land_on_an_anchor_of_the_article_page(
    client: TestClient, ask: AskJSON
) -> None:
    body = ask("Why should I stretch my wrists?")
    assert body["related"], "the check below needs related passages to follow"
    path, anchor = body["source"]["url"].split("#")
    page = client.get(path)
    assert page.status_code == 200
    assert f'id="{anchor}"' in page.text
    for related in body["related"]:
        related_path, related_anchor = related["url"].split("#")
        assert f'id="{related_anchor}"' in client.get(related_path).text


LONG = "x" * 1001
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("missing field", {"json": {}}, 422, "'question' is required"),
    ("wrong field", {"json": {"q": "hi"}}, 422, "'question' is required"),
    ("number", {"json": {"question": 42}}, 422, "must be a string"),
    ("null", {"json": {"question": None}}, 422, "must be a string"),
    ("list", {"json": {"question": ["a"]}}, 422, "must be a string"),
    ("empty", {"json": {"question": ""}}, 422, "must not be empty"),
    ("whitespace", {"json": {"question": " \n\t "}}, 422, "must not be empty"),
    ("too long", {"json": {"question": LONG}}, 422, "at most 1000 characters"),
    ("too long before trimming", {"json": {"question": " " + LONG[1:]}}, 422, "at most 1000"),
    (
        "history item too long",
        {"json": {"question": "why?", "history": [" " + LONG[1:]]}},
        422,
        "at most 1000 characters",
    ),
    ("array body", {"json": ["question"]}, 422, "must be a JSON object"),
    (
        "invalid json",
        {"content": b'{"question": ', "headers": {"content-type": "application/json"}},
        422,
        "not valid JSON",
    ),
    (
        "form encoded",
        {"data": {"question": "hi"}},
        415,
        "Content-Type: application/json",
    ),
    ("plain text", {"content": b"hi", "headers": {"content-type": "text/plain"}}, 415, "JSON"),
    ("no body", {}, 415, "JSON"),
]


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [b[1:] for b in BAD_REQUESTS],
    ids=[b[0] for b in BAD_REQUESTS],
)
def test_bad_input_gets_a_4xx_with_a_clear_message(
    client: TestClient, kwargs: dict[str, Any], status: int, message: str
) -> None:
    response = client.post("/ask", **kwargs)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert message in detail
    assert "Traceback" not in response.text


def test_a_thousand_characters_is_accepted(ask: AskJSON) -> None:
    question = ("wrist " * 200)[:1000]
    assert len(question) == 1000
    assert ask(question)["question"] == question.strip()


def test_wrong_method_and_unknown_route_are_clean_json_errors(client: TestClient) -> None:
    assert client.get("/ask").status_code == 405
    missing = client.post("/nope", json={})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}


def test_healthz_answers_for_probes(client: TestClient, engine: Engine) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "documents": 2,
        "passages": len(engine.knowledge.passages),
    }


def test_openapi_docs_describe_ask_with_examples(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/ask"]["post"]
    assert {"200", "415", "422"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    assert components["AskRequest"]["examples"]
    assert components["AskResponse"]["examples"][0]["source"]["kind"] == "faq"


@pytest.mark.parametrize("path", ["/", "/articles/desk-wrist-stretches", "/healthz"])
def test_security_headers_on_every_page(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


class _BrokenEngine:
    def ask(self, question: str) -> None:
        raise RuntimeError("a bug deep inside")


def test_an_unexpected_error_is_a_plain_500_with_the_security_headers(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    app.state.engine = _BrokenEngine()
    response = TestClient(app, raise_server_exceptions=False).post(
        "/ask", json={"question": "anything"}
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side. Please try again."}
    assert "a bug deep inside" not in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_app_over_another_knowledge_folder_cites_its_own_document(
    app_factory: AppFactory,
) -> None:
    client = TestClient(app_factory(knowledge_dir=FIXTURES / "knowledge"))
    body = client.post("/ask", json={"question": "Can I use soap on cast iron?"}).json()
    assert body["answered"] is True
    assert body["source"]["title"] == "Caring for a Cast-Iron Pan"
    assert body["disclaimer"] == "Fixture disclaimer for cast-iron care."


def test_feedback_is_validated_and_accepted(client: TestClient, ask: AskJSON) -> None:
    answer_id = ask("What are the wrist flexors?")["answer_id"]
    response = client.post("/feedback", json={"answer_id": answer_id, "helpful": False})
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"answer_id": "abc"},
        {"answer_id": "abc", "helpful": "yes"},
        {"answer_id": "<x>", "helpful": True},
    ],
)
def test_bad_feedback_gets_a_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/feedback", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
