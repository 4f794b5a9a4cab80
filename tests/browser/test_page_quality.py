"""Works for everyone: every band rendered, accessibility, keyboard, 375 px, dark mode."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import DESKTOP, MOBILE, ColorScheme, PageFactory
from tests.browser.harness import SCREENSHOTS, browser_test
from tests.browser.helpers import (
    ARTICLE_PATH,
    FAQ_QUESTION,
    FAQ_URL,
    OFF_TOPIC_QUESTION,
    STEPS_QUESTION,
    ask_by_typing,
    bot_replies,
    canned_reply,
    reply_once_with,
    user_messages,
)

pytestmark = browser_test

VIEWPORTS = {"desktop": DESKTOP, "mobile": MOBILE}
# What each band shows: (note, related label, has a citation, has thumbs).
BANDS = [
    ("answer", "", "Related questions", True, True),
    ("suggest", "Not sure", "Did you mean…", False, True),
    ("fallback", "No answer found", "You could ask", False, True),
    ("triage", "Please talk to a professional", "You could also read", False, False),
    ("smalltalk", "", "", False, False),
]
# Structure of a reply as tag.class and its own text, to compare server and script rendering.
STRUCTURE = """reply => Array.from(reply.querySelectorAll("*"))
  .filter(node => node.tagName !== "INPUT")
  .map(node => [node.tagName, node.className, Array.from(node.childNodes)
    .filter(child => child.nodeType === Node.TEXT_NODE)
    .map(child => child.textContent).join("").replace(/\\s+/g, " ").trim()])"""


@pytest.mark.parametrize(("band", "note", "related", "cited", "rated"), BANDS)
def test_every_band_renders_with_its_note_links_and_disclaimer(
    page: Page, band: str, note: str, related: str, cited: bool, rated: bool
) -> None:
    page.goto("/")
    reply_once_with(page, 200, canned_reply(band))
    reply = ask_by_typing(page, "canned question")
    expect(reply).to_have_attribute("data-band", band)
    expect(reply.locator(".answer-text")).to_have_text(f"A canned {band} reply.")
    if note:
        expect(reply.locator(".band-note")).to_have_text(note)
    else:
        expect(reply.locator(".band-note")).to_have_count(0)
    expect(reply.locator(".related-label")).to_have_count(1 if related else 0)
    if related:
        expect(reply.locator(".related-label")).to_have_text(related)
    expect(reply.locator(".citation")).to_have_count(1 if cited else 0)
    expect(reply.locator(".feedback")).to_have_count(1 if rated else 0)
    expect(reply.locator(".answer-disclaimer")).to_have_text(
        "Canned disclaimer: not medical advice."
    )


def test_a_triage_reply_stands_out_from_an_answer(page: Page) -> None:
    page.goto("/")
    reply_once_with(page, 200, canned_reply("answer"))
    answer = ask_by_typing(page, "first")
    reply_once_with(page, 200, canned_reply("triage"))
    triage = ask_by_typing(page, "second")
    look = (
        "node => { const s = getComputedStyle(node); return [s.backgroundColor, s.borderTopWidth] }"
    )
    answer_background, answer_border = answer.locator(".bubble").evaluate(look)
    triage_background, triage_border = triage.locator(".bubble").evaluate(look)
    assert triage_background != answer_background
    assert float(triage_border.removesuffix("px")) > float(answer_border.removesuffix("px"))


def test_a_weak_answer_is_labelled_as_the_closest_match(page: Page) -> None:
    page.goto("/")
    reply_once_with(page, 200, canned_reply("answer", confidence=0.35))
    expect(ask_by_typing(page, "wrist stuff").locator(".band-note")).to_have_text("Closest match")


@pytest.mark.parametrize("question", [FAQ_QUESTION, STEPS_QUESTION, OFF_TOPIC_QUESTION])
def test_the_script_builds_the_same_reply_as_the_server(
    new_page: PageFactory, question: str
) -> None:
    scripted = new_page()
    scripted.goto("/")
    built = ask_by_typing(scripted, question).evaluate(STRUCTURE)
    served = new_page(javascript=False)
    served.goto("/")
    served.locator("#question").fill(question)
    served.get_by_role("button", name="Send").click()
    served.wait_for_load_state()
    rendered = bot_replies(served).last.evaluate(STRUCTURE)
    assert built == rendered


def test_the_page_works_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    assert page.locator(".skip-link").evaluate("n => getComputedStyle(n).outlineStyle") == "solid"
    for _ in range(20):
        if page.evaluate("() => document.activeElement.id") == "question":
            break
        page.keyboard.press("Tab")
    expect(page.locator("#question")).to_be_focused()
    page.keyboard.type(FAQ_QUESTION)
    page.keyboard.press("Enter")
    expect(bot_replies(page)).to_have_count(1)
    expect(page.locator("#question")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    for _ in range(20):
        if page.evaluate("() => document.activeElement.className") == "chip":
            break
        page.keyboard.press("Shift+Tab")
    focused_chip = page.locator(".chip:focus")
    title = focused_chip.inner_text()
    assert focused_chip.evaluate("n => getComputedStyle(n).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(bot_replies(page)).to_have_count(2)
    expect(user_messages(page).last).to_contain_text(title)


def test_answers_are_announced_through_a_live_region(page: Page) -> None:
    page.goto("/")
    live = page.locator("[aria-live=polite]")
    reply = ask_by_typing(page, FAQ_QUESTION)
    assert live.locator(".message.bot").count() == 1
    expect(live).to_have_attribute("aria-relevant", "additions")
    expect(page.get_by_label("Your question")).to_be_visible()
    expect(reply).to_contain_text("The assistant replied:")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_a_375_pixel_screen_has_no_horizontal_scroll(
    new_page: PageFactory, color_scheme: ColorScheme
) -> None:
    page = new_page(viewport=MOBILE, color_scheme=color_scheme)
    page.goto("/")
    steps = ask_by_typing(page, STEPS_QUESTION)
    expect(user_messages(page).last).to_be_in_viewport()
    expect(steps.locator(".answer-text li").first).to_be_in_viewport()
    ask_by_typing(page, "x" * 300)
    widths = "() => [document.documentElement.scrollWidth, window.innerWidth]"
    scroll_width, width = page.evaluate(widths)
    assert scroll_width <= width == MOBILE["width"]
    expect(page.locator("#send")).to_be_in_viewport()
    page.goto(ARTICLE_PATH)
    scroll_width, width = page.evaluate(widths)
    assert scroll_width <= width


@pytest.mark.parametrize(
    ("color_scheme", "background"), [("light", (244, 246, 249)), ("dark", (15, 19, 24))]
)
def test_the_page_follows_the_colour_scheme(
    new_page: PageFactory, color_scheme: ColorScheme, background: tuple[int, int, int]
) -> None:
    page = new_page(color_scheme=color_scheme)
    page.goto("/")
    expect(page.locator("body")).to_have_css(
        "background-color", "rgb({}, {}, {})".format(*background)
    )


def serious_violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_axe_finds_no_serious_accessibility_violations(
    new_page: PageFactory, color_scheme: ColorScheme, viewport: str
) -> None:
    page = new_page(color_scheme=color_scheme, viewport=VIEWPORTS[viewport])
    page.goto("/")
    assert serious_violations(page) == []
    ask_by_typing(page, STEPS_QUESTION)
    bot_replies(page).last.get_by_role("button", name="Yes", exact=True).click()
    ask_by_typing(page, OFF_TOPIC_QUESTION)
    reply_once_with(page, 200, canned_reply("triage"))
    ask_by_typing(page, "triage")
    reply_once_with(page, 500, {"detail": "Something went wrong on our side."})
    ask_by_typing(page, "error")
    assert serious_violations(page) == []
    page.goto(FAQ_URL)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("name", "viewport", "color_scheme"),
    [
        ("chat-desktop", {"width": 1280, "height": 900}, "light"),
        ("chat-desktop-dark", {"width": 1280, "height": 900}, "dark"),
        ("chat-mobile", MOBILE, "light"),
        ("chat-mobile-dark", MOBILE, "dark"),
    ],
)
def test_screenshots_of_a_conversation(
    new_page: PageFactory, name: str, viewport: ViewportSize, color_scheme: ColorScheme
) -> None:
    """Saves the screenshots the README shows, of a page that fits its screen."""
    page = new_page(viewport=viewport, color_scheme=color_scheme)
    page.goto("/")
    reply = ask_by_typing(page, "typing all day stiff wrists why")
    page.locator("#question").blur()
    # What the picture must show: the answer and its source, with nothing cut off sideways.
    expect(reply.locator(".answer-text")).to_be_visible()
    expect(reply.locator(".citation")).to_be_visible()
    expect(reply).to_be_in_viewport()
    widths = "() => [document.documentElement.scrollWidth, window.innerWidth]"
    scroll_width, width = page.evaluate(widths)
    assert scroll_width <= width == viewport["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    png = path.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == viewport["width"]


def test_the_accessibility_check_catches_a_contrast_failure(page: Page) -> None:
    page.goto("/")
    page.evaluate(
        """() => {
        const faint = document.createElement("p");
        faint.textContent = "Faint text";
        faint.style.color = "#777777";
        faint.style.background = "#888888";
        document.querySelector("main").appendChild(faint);
    }"""
    )
    assert [v["id"] for v in serious_violations(page)] == ["color-contrast"]
