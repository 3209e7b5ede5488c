"""The editor as staff read it behind the bar: kicked rows, what TVs show right now, adding
beverages fast, all in real Chromium at phone size and checked with axe-core."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.conftest import Browser as HttpBrowser
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.test_editor_views import Menu, new_menu

pytestmark = pytest.mark.browser


async def phone_signed_in(
    chromium: Browser, live: RunningServer, boss: HttpBrowser
) -> BrowserContext:
    """A phone-sized touch browser carrying the owner's session."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    await context.add_cookies(
        [{"name": name, "value": value, "url": live.url} for name, value in boss.cookies.items()]
    )
    return context


async def kicked_and_low(menu: Menu) -> None:
    """A tap list with a kicked keg and one running low."""
    taps = await menu.ids("menu_sections", name="On tap")
    pint = await menu.ids("serving_sizes", name="Pint")
    for tap, name in (("1", "Foghorn Pils"), ("2", "Night Shift")):
        beverage = await menu.ids("beverages", name=name)
        await menu.save(
            f"/sections/{taps}/entries",
            beverage_id=str(beverage),
            tap_label=tap,
            status="on_tap",
            **{f"price_{pint}": "5.20"},
        )
    stout = await menu.ids("menu_entries", tap_label="2")
    await menu.save(
        f"/entries/{stout}", tap_label="2", status="on_tap", keg_percent="8",
        **{f"price_{pint}": "5.20"},
    )  # fmt: skip
    await menu.save(f"/entries/{await menu.ids('menu_entries', tap_label='1')}/kick")


async def test_a_kicked_row_reads_as_kicked_and_passes_axe(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """A kicked row is struck through with a "Kicked" badge, its text and buttons at full
    contrast (not faded as if disabled), and the editor has no serious axe violations."""
    menu = await new_menu(owner, db)
    await kicked_and_low(menu)
    context = await phone_signed_in(chromium, live, owner[0])
    try:
        page = await context.new_page()
        await page.goto(live.url + menu.url)
        row = page.locator("li.entry.status-kicked")
        await expect(row.locator(".badge.status")).to_have_text("Kicked")
        assert await row.evaluate("r => getComputedStyle(r).opacity") == "1"
        name = row.locator("strong")
        assert "line-through" in await name.evaluate("n => getComputedStyle(n).textDecorationLine")
        clear = row.get_by_role("button", name="Clear kicked Foghorn Pils from the list")
        assert await clear.evaluate("b => getComputedStyle(b).opacity") == "1"
        await page.screenshot(path="/tmp/eux/kicked-phone.png", full_page=True)
        assert await serious_violations(page) == []
    finally:
        await context.close()
