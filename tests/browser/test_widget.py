"""The widget on another site's page, and the admin inbox, in Chromium against real servers.

The host pages are served from other loopback ports than the bot, so they are other
origins, as a site owner's pages are: one allowed by CHATBOT_EMBED_ORIGINS, one not.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Frame, Page, ViewportSize, expect

from tests.browser.conftest import DESKTOP, MOBILE, TIMEOUT_MS
from tests.browser.harness import SCREENSHOTS, browser_test
from tests.browser.helpers import FAQ_ANSWER_START, FAQ_CITATION, FAQ_QUESTION
from tests.conftest import FIXTURES, copy_knowledge
from tests.server import free_port, running_server

pytestmark = browser_test

TOKEN = "widget-test-token-0123456789"
# The host page has a strict CSP of its own: no inline script or style anywhere.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A clinic's page</title>
<meta http-equiv="Content-Security-Policy"
  content="default-src 'self'; script-src {bot}; frame-src {bot}; style-src 'self'">
</head><body><main><h1>Our clinic</h1><p>Opening hours and directions.</p>
<p><a href="#top">A link before the widget</a></p></main>
<script src="{bot}/widget.js" defer data-question="{question}"></script>
</body></html>
"""
RUBBER_BAND = "can i stretch my wrist with a rubber band"
STEPS = "desk-wrist-stretches#your-step-by-step-wrist-stretch-steps"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _static_site(folder: Path, port: int) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Sites:
    bot: str
    allowed: str  # the host page on an origin CHATBOT_EMBED_ORIGINS lists
    refused: str  # the same page on an origin it does not
    knowledge: Path


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    root = tmp_path_factory.mktemp("widget")
    knowledge = copy_knowledge(FIXTURES / "clinic", root / "knowledge")
    allowed_port, refused_port = free_port(), free_port()
    allowed_origin = f"http://127.0.0.1:{allowed_port}"
    environment = {
        "CHATBOT_KNOWLEDGE_DIR": str(knowledge),
        "CHATBOT_DB": str(root / "log.db"),
        "CHATBOT_EMBED_ORIGINS": allowed_origin,
        "CHATBOT_ADMIN_TOKEN": TOKEN,
    }
    with running_server(environment, stderr=root / "server.log") as bot:
        pages = root / "host"
        pages.mkdir()
        (pages / "index.html").write_text(HOST_PAGE.format(bot=bot, question=FAQ_QUESTION))
        with (
            _static_site(pages, allowed_port) as allowed,
            _static_site(pages, refused_port) as refused,
        ):
            yield Sites(bot, f"{allowed}/index.html", f"{refused}/index.html", knowledge)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=DESKTOP, http_credentials={"username": "editor", "password": TOKEN}
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def _host(context: BrowserContext, url: str, viewport: ViewportSize = DESKTOP) -> Page:
    page = context.new_page()
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    # Every event the widget dispatches is recorded where the test can read it.
    page.evaluate(
        """() => {
          window.heard = [];
          for (const type of ["chatbot:open", "chatbot:close", "chatbot:answer"]) {
            document.addEventListener(type, (e) => window.heard.push([type, e.detail]));
          }
        }"""
    )
    return page


def _chat(page: Page) -> Frame:
    frame = page.frame_locator("#chatbot-panel iframe").locator("#question").element_handle()
    assert frame is not None
    owner = frame.owner_frame()
    assert owner is not None
    return owner


def _serious(target: Page | Frame) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = Axe().run(target).response["violations"]
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_a_page_on_an_allowed_site_asks_and_gets_a_cited_answer(
    sites: Sites, context: BrowserContext
) -> None:
    page = _host(context, sites.allowed)
    launcher = page.get_by_role("button", name="Ask a question")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    dialog = page.get_by_role("dialog", name="Ask a question")
    expect(dialog).to_be_visible()
    chat = page.frame_locator("#chatbot-panel iframe")
    # data-question fills the box; focus is in the chat, ready to send.
    expect(chat.locator("#question")).to_have_value(FAQ_QUESTION)
    expect(chat.locator("#question")).to_be_focused()
    chat.locator("#question").press("Enter")
    reply = chat.locator("#conversation > .message.bot:not(.typing)").first
    expect(reply.locator(".answer-text")).to_contain_text(FAQ_ANSWER_START)
    citation = reply.locator(".citation a")
    expect(citation).to_have_text(FAQ_CITATION)
    assert citation.get_attribute("href", timeout=TIMEOUT_MS)
    page.wait_for_function("window.heard.some(([type]) => type === 'chatbot:answer')")
    heard = page.evaluate("window.heard")
    answer = next(detail for kind, detail in heard if kind == "chatbot:answer")
    assert answer["band"] == "answer"
    assert answer["source"].startswith(f"{sites.bot}/articles/desk-wrist-stretches#")
    assert heard[0][0] == "chatbot:open"


def test_escape_closes_the_chat_and_focus_returns_to_the_launcher(
    sites: Sites, context: BrowserContext
) -> None:
    page = _host(context, sites.allowed)
    launcher = page.get_by_role("button", name="Ask a question")
    launcher.focus()
    page.keyboard.press("Enter")
    chat = page.frame_locator("#chatbot-panel iframe")
    expect(chat.locator("#question")).to_be_focused()
    chat.locator("#question").press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")  # opens again, from the keyboard
    expect(chat.locator("#question")).to_be_focused()
    page.get_by_role("button", name="Close the chat").click()
    expect(launcher).to_be_focused()
    kinds = [kind for kind, _ in page.evaluate("window.heard")]
    assert kinds == ["chatbot:open", "chatbot:close", "chatbot:open", "chatbot:close"]


def test_the_chat_fills_a_phone_screen(sites: Sites, context: BrowserContext) -> None:
    page = _host(context, sites.allowed, MOBILE)
    page.get_by_role("button", name="Ask a question").click()
    box = page.locator("#chatbot-panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": MOBILE["width"], "height": MOBILE["height"]}


def test_a_site_not_allowed_cannot_show_the_chat(sites: Sites, context: BrowserContext) -> None:
    page = _host(context, sites.refused)
    page.get_by_role("button", name="Ask a question").click()
    page.wait_for_timeout(500)
    framed = [f for f in page.frames if f.parent_frame is not None]
    assert len(framed) == 1
    # The browser refuses the frame (frame-ancestors): the bot's page never loads in it.
    assert not framed[0].url.startswith(sites.bot)
    assert framed[0].locator("#question").count() == 0


def test_axe_finds_no_serious_violations_in_the_widget(
    sites: Sites, context: BrowserContext
) -> None:
    page = _host(context, sites.allowed)
    page.get_by_role("button", name="Ask a question").click()
    chat = page.frame_locator("#chatbot-panel iframe")
    # The frame's script moves focus into the box once it runs: only then does Enter
    # ask in the frame (without the script the form would post to a new tab).
    expect(chat.locator("#question")).to_have_value(FAQ_QUESTION)
    expect(chat.locator("#question")).to_be_focused()
    chat.locator("#question").press("Enter")
    expect(chat.locator(".message.bot .citation")).to_be_visible()
    assert _serious(page) == []
    assert _serious(_chat(page)) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget.png")


def test_inbox_attaches_a_question_from_the_keyboard_and_the_bot_then_answers_it(
    sites: Sites, context: BrowserContext
) -> None:
    for question in (RUBBER_BAND, RUBBER_BAND, "wrist rubber band stretch"):
        assert httpx2.post(f"{sites.bot}/ask", json={"question": question}).json()["band"] in (
            "fallback",
            "suggest",
        )
    page = context.new_page()
    page.goto(f"{sites.bot}/admin")
    group = page.locator(".inbox-group", has=page.get_by_role("heading", name=RUBBER_BAND))
    expect(group).to_contain_text("Asked 3 time(s)")
    assert _serious(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    group.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "inbox.png")
    attach = group.locator(f"form:has(input[value='{STEPS}']) button")
    attach.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("reloaded")
    expect(page.get_by_role("heading", name=RUBBER_BAND)).to_have_count(0)
    reply = httpx2.post(f"{sites.bot}/ask", json={"question": RUBBER_BAND}).json()
    assert reply["band"] == "answer"
    assert reply["source"]["id"] == STEPS
    assert f"  - {RUBBER_BAND}" in (sites.knowledge / "alternates.yaml").read_text()
