"""One reply, two renderers: the server partial and messages.js must build the same DOM.

The page without JavaScript shows a reply through `partials/_answer.html`; the page with
JavaScript builds it with `window.ChatMessages.bot` (web/static/messages.js). Each test
renders the same /ask reply both ways, parses both in Chromium and compares a normalised
tree: tags, classes, attributes, text (whitespace collapsed), link targets, the band,
the feedback buttons and the related questions.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page

from chatbot.pages import make_templates, router
from chatbot.response import AskResponse
from chatbot.settings import Settings
from tests.browser.harness import browser_test
from tests.rendering import render_reply

pytestmark = [*browser_test, pytest.mark.e2e]

# Paragraphs and a numbered list, as the knowledge base quotes them.
LIST_AND_PARAGRAPHS = (
    "Try this routine daily.\n\n"
    "1. Kneel on your right knee.\n"
    "2. Lean forward from the hips\n"
    "3. Hold for 30 seconds.\n\n"
    "Switch sides and repeat,\nthen rest."
)
SOURCE = {
    "id": "stretching-your-hamstrings#faq-why-are-my-hamstrings-tight",
    "document": "stretching-your-hamstrings",
    "title": "Stretching Your Hamstrings",
    "section": "Frequently Asked Questions",
    "kind": "faq",
    "url": "/articles/stretching-your-hamstrings#faq-why-are-my-hamstrings-tight",
}
RELATED = [
    {
        "id": "stretching-your-hamstrings#faq-should-a-hamstring-stretch-hurt",
        "title": "Should a hamstring stretch hurt?",
        "url": "/articles/stretching-your-hamstrings#faq-should-a-hamstring-stretch-hurt",
    },
    {"id": "x#y", "title": "Is it <b>safe</b> & sound?", "url": "/articles/x#y"},
]

# band, confidence, its note, whether the page offers thumbs for it (given an answer_id)
BANDS = [
    pytest.param("answer", 0.9, None, True, id="answer"),
    pytest.param("answer", 0.3, "Closest match", True, id="answer-closest-match"),
    pytest.param("suggest", 0.2, "Not sure", True, id="suggest"),
    pytest.param("fallback", 0.05, "No answer found", True, id="fallback"),
    pytest.param("triage", 0.0, "Please talk to a professional", False, id="triage"),
    pytest.param("smalltalk", 0.0, None, False, id="smalltalk"),
]
VARIANTS = [
    pytest.param(
        source,
        related,
        answer_id,
        id="-".join(
            [
                "source" if source else "no-source",
                "related" if related else "no-related",
                "logged" if answer_id else "unlogged",
            ]
        ),
    )
    for source, related, answer_id in itertools.product(
        [True, False], [True, False], ["0f8e4c2a9b7d4e61", None]
    )
]

# One normaliser for both DOMs, run in the same browser, so parsing can never differ.
# Text nodes are compared with runs of whitespace collapsed to one space; those that
# are only whitespace (the template's indentation between elements) are dropped.
# Left out on purpose, because the two pages differ there by design:
# - `hidden` on `.feedback`: the thumbs need the page script to post them, so the
#   server hides them and chat.js reveals them; messages.js only runs with that script.
# - `method`, `action` and `data-ask` of a question button's form, and its hidden
#   `history` inputs: without JavaScript the button posts the page and carries the
#   conversation in those fields; with JavaScript chat.js asks in place and keeps the
#   conversation in sessionStorage.
# Thumbs a person already pressed (bot's third argument, restored from sessionStorage)
# exist only with JavaScript, so replies are rendered here as never rated.
NORMALISE = """
(root) => {
  const collapse = (text) => text.replace(/\\s+/g, " ");
  const isAskForm = (node) => node.tagName === "FORM" && node.classList.contains("ask-inline");
  const skipped = (node) =>
    node.tagName === "INPUT" && node.type === "hidden" && node.name === "history" &&
    node.parentElement && isAskForm(node.parentElement);
  const skippedAttributes = (node) => {
    const names = ["class"];
    if (node.classList.contains("feedback")) names.push("hidden");
    if (isAskForm(node)) names.push("method", "action", "data-ask");
    return names;
  };
  function tree(node) {
    const attributes = {};
    const leave = skippedAttributes(node);
    for (const attribute of node.attributes) {
      if (!leave.includes(attribute.name)) attributes[attribute.name] = attribute.value;
    }
    const children = [];
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = collapse(child.data);
        if (text.trim()) children.push(text);
      } else if (child.nodeType === Node.ELEMENT_NODE && !skipped(child)) {
        children.push(tree(child));
      }
    }
    return {
      tag: node.tagName.toLowerCase(),
      class: [...node.classList].sort().join(" "),
      attributes: attributes,
      children: children,
    };
  }
  return {
    tree: tree(root),
    summary: {
      band: root.dataset.band ?? null,
      answerId: root.dataset.answerId ?? null,
      note: root.querySelector(".band-note")?.textContent ?? null,
      hrefs: [...root.querySelectorAll("a")].map((a) => a.getAttribute("href")),
      feedback: root.querySelectorAll(".feedback .thumb").length,
      relatedLabel: root.querySelector(".related-label")?.textContent ?? null,
      related: [...root.querySelectorAll(".related button")].map((b) => b.textContent),
      paragraphs: [...root.querySelectorAll(".answer-text > p")].map((p) => p.textContent),
      steps: [...root.querySelectorAll(".answer-text > ol > li")].map((li) => li.textContent),
    },
  };
}
"""

# The server's HTML, parsed inert (DOMParser runs no scripts), then normalised.
SERVER_DOM = f"""
(html) => {{
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const items = parsed.body.children;
  if (items.length !== 1) throw new Error("expected one reply, got " + items.length);
  return ({NORMALISE})(items[0]);
}}
"""

# messages.js's reply, with the band table the page carries, as chat.js reads it.
SCRIPT_DOM = f"""
(reply) => {{
  const config = JSON.parse(document.getElementById("conversation").dataset.bands);
  return ({NORMALISE})(window.ChatMessages.bot(reply, config));
}}
"""


@pytest.fixture(scope="module")
def pages_app() -> FastAPI:
    """The page routes and templates as create_app sets them up (from the web folder the
    server uses), without a knowledge base: one reply needs only templates and `url_for`."""
    app = FastAPI()
    app.include_router(router)
    app.state.templates = make_templates(Settings().web_dir / "templates")
    return app


@pytest.fixture(scope="module")
def chat_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """One chat page for the module: rendering a detached reply leaves the page as it was."""
    context = browser.new_context(base_url=server_url)
    page = context.new_page()
    errors: list[str] = []
    csp_violations: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(message.text)

    page.on("console", on_console)
    page.goto("/")
    yield page
    context.close()
    assert errors == [], "the chat page raised script errors"
    assert csp_violations == [], "the chat page broke its Content-Security-Policy"


def make_reply(
    band: str,
    confidence: float,
    *,
    answer: str = LIST_AND_PARAGRAPHS,
    source: bool = True,
    related: bool = True,
    answer_id: str | None = "0f8e4c2a9b7d4e61",
) -> dict[str, Any]:
    """A reply in the JSON shape of /ask, checked against the response model."""
    reply = {
        "answer_id": answer_id,
        "question": "How do I stretch my hamstrings?",
        "answered": band == "answer",
        "band": band,
        "answer": answer,
        "confidence": confidence,
        "source": SOURCE if source else None,
        "related": RELATED if related else [],
        "disclaimer": "Not medical advice <b>here</b> & now.",
    }
    body: dict[str, Any] = AskResponse.model_validate(reply).model_dump(mode="json")
    return body


def server_html(app: FastAPI, reply: dict[str, Any]) -> str:
    """The partial for one reply, rendered as the no-JavaScript page renders it."""
    return render_reply(app, AskResponse.model_validate(reply), ["an earlier question"])


def both_renderings(page: Page, app: FastAPI, reply: dict[str, Any]) -> tuple[Any, Any]:
    """(server, script) normalised DOMs of the same reply."""
    server = page.evaluate(SERVER_DOM, server_html(app, reply))
    script = page.evaluate(SCRIPT_DOM, reply)
    return server, script


def assert_same(server: Any, script: Any) -> None:
    assert script["summary"] == server["summary"]
    # Indented JSON makes pytest's diff point at the first differing node.
    assert json.dumps(script["tree"], indent=1, ensure_ascii=False) == json.dumps(
        server["tree"], indent=1, ensure_ascii=False
    )


@pytest.mark.parametrize(("source", "related", "answer_id"), VARIANTS)
@pytest.mark.parametrize(("band", "confidence", "note", "rated"), BANDS)
def test_server_partial_and_page_script_render_the_same_reply(
    chat_page: Page,
    pages_app: FastAPI,
    band: str,
    confidence: float,
    note: str | None,
    rated: bool,
    source: bool,
    related: bool,
    answer_id: str | None,
) -> None:
    reply = make_reply(band, confidence, source=source, related=related, answer_id=answer_id)
    server, script = both_renderings(chat_page, pages_app, reply)
    assert_same(server, script)
    # The comparison only means something if the reply was rendered in full.
    summary = server["summary"]
    assert summary["band"] == band
    assert summary["answerId"] == answer_id
    assert summary["note"] == note
    assert summary["hrefs"] == ([SOURCE["url"]] if source else [])
    assert summary["feedback"] == (2 if rated and answer_id else 0)
    assert summary["related"] == ([r["title"] for r in RELATED] if related else [])
    assert summary["paragraphs"] == [
        "Try this routine daily.",
        "Switch sides and repeat, then rest.",
    ]
    assert summary["steps"] == [
        "Kneel on your right knee.",
        "Lean forward from the hips",
        "Hold for 30 seconds.",
    ]


# Answer texts at the edges of "paragraphs and numbered lists".
TRICKY_TEXTS = [
    pytest.param("One line only.", id="one-line"),
    pytest.param("1. A single numbered line stays a paragraph.", id="single-step"),
    pytest.param("1. First\n2. Second\nNot a step", id="list-with-a-plain-line"),
    pytest.param("  \n\n1.  Indented\n   2.\tTabbed  \n\n  ", id="padded-list"),
    pytest.param("Windows\r\nline ends\r\n\r\n1. One\r\n2. Two\r\n", id="crlf"),
    pytest.param("9. Nine\n10. Ten", id="two-digit-steps"),
    pytest.param("1.No space\n2.No space", id="steps-without-space"),
    pytest.param("1) One\n2) Two", id="steps-with-parenthesis"),
    pytest.param("Para one\n \t \nPara two", id="blank-line-with-spaces"),
    pytest.param("Non\u00a0breaking\u00a0spaces\n\n1.\u00a0One\n2.\u00a0Two", id="nbsp"),
    pytest.param("\u0661. Arabic-Indic one\n\u0662. Arabic-Indic two", id="non-ascii-digits"),
    pytest.param("Form\x0cfeed, vertical\vtab, file\x1cseparator", id="other-line-breaks"),
    pytest.param("Line\u2028separator\n\n1. One\n2. Two", id="unicode-line-separator"),
    pytest.param("\ufeffByte order mark", id="byte-order-mark"),
    pytest.param("<b>Not bold</b> &amp; <script>alert(1)</script>", id="markup-as-text"),
    pytest.param("Look for:\n\n- A firm heel\n- Room for the toes", id="bullet-list"),
    pytest.param("- A lone dash line", id="one-dash-line-is-a-paragraph"),
    pytest.param("- one\n2. two", id="mixed-marks-are-a-paragraph"),
]


@pytest.mark.parametrize("answer", TRICKY_TEXTS)
def test_server_partial_and_page_script_split_answer_text_the_same_way(
    chat_page: Page, pages_app: FastAPI, answer: str
) -> None:
    reply = make_reply("answer", 0.9, answer=answer)
    server, script = both_renderings(chat_page, pages_app, reply)
    assert_same(server, script)


def test_a_difference_between_the_renderers_is_caught(chat_page: Page, pages_app: FastAPI) -> None:
    """The comparison itself: a reply the script shows differently must not pass."""
    reply = make_reply("suggest", 0.2)
    server, _ = both_renderings(chat_page, pages_app, reply)
    changed = chat_page.evaluate(
        f"""(reply) => {{
          const config = JSON.parse(document.getElementById("conversation").dataset.bands);
          const item = window.ChatMessages.bot(reply, config);
          item.querySelector(".related-label").textContent = "Related questions";
          return ({NORMALISE})(item);
        }}""",
        reply,
    )
    with pytest.raises(AssertionError):
        assert_same(server, changed)
