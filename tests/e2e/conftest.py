"""Real headless Chromium (Debian's `chromium`) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

# Quiet, sandbox-friendly flags: this machine's network is closed, and Chromium's
# background services would otherwise keep trying to reach Google at every start.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (see .ci/run)")
        pytest.skip("no chromium on this machine: `apt-get install chromium` to run browser tests")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def phone(chromium: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile the size of a phone behind the bar (375 px wide)."""
    context = await chromium.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    yield context
    await context.close()
