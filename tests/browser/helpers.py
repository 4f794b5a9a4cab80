"""Page actions and canned replies shared by the browser tests."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Locator, Page, Route, expect

# Questions and answers of the fixture knowledge base (tests/fixtures/clinic) the
# browser tests' server reads, never the shipped knowledge/.
ARTICLE_PATH = "/articles/desk-wrist-stretches"
FAQ_ANCHOR = "faq-what-are-the-wrist-flexors"
FAQ_QUESTION = "What are the wrist flexors?"
FAQ_ANSWER_START = "The wrist flexors are the muscles on the palm side of your forearm"
FAQ_CITATION = "Frequently Asked Questions — Wrist Stretches for Desk Workers"
FAQ_URL = f"{ARTICLE_PATH}#{FAQ_ANCHOR}"
STEPS_QUESTION = "step by step guide to stretch wrists"
FIRST_STEP_START = "Sit Up Tall:"
OFF_TOPIC_QUESTION = "what is the capital of france"
DISCLAIMER_START = "This fixture article is for testing only"


def bot_replies(page: Page) -> Locator:
    """Finished bot messages (not the typing indicator)."""
    return page.locator("#conversation > .message.bot:not(.typing)")


def user_messages(page: Page) -> Locator:
    return page.locator("#conversation > .message.user")


def ask_by_typing(page: Page, question: str) -> Locator:
    """Type the question, press Enter and return the reply it got."""
    before = bot_replies(page).count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    expect(bot_replies(page)).to_have_count(before + 1)
    return bot_replies(page).nth(before)


def canned_reply(band: str, **changes: Any) -> dict[str, Any]:
    """An /ask reply following the contract, for bands the server may not produce yet."""
    reply: dict[str, Any] = {
        "answer_id": f"canned{band}",
        "question": "canned question",
        "answered": band == "answer",
        "band": band,
        "answer": f"A canned {band} reply.",
        "confidence": 0.9 if band == "answer" else 0.1,
        "source": None,
        "related": [],
        "disclaimer": "Canned disclaimer: not medical advice.",
    }
    if band == "answer":
        reply["source"] = {
            "id": f"desk-wrist-stretches#{FAQ_ANCHOR}",
            "document": "desk-wrist-stretches",
            "title": "Wrist Stretches for Desk Workers",
            "section": "Frequently Asked Questions",
            "kind": "faq",
            "url": FAQ_URL,
        }
    if band != "smalltalk":
        reply["related"] = [{"title": FAQ_QUESTION, "url": FAQ_URL}]
    reply.update(changes)
    return reply


def reply_once_with(page: Page, status: int, body: dict[str, Any]) -> None:
    """The next /ask gets this reply; later ones reach the real server."""

    def fulfil(route: Route) -> None:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route("**/ask", fulfil, times=1)
