"""The chat page with and without JavaScript, and the article page citations land on."""

from __future__ import annotations

import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chatbot.engine import Engine
from chatbot.pages import BAND_TEXT, TextBlock, answer_blocks, band_config
from chatbot.response import AskResponse, Related
from tests.conftest import AppFactory
from tests.rendering import render_reply


def test_chat_page_has_a_labelled_box_starters_and_the_disclaimer(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<label for="question">' in html
    assert 'id="conversation"' in html
    assert 'aria-live="polite"' in html
    assert "Not medical advice." in html
    assert 'value="What are the wrist flexors?"' in html
    assert re.search(r'<script src="[^"]*/static/chat\.js" defer>', html)
    assert "<script>" not in html  # no inline scripts


def test_form_post_without_javascript_renders_the_answer(client: TestClient) -> None:
    page = client.post("/", data={"question": "Can stiff wrists cause forearm pain?"})
    assert page.status_code == 200
    html = page.text
    assert "Yes, stiff wrists can pull on the forearm muscles" in html
    assert 'href="/articles/desk-wrist-stretches#faq-can-stiff-wrists-cause-forearm-pain"' in html
    assert "This fixture article is for testing only" in html


def test_form_post_keeps_the_conversation_so_far(client: TestClient) -> None:
    page = client.post(
        "/",
        data={
            "question": "Why should I stretch my wrists?",
            "history": ["What are the wrist flexors?"],
        },
    )
    html = page.text
    assert html.index("What are the wrist flexors?") < html.index("Why should I stretch my wrists?")
    assert html.count('class="message user"') == 2
    assert '<input type="hidden" name="history" value="Why should I stretch my wrists?">' in html


def test_step_answer_renders_as_a_numbered_list(client: TestClient) -> None:
    html = client.post("/", data={"question": "step by step guide to stretch wrists"}).text
    assert "<ol><li>Sit Up Tall: Sit with both feet flat" in html


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "Please type a question."), ("x" * 1001, "under 1000 characters")],
)
def test_form_post_with_bad_question_shows_a_message(
    client: TestClient, question: str, message: str
) -> None:
    page = client.post("/", data={"question": question})
    assert page.status_code == 422
    assert message in page.text
    assert 'role="alert"' in page.text


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', '"><b>x</b>']
)
def test_user_text_comes_back_escaped(client: TestClient, payload: str) -> None:
    html = client.post("/", data={"question": payload, "history": [payload]}).text
    assert payload not in html
    assert "&lt;" in html or "&#34;" in html or "&quot;" in html


def test_article_page_has_an_anchor_for_every_section_and_passage(
    client: TestClient, engine: Engine
) -> None:
    html = client.get("/articles/desk-wrist-stretches").text
    document = engine.knowledge.document("desk-wrist-stretches")
    assert document is not None
    assert len(document.sections) > 3
    for section in document.sections[1:]:
        assert f'id="{section.anchor}"' in html
    for passage in document.passages:
        assert html.count(f'id="{passage.anchor}"') == 1, passage.anchor
    assert "This fixture article is for testing only" in html
    assert "Fixture Desk Health Notes – An invented reference for tests." in html


def test_unknown_article_is_a_404(client: TestClient) -> None:
    assert client.get("/articles/nope").status_code == 404


def test_static_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/chat.js").status_code == 200
    assert "text/css" in client.get("/static/style.css").headers["content-type"]


def reply_in_band(band: str, confidence: float = 0.9) -> AskResponse:
    return AskResponse(
        answer_id="a1",
        question="q",
        answered=band == "answer",
        band=band,
        answer="First line.\n\n1. One\n2. Two",
        confidence=confidence,
        source=None,
        related=[Related(id="x#y", title="What are the wrist flexors?", url="/articles/x#y")],
        disclaimer="Not medical advice <b>here</b>.",
    )


@pytest.mark.parametrize(
    ("band", "confidence", "note", "related_label", "rated"),
    [
        ("answer", 0.9, None, "Related questions", True),
        ("answer", 0.4, "Closest match", "Related questions", True),
        ("suggest", 0.2, "Not sure", "Did you mean…", True),
        ("fallback", 0.05, "No answer found", "You could ask", True),
        ("triage", 0.0, "Please talk to a professional", "You could also read", False),
        ("smalltalk", 0.0, None, "You could ask", False),
    ],
)
def test_server_partial_renders_every_band(
    app: FastAPI,
    band: str,
    confidence: float,
    note: str | None,
    related_label: str,
    rated: bool,
) -> None:
    html = render_reply(app, reply_in_band(band, confidence))
    assert f'class="message bot band-{band}"' in html
    assert (f'<p class="band-note">{note}</p>' in html) == (note is not None)
    assert f'<p class="related-label">{related_label}</p>' in html
    assert "<ol><li>One</li><li>Two</li></ol>" in html
    assert ('class="feedback"' in html) == rated
    assert '<p class="answer-disclaimer">Not medical advice &lt;b&gt;here&lt;/b&gt;.</p>' in html


def test_thumbs_stay_hidden_until_the_script_runs(client: TestClient) -> None:
    html = client.post("/", data={"question": "What are the wrist flexors?"}).text
    assert '<div class="feedback" role="group" aria-label="Was this helpful?" hidden>' in html


def test_only_the_logged_reply_of_a_form_post_offers_thumbs(client: TestClient) -> None:
    history = ["What are the wrist flexors?", "Why should I stretch my wrists?"]
    html = client.post("/", data={"question": "What is a stress ball?", "history": history}).text
    assert html.count('class="message bot') == 3
    assert html.count('class="feedback"') == 1


def test_with_the_log_off_a_form_post_offers_no_thumbs(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(log_questions=False))
    html = client.post("/", data={"question": "What are the wrist flexors?"}).text
    assert 'class="message bot' in html
    assert 'class="feedback"' not in html


def test_chat_page_hands_the_band_table_to_the_script(client: TestClient) -> None:
    html = client.get("/").text
    match = re.search(r"data-bands='([^']*)'", html)
    assert match is not None
    config = json.loads(match.group(1))
    assert config == band_config()
    assert set(config["bands"]) == set(BAND_TEXT)


def test_an_answer_with_a_bullet_list_keeps_it_as_a_list() -> None:

    assert answer_blocks("Look for:\n\n- A firm heel\n- Room for the toes") == [
        TextBlock("p", ("Look for:",)),
        TextBlock("ul", ("A firm heel", "Room for the toes")),
    ]
