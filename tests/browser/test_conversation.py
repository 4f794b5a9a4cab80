"""The conversation in a real browser: asking, answers, citations, suggestions, feedback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.harness import browser_test
from tests.browser.helpers import (
    DISCLAIMER_START,
    FAQ_ANCHOR,
    FAQ_ANSWER_START,
    FAQ_CITATION,
    FAQ_QUESTION,
    FAQ_URL,
    FIRST_STEP_START,
    STEPS_QUESTION,
    ask_by_typing,
    bot_replies,
    canned_reply,
    reply_once_with,
    user_messages,
)

pytestmark = browser_test


def test_typing_a_question_and_pressing_enter_shows_the_quoted_answer(page: Page) -> None:
    page.goto("/")
    reply = ask_by_typing(page, FAQ_QUESTION)
    expect(user_messages(page)).to_have_count(1)
    expect(user_messages(page).last).to_contain_text(FAQ_QUESTION)
    expect(reply.locator(".answer-text")).to_contain_text(FAQ_ANSWER_START)
    citation = reply.locator(".citation")
    expect(citation).to_have_text(f"Source: {FAQ_CITATION}")
    expect(citation.get_by_role("link")).to_have_attribute("href", FAQ_URL)
    expect(reply.locator(".answer-disclaimer")).to_contain_text(DISCLAIMER_START)
    expect(page.locator(".disclaimer").first).to_contain_text("Not medical advice.")
    expect(page.locator("#question")).to_have_value("")
    expect(reply).to_be_in_viewport()
    expect(page.locator("#starters")).to_be_hidden()


def test_the_step_by_step_guide_reads_as_a_numbered_list(page: Page) -> None:
    page.goto("/")
    reply = ask_by_typing(page, STEPS_QUESTION)
    steps = reply.locator(".answer-text ol > li")
    expect(steps).to_have_count(5)
    expect(steps.first).to_have_text(re.compile("^" + re.escape(FIRST_STEP_START)))


def test_shift_enter_starts_a_new_line_instead_of_sending(page: Page) -> None:
    page.goto("/")
    box = page.locator("#question")
    box.click()
    box.press_sequentially("stiff wrists")
    box.press("Shift+Enter")
    box.press_sequentially("after typing")
    expect(box).to_have_value("stiff wrists\nafter typing")
    expect(user_messages(page)).to_have_count(0)
    box.press("Enter")
    expect(bot_replies(page)).to_have_count(1)
    expect(user_messages(page).last.locator(".bubble")).to_have_text(
        "You asked: stiff wrists\nafter typing"
    )


def test_send_is_disabled_and_the_bot_shows_it_is_working_while_asking(page: Page) -> None:
    held: list[Route] = []
    page.route("**/ask", lambda route: held.append(route))
    page.goto("/")
    page.locator("#question").fill(FAQ_QUESTION)
    page.locator("#question").press("Enter")
    send = page.locator("#send")
    expect(send).to_be_disabled()
    expect(send).to_have_text("Thinking…")
    expect(page.locator("#conversation .typing")).to_be_visible()
    assert len(held) == 1
    held[0].continue_()
    expect(bot_replies(page)).to_have_count(1)
    expect(page.locator("#conversation .typing")).to_have_count(0)
    expect(send).to_be_enabled()
    expect(send).to_have_text("Send")


def test_following_the_citation_lands_on_the_highlighted_passage(page: Page) -> None:
    page.goto("/")
    reply = ask_by_typing(page, FAQ_QUESTION)
    reply.locator(".citation a").click()
    expect(page).to_have_url(re.compile(re.escape(FAQ_URL) + "$"))
    passage = page.locator(f"#{FAQ_ANCHOR}")
    expect(passage).to_contain_text(FAQ_ANSWER_START)
    expect(passage).to_be_in_viewport()
    assert passage.evaluate("node => node.matches(':target')")
    expect(passage).to_have_css("outline-style", "solid")
    page.go_back()
    expect(user_messages(page)).to_have_count(1)
    expect(bot_replies(page)).to_have_count(1)


def test_clicking_a_related_question_asks_it(page: Page) -> None:
    page.goto("/")
    reply = ask_by_typing(page, FAQ_QUESTION)
    chip = reply.locator(".related .chip").first
    expect(reply.locator(".related-label")).to_have_text("Related questions")
    title = chip.inner_text()
    chip.click()
    expect(bot_replies(page)).to_have_count(2)
    expect(user_messages(page).last).to_contain_text(title)
    expect(bot_replies(page).last.locator(".answer-text")).not_to_be_empty()


def test_clicking_a_did_you_mean_suggestion_asks_it(page: Page) -> None:
    page.goto("/")
    reply_once_with(page, 200, canned_reply("suggest"))
    reply = ask_by_typing(page, "my leg")
    expect(reply.locator(".related-label")).to_have_text("Did you mean…")
    reply.get_by_role("button", name=FAQ_QUESTION).click()
    expect(bot_replies(page)).to_have_count(2)
    expect(user_messages(page).last).to_contain_text(FAQ_QUESTION)
    expect(bot_replies(page).last.locator(".answer-text")).to_contain_text(FAQ_ANSWER_START)


def test_a_starter_question_asks_it(page: Page) -> None:
    page.goto("/")
    page.locator("#starters").get_by_role("button", name=FAQ_QUESTION).click()
    expect(bot_replies(page)).to_have_count(1)
    expect(bot_replies(page).last).to_contain_text(FAQ_ANSWER_START)


@pytest.mark.parametrize(("button", "helpful"), [("Yes", True), ("No", False)])
def test_feedback_buttons_post_the_answer_id(page: Page, button: str, helpful: bool) -> None:
    page.goto("/")
    with page.expect_response("**/ask") as asked:
        reply = ask_by_typing(page, FAQ_QUESTION)
    answer_id = asked.value.json()["answer_id"]
    with page.expect_response("**/feedback") as posted:
        reply.get_by_role("button", name=button, exact=True).click()
    assert posted.value.request.post_data_json == {"answer_id": answer_id, "helpful": helpful}
    assert posted.value.status == 202
    expect(reply.get_by_role("button", name=button, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(reply.locator(".feedback-status")).to_have_text("Thanks for your feedback.")


def test_feedback_that_cannot_be_sent_says_so(page: Page) -> None:
    page.goto("/")
    reply = ask_by_typing(page, FAQ_QUESTION)
    page.route("**/feedback", lambda route: route.fulfill(status=503, body="{}"))
    reply.get_by_role("button", name="Yes", exact=True).click()
    expect(reply.locator(".feedback-status")).to_contain_text("could not be sent")
    expect(reply.get_by_role("button", name="Yes", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )


def test_a_server_error_shows_a_friendly_message_and_retry_asks_again(page: Page) -> None:
    page.goto("/")
    reply_once_with(page, 500, {"detail": "Something went wrong on our side. Please try again."})
    failed = ask_by_typing(page, FAQ_QUESTION)
    expect(failed).to_have_attribute("data-band", "error")
    expect(failed).to_contain_text("Something went wrong on our side. Please try again.")
    failed.get_by_role("button", name="Try again").click()
    expect(bot_replies(page)).to_have_count(1)
    expect(bot_replies(page).last).to_contain_text(FAQ_ANSWER_START)
    expect(user_messages(page)).to_have_count(1)


def test_a_network_failure_shows_a_friendly_message(page: Page) -> None:
    page.goto("/")
    page.route("**/ask", lambda route: route.abort("internetdisconnected"), times=1)
    failed = ask_by_typing(page, FAQ_QUESTION)
    expect(failed).to_contain_text("couldn't reach the server")
    expect(failed.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.locator("#send")).to_be_enabled()


def test_reload_keeps_the_conversation_and_new_conversation_clears_it(page: Page) -> None:
    page.goto("/")
    first = ask_by_typing(page, FAQ_QUESTION)
    first.get_by_role("button", name="Yes", exact=True).click()
    expect(first.locator(".feedback-status")).not_to_be_empty()
    ask_by_typing(page, STEPS_QUESTION)
    page.reload()
    expect(user_messages(page)).to_have_count(2)
    expect(user_messages(page).first).to_contain_text(FAQ_QUESTION)
    expect(bot_replies(page).first).to_contain_text(FAQ_ANSWER_START)
    expect(bot_replies(page).last.locator(".answer-text ol > li")).to_have_count(5)
    expect(bot_replies(page).first.get_by_role("button", name="Yes", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#conversation > li")).to_have_count(0)
    expect(page.locator("#starters")).to_be_visible()
    page.reload()
    expect(page.locator("#conversation > li")).to_have_count(0)
    expect(page.get_by_role("button", name="New conversation")).to_be_hidden()
