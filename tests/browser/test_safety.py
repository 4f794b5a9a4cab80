"""Safe by construction: markup from people or replies stays text; the no-JS path works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import MOBILE, PageEvents, PageFactory
from tests.browser.harness import browser_test
from tests.browser.helpers import (
    ARTICLE_PATH,
    FAQ_ANSWER_START,
    FAQ_CITATION,
    FAQ_QUESTION,
    FAQ_URL,
    ask_by_typing,
    bot_replies,
    canned_reply,
    reply_once_with,
    user_messages,
)

pytestmark = browser_test

MARKUP = "<img src=x onerror=alert(1)>"


def test_markup_in_a_question_shows_as_text_and_runs_nothing(
    page: Page, events: PageEvents
) -> None:
    page.goto("/")
    ask_by_typing(page, MARKUP)
    expect(user_messages(page).last).to_contain_text(MARKUP)
    page.reload()
    expect(user_messages(page).last).to_contain_text(MARKUP)
    expect(page.locator("#conversation img")).to_have_count(0)
    assert events.dialogs == []


def test_markup_in_a_reply_shows_as_text_and_unsafe_links_are_dropped(
    page: Page, events: PageEvents
) -> None:
    page.goto("/")
    reply_once_with(
        page,
        200,
        canned_reply(
            "answer",
            answer=f"Look: {MARKUP}",
            source={
                "id": "x",
                "document": "x",
                "title": MARKUP,
                "section": "<b>bold</b>",
                "kind": "faq",
                "url": "javascript:alert(1)",
            },
            related=[{"title": MARKUP, "url": FAQ_URL}],
            disclaimer=f"<script>alert(1)</script>{MARKUP}",
        ),
    )
    reply = ask_by_typing(page, "anything")
    expect(reply.locator(".answer-text")).to_have_text(f"Look: {MARKUP}")
    expect(reply.get_by_role("button", name=MARKUP)).to_be_visible()
    expect(reply.locator(".answer-disclaimer")).to_contain_text("<script>")
    expect(reply.locator(".citation")).to_have_count(0)
    expect(page.locator("#conversation img, #conversation script, #conversation b")).to_have_count(
        0
    )
    assert events.dialogs == []


def test_every_page_is_served_with_the_security_headers(page: Page) -> None:
    for path in ("/", ARTICLE_PATH):
        response = page.goto(path)
        assert response is not None
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert page.locator("script:not([src]), [style], [onclick], [onerror]").count() == 0


def test_without_javascript_the_form_asks_and_keeps_the_conversation(
    new_page: PageFactory, events: PageEvents
) -> None:
    page = new_page(javascript=False, viewport=MOBILE)
    page.goto("/")
    page.locator("#question").fill(FAQ_QUESTION)
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(bot_replies(page)).to_have_count(1)
    reply = bot_replies(page).last
    expect(reply.locator(".answer-text")).to_contain_text(FAQ_ANSWER_START)
    expect(reply.locator(".citation")).to_have_text(f"Source: {FAQ_CITATION}")
    expect(reply.locator(".feedback")).to_be_hidden()  # thumbs need the script
    title = reply.locator(".related .chip").first.inner_text()
    reply.locator(".related .chip").first.click()
    page.wait_for_load_state()
    expect(user_messages(page)).to_have_count(2)
    expect(user_messages(page).first).to_contain_text(FAQ_QUESTION)
    expect(user_messages(page).last).to_contain_text(title)
    expect(user_messages(page).last).to_be_in_viewport()
    expect(bot_replies(page)).to_have_count(2)
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_load_state()
    expect(page.locator("#conversation > li")).to_have_count(0)
    expect(page.locator("#starters")).to_be_visible()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-script", "with-script"])
def test_markup_posted_through_the_form_shows_as_text(
    new_page: PageFactory, events: PageEvents, javascript: bool
) -> None:
    page = new_page(javascript=javascript)
    page.goto("/")
    page.locator("#question").fill(MARKUP)
    if javascript:  # a native submit skips the script, so the server renders the reply
        page.locator("#ask-form").evaluate("form => form.submit()")
    else:
        page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(user_messages(page)).to_have_count(1)
    expect(user_messages(page).last).to_contain_text(MARKUP)
    expect(bot_replies(page)).to_have_count(1)
    expect(page.locator("#conversation img")).to_have_count(0)
    assert events.dialogs == []
