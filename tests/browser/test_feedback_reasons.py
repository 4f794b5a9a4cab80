"""Why No in a real browser: after "No", three reasons; the one picked reaches the log."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from chatbot.question_log import read_log
from tests.browser.harness import browser_test
from tests.browser.helpers import FAQ_QUESTION, ask_by_typing

pytestmark = browser_test

REASONS = ["Wrong answer", "Didn't answer my question", "Too general"]


def _ask(page: Page) -> tuple[Locator, str]:
    """The reply to the FAQ question and its answer_id."""
    page.goto("/")
    with page.expect_response("**/ask") as asked:
        reply = ask_by_typing(page, FAQ_QUESTION)
    answer_id: str = asked.value.json()["answer_id"]
    return reply, answer_id


def _vote_in_log(answer_id: str) -> tuple[bool, str | None]:
    # The browser tests' server logs where the test session points CHATBOT_DB.
    (vote,) = [
        f for f in read_log(Path(os.environ["CHATBOT_DB"])).feedback if f.answer_id == answer_id
    ]
    return vote.helpful, vote.reason


def test_pressing_no_and_picking_a_reason_puts_it_in_the_log(page: Page) -> None:
    reply, answer_id = _ask(page)
    reasons = reply.get_by_role("group", name="Why wasn't it helpful?")
    expect(reasons).to_have_count(0)  # nothing before "No"
    with page.expect_response("**/feedback"):
        reply.get_by_role("button", name="No", exact=True).click()
    expect(reasons.get_by_role("button")).to_have_text(REASONS)
    expect(reply.locator(".feedback-status")).to_have_text("Thanks for your feedback.")
    with page.expect_response("**/feedback") as posted:
        reasons.get_by_role("button", name="Too general").click()
    assert posted.value.request.post_data_json == {
        "answer_id": answer_id,
        "helpful": False,
        "reason": "too_general",
    }
    assert posted.value.status == 202
    expect(reasons.get_by_role("button", name="Too general")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(reply.locator(".feedback-status")).to_have_text("Thanks: noted as “Too general”.")
    assert _vote_in_log(answer_id) == (False, "too_general")


def test_the_reasons_work_from_the_keyboard_and_yes_takes_them_away(page: Page) -> None:
    reply, answer_id = _ask(page)
    no = reply.get_by_role("button", name="No", exact=True)
    no.focus()
    with page.expect_response("**/feedback"):
        page.keyboard.press("Enter")
    reasons = reply.get_by_role("group", name="Why wasn't it helpful?")
    expect(reasons).to_be_visible()
    page.keyboard.press("Tab")  # the first reason follows "No"
    expect(reasons.get_by_role("button", name="Wrong answer")).to_be_focused()
    with page.expect_response("**/feedback") as posted:
        page.keyboard.press("Space")
    assert posted.value.request.post_data_json == {
        "answer_id": answer_id,
        "helpful": False,
        "reason": "wrong",
    }
    expect(reply.locator(".feedback-status")).to_have_text("Thanks: noted as “Wrong answer”.")
    assert _vote_in_log(answer_id) == (False, "wrong")
    with page.expect_response("**/feedback") as changed:
        reply.get_by_role("button", name="Yes", exact=True).click()
    assert changed.value.request.post_data_json == {"answer_id": answer_id, "helpful": True}
    expect(reasons).to_have_count(0)
    assert _vote_in_log(answer_id) == (True, None)  # one vote per reply: the last wins


def test_a_picked_reason_is_shown_again_after_a_reload(page: Page) -> None:
    reply, _ = _ask(page)
    with page.expect_response("**/feedback"):
        reply.get_by_role("button", name="No", exact=True).click()
    with page.expect_response("**/feedback"):
        reply.get_by_role("button", name="Didn't answer my question").click()
    page.reload()
    restored = page.locator("#conversation > .message.bot").first
    expect(restored.get_by_role("button", name="No", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(restored.get_by_role("button", name="Didn't answer my question")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(restored.get_by_role("button", name="Too general")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_a_reason_that_cannot_be_sent_says_so(page: Page) -> None:
    reply, _ = _ask(page)
    with page.expect_response("**/feedback"):
        reply.get_by_role("button", name="No", exact=True).click()
    page.route("**/feedback", lambda route: route.fulfill(status=503, body="{}"))
    reply.get_by_role("button", name="Too general").click()
    expect(reply.locator(".feedback-status")).to_have_text(
        "Your reason could not be sent. Please try again."
    )
    expect(reply.get_by_role("button", name="Too general")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_axe_finds_no_serious_violations_with_the_reasons_shown(page: Page) -> None:
    reply, _ = _ask(page)
    with page.expect_response("**/feedback"):
        reply.get_by_role("button", name="No", exact=True).click()
    expect(reply.get_by_role("group", name="Why wasn't it helpful?")).to_be_visible()
    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
