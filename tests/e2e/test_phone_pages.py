"""Editor pages on a 390 x 844 phone: every price shows, nothing is wider than the screen,
every button can be tapped, and axe-core finds no serious or critical violation."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_editor import sign_up_with_venue
from tests.e2e.test_foundation import no_horizontal_scroll

pytestmark = pytest.mark.browser

# Every visible button's centre hit-tests to the button itself (nothing lies on top of it).
COVERED_BUTTONS = """() => Array.from(document.querySelectorAll('button'))
  .filter(b => b.checkVisibility())
  .map(b => { b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit === b || b.contains(hit) ? null : b.textContent.trim(); })
  .filter(Boolean)"""


async def check(page: Page, name: str) -> None:
    await no_horizontal_scroll(page)
    assert await page.evaluate(COVERED_BUTTONS) == [], page.url
    assert await serious_violations(page) == [], f"{name}: {page.url}"


async def test_phone_pages_show_every_price_fit_the_screen_and_pass_axe(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """Overview with three sizes shows all three prices; the embed builder and the print page
    fit 390 px with their Copy buttons tappable; editor and history pass axe."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = await context.new_page()
    try:
        slug = await sign_up_with_venue(page, live)
        venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
        actor = operations.Actor()
        async with db.acquire() as conn, conn.transaction():
            sizes = [
                await menus.create_serving_size(
                    conn, venue_id=venue_id, name=name, volume_ml=Decimal(ml)
                )
                for name, ml in (
                    ("Third", "189"),
                    ("Half", "284"),
                    ("Pint", "568"),
                    ("Glass", "150"),
                )
            ]
            beverage = await menus.create_beverage(
                conn, venue_id=venue_id, name="Jaipur", producer="Thornbridge Brewery Ltd"
            )
            board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=actor)
            menu_id = board["menu"]["id"]
            _, section_id = await operations.add_section(
                conn, venue_id=venue_id, menu_id=menu_id, based_on=None, name="Taps",
                kind="taps", sizes=[s.id for s in sizes[:3]], actor=actor,
            )  # fmt: skip
            await operations.add_entry(
                conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id,
                beverage_id=beverage.id, fields={"tap_label": "1"},
                prices={sizes[0].id: 250, sizes[1].id: 395, sizes[2].id: 745}, position=None,
                based_on=None, actor=actor,
            )  # fmt: skip
            # Cocktails price by the glass only: the overview shows that column alone.
            _, cocktails = await operations.add_section(
                conn, venue_id=venue_id, menu_id=menu_id, based_on=None, name="Cocktails",
                kind="list", sizes=[sizes[3].id], actor=actor,
            )  # fmt: skip
            negroni = await menus.create_beverage(conn, venue_id=venue_id, name="Negroni")
            await operations.add_entry(
                conn, venue_id=venue_id, menu_id=menu_id, section_id=cocktails,
                beverage_id=negroni.id, fields={}, prices={sizes[3].id: 1100}, position=None,
                based_on=None, actor=actor,
            )  # fmt: skip

        await page.goto(f"{live.url}/v/{slug}")
        row = page.locator("table.taplist tbody tr", has_text="Jaipur")
        for price in ("$2.50", "$3.95", "$7.45"):
            await expect(row.get_by_text(price).first).to_be_visible()
        await expect(page.locator("table.taplist").nth(0).locator("th")).to_have_count(5)
        cocktail_columns = page.locator("table.taplist").nth(1).locator("th")
        await expect(cocktail_columns).to_have_count(2)  # Beverage, Glass
        await expect(cocktail_columns.nth(1)).to_contain_text("Glass")
        await check(page, "overview")
        # Phone navigation: a one-line header, and TVs on screen without scrolling.
        header = await page.locator("header.topbar").bounding_box()
        assert header
        assert header["height"] <= 56, header
        tvs = await page.locator("nav.venuenav a", has_text="TVs").bounding_box()
        assert tvs
        assert tvs["x"] + tvs["width"] <= 390, tvs
        await expect(page.locator("nav.venuenav a[aria-current=page]")).to_have_text("Menus")

        editor = f"{live.url}/v/{slug}/menus/{menu_id}"
        for path, name in (("/embed", "embed-builder"), ("/embed/print", "print")):
            await page.goto(editor + path)
            await check(page, name)
        await page.goto(editor)
        await check(page, "editor")
        await page.goto(editor + "/history")
        await check(page, "history")
        await page.get_by_role("link", name="Restore version 2…").click()
        await expect(page.locator("ul.restore-changes li").first).to_be_visible()
        await check(page, "restore")
        await page.goto(f"{live.url}/v/{slug}/team")
        await check(page, "team")
        await page.goto(f"{live.url}/v/{slug}/settings")
        await check(page, "settings")
    finally:
        await context.close()


async def test_password_pages_fit_a_phone_and_pass_axe(
    live: RunningServer, chromium: Browser
) -> None:
    """Forgot password (signed out) and change password (signed in) at 390 px."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(f"{live.url}/login")
        await page.get_by_role("link", name="Forgot your password?").click()
        await page.fill("#f-email", "somebody@example.com")
        await page.get_by_role("button", name="Send me a link").click()
        await expect(page.get_by_role("status")).to_contain_text("a link to choose a new password")
        await check(page, "forgot")
        await sign_up_with_venue(page, live)
        await page.goto(f"{live.url}/account")
        await page.get_by_role("link", name="Change your password").click()
        await check(page, "password")
    finally:
        await context.close()
