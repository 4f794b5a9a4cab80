"""Fixtures for the browser tests: one server and one Chromium for the package, a fresh page each.

Package scope, not session: Playwright's sync API keeps an event loop running in the
main thread while it is open, which would break later tests that call `asyncio.run`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS
from tests.server import running_server

# Generous, because CI machines may be busy; a passing test never waits this long.
TIMEOUT_MS = 15_000
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 375, "height": 667}


@dataclass
class PageEvents:
    """What a page did that a test may want to forbid: dialogs, script errors, CSP reports."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test starts a server and Chromium: all are end-to-end."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def server_url(tmp_path_factory: pytest.TempPathFactory, clinic_dir: Path) -> Iterator[str]:
    """A real server over the fixture knowledge base (two short health articles)."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running_server({"CHATBOT_KNOWLEDGE_DIR": str(clinic_dir)}, stderr=log) as url:
        yield url


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def events() -> PageEvents:
    return PageEvents()


ColorScheme = Literal["light", "dark"]


class PageFactory(Protocol):
    def __call__(
        self,
        *,
        viewport: ViewportSize = ...,
        color_scheme: ColorScheme = ...,
        javascript: bool = ...,
    ) -> Page: ...


@pytest.fixture
def new_page(browser: Browser, server_url: str, events: PageEvents) -> Iterator[PageFactory]:
    """Opens pages in fresh contexts; fails the test on any script error or CSP report."""
    contexts: list[BrowserContext] = []

    def open_page(
        *,
        viewport: ViewportSize = DESKTOP,
        color_scheme: ColorScheme = "light",
        javascript: bool = True,
    ) -> Page:
        context = browser.new_context(
            base_url=server_url,
            viewport=viewport,
            color_scheme=color_scheme,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", events.on_dialog)
        page.on("console", events.on_console)
        page.on("pageerror", lambda error: events.errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert events.errors == [], "the page raised script errors"
    assert events.csp_violations == [], "the page broke its Content-Security-Policy"


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A desktop page with JavaScript, in light mode."""
    return new_page()
