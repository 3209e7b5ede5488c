"""axe-core on the pages guests see outside the TV: the embed and the phone menu page."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import Browser, expect

from tests.conftest import Browser as HttpBrowser
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.test_embeds import published_menu

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "width", "height"),
    [
        ("/embed/{id}", 420, 900),
        ("/embed/{id}?ibu=1&desc=1&deck=1", 1024, 768),
        ("/m/{id}", 390, 844),
    ],
    ids=["embed", "embed-all-fields", "phone-menu"],
)
async def test_guest_pages_have_no_serious_accessibility_violations(
    chromium: Browser,
    live: RunningServer,
    owner: tuple[HttpBrowser, str],
    db: asyncpg.Pool,
    path: str,
    width: int,
    height: int,
) -> None:
    """The embed (default look, every field) and the phone menu: 0 serious/critical axe issues."""
    ids = await published_menu(db, owner[1])
    context = await chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = await context.new_page()
        await page.goto(live.url + path.format(id=ids["public_id"]))
        await expect(page.locator("body")).to_contain_text("Visible IPA")
        assert await serious_violations(page) == []
    finally:
        await context.close()
