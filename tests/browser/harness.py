"""Debian's Chromium for the browser tests, and the marks that skip them without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"

browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"browser tests skipped: Chromium is not installed at {CHROMIUM} "
        "(install it with `apt-get install -y chromium`; .ci/run does)",
    ),
]
