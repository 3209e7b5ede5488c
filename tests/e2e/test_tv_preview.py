"""The editor's and a TV's settings page preview: the real TV app in preview mode, framed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Frame, Page, expect

from chalkboard.displays import queries as displays
from chalkboard.menus import operations
from chalkboard.schedules import dayparts
from chalkboard.schedules.forms import DayPartIn
from tests.conftest import Browser as HttpBrowser
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_embeds import frame_of
from tests.e2e.test_foundation import no_horizontal_scroll
from tests.test_daypart_menus_live import window
from tests.test_embeds import published_menu, rename
from tests.test_menu_operations import ACTOR

pytestmark = pytest.mark.browser


async def signed_in(chromium: Browser, live: RunningServer, boss: HttpBrowser) -> BrowserContext:
    context = await chromium.new_context(viewport={"width": 1400, "height": 900})
    await context.add_cookies(
        [{"name": name, "value": value, "url": live.url} for name, value in boss.cookies.items()]
    )
    return context


async def tv_frame(page: Page) -> Frame:
    frame = await frame_of(page, "/tv?preview=")
    await expect(frame.locator("#board")).to_be_visible()
    return frame


async def test_the_editor_preview_is_the_tv_app_and_follows_edits(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """The editor frames /tv in preview mode: producer, note and prices as a TV draws them;
    an edit made elsewhere shows without a reload; a portrait screen draws a tall board."""
    boss, slug = owner
    ids: dict[str, Any] = await published_menu(db, slug)
    context = await signed_in(chromium, live, boss)
    try:
        page = await context.new_page()
        await page.goto(f"{live.url}/v/{slug}/menus/{ids['menu_id']}")
        frame = await tv_frame(page)
        row = frame.locator(".board-columns .entry", has_text="Visible IPA")
        await expect(row.locator(".producer")).to_have_text("Hop Works")
        await expect(row.locator(".note")).to_have_text("Last pints!")
        await expect(row.locator(".price")).to_have_text([re.compile(r"6\.50")])
        await expect(frame.locator(".board-menu")).to_have_text("Draft")

        await rename(db, ids, "Tonight")
        await expect(frame.locator(".board-menu")).to_have_text("Tonight", timeout=10_000)

        await page.get_by_label("Screen").select_option("1080x1920")
        await expect(page.locator(".tv-preview iframe")).to_have_attribute("width", "1080")
        await expect(frame.locator("#stage")).to_have_class(re.compile(r"\btall\b"))
    finally:
        await context.close()


async def test_the_settings_preview_shows_a_look_before_it_is_saved(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """On a TV's settings page, picking the neon look redraws the preview in it at once, and
    turning the TV to portrait shows a portrait screen; nothing is saved until the form is."""
    boss, slug = owner
    ids: dict[str, Any] = await published_menu(db, slug)
    async with db.acquire() as conn:
        display = await displays.create_display(
            conn, venue_id=ids["venue_id"], name="Bar TV", menu_id=ids["menu_id"]
        )
    context = await signed_in(chromium, live, boss)
    try:
        page = await context.new_page()
        await page.goto(f"{live.url}/v/{slug}/displays/{display.id}")
        frame = await tv_frame(page)
        stage = frame.locator("#stage")
        await expect(stage).to_have_class(re.compile(r"\blook-taproom\b"))
        await page.locator("input[name=look][value=neon]").check()
        await expect(stage).to_have_class(re.compile(r"\blook-neon\b"))
        await expect(stage).to_have_css("background-color", "rgb(12, 8, 24)")
        stored = await db.fetchval("SELECT theme FROM displays WHERE id = $1", display.id)
        assert stored.get("look", "taproom") == "taproom"
        await page.get_by_label("Orientation").select_option("portrait")
        await expect(page.get_by_label("Screen")).to_have_value("1080x1920")
        await expect(stage).to_have_class(re.compile(r"\btall\b"))
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def test_the_preview_data_is_what_a_tv_would_be_sent(
    live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """A menu's preview: its board, the venue, a stand-in display with default settings;
    a display's preview without a menu has no board; neither is cached."""
    boss, slug = owner
    ids: dict[str, Any] = await published_menu(db, slug)
    response: httpx.Response = await boss.get(f"/v/{slug}/displays/preview/menus/{ids['menu_id']}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["board"]["menu"]["id"] == ids["menu_id"]
    assert data["venue"]["currency"] == await db.fetchval(
        "SELECT currency FROM venues WHERE id = $1", ids["venue_id"]
    )
    assert data["display"]["theme"]["look"] == "taproom"
    async with db.acquire() as conn:
        idle = await displays.create_display(
            conn, venue_id=ids["venue_id"], name="Idle TV", menu_id=None
        )
    data = (await boss.get(f"/v/{slug}/displays/{idle.id}/preview")).json()
    assert (data["board"], data["display"]["name"]) == (None, "Idle TV")


async def test_the_slides_page_works_on_a_phone(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """At phone size, a text slide is added for a TV through the page; the page has no
    serious accessibility violations and no sideways scroll."""
    boss, slug = owner
    ids: dict[str, Any] = await published_menu(db, slug)
    async with db.acquire() as conn:
        await displays.create_display(
            conn, venue_id=ids["venue_id"], name="Bar TV", menu_id=ids["menu_id"]
        )
    context = await chromium.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    await context.add_cookies(
        [{"name": name, "value": value, "url": live.url} for name, value in boss.cookies.items()]
    )
    try:
        page = await context.new_page()
        await page.goto(f"{live.url}/v/{slug}/displays/slides")
        await page.get_by_label("Title").fill("Trivia night")
        await page.get_by_label("Bar TV").check()
        await page.get_by_role("button", name="Add slide").click()
        await expect(page.locator(".notice")).to_contain_text("Slide added")
        await expect(page.locator(".slide-row")).to_contain_text("Trivia night")
        await no_horizontal_scroll(page)
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def test_a_tv_s_preview_shows_its_day_part_menu_and_any_day_part_on_a_phone(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """A TV's settings page previews the board as the TV shows it now (happy hour's price, its
    name in the header), and, picked on a phone, as another day-part shows it (that day-part's
    menu) in the look typed but not saved; no serious accessibility violations or sideways
    scroll at phone or desktop size."""
    boss, slug = owner
    ids: dict[str, Any] = await published_menu(db, slug)
    venue_id = ids["venue_id"]
    size_id = await db.fetchval("SELECT id FROM serving_sizes WHERE venue_id = $1", venue_id)
    now = datetime.now(
        ZoneInfo(await db.fetchval("SELECT timezone FROM venues WHERE id = $1", venue_id))
    )
    happy = DayPartIn.model_validate(
        {
            "name": "Happy hour",
            "windows": [window(now - timedelta(hours=1), now + timedelta(hours=2))],
            "entries": [{"entry_id": ids["entry_id"], "prices": {str(size_id): 400}}],
        }
    )
    late = DayPartIn.model_validate(
        {"name": "Late", "windows": [window(now + timedelta(hours=3), now + timedelta(hours=4))]}
    )
    async with db.acquire() as conn, conn.transaction():
        for part in (happy, late):
            saved = await dayparts.save_daypart(
                conn, venue_id=venue_id, daypart_id=None, form=part, actor=ACTOR
            )
        lunch = await operations.create_menu(conn, venue_id=venue_id, name="Lunch", actor=ACTOR)
        display = await displays.create_display(
            conn, venue_id=venue_id, name="Bar TV", menu_id=ids["menu_id"]
        )
        await displays.replace_menu_rules(
            conn, venue_id=venue_id, display_id=display.id, rules=[(saved.id, lunch["menu"]["id"])]
        )
    url = f"{live.url}/v/{slug}/displays/{display.id}"
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    await context.add_cookies(
        [{"name": name, "value": value, "url": live.url} for name, value in boss.cookies.items()]
    )
    try:
        page = await context.new_page()
        await page.goto(url)
        frame = await tv_frame(page)
        await expect(frame.locator(".board-menu")).to_have_text("Draft")
        row = frame.locator(".board-columns .entry", has_text="Visible IPA")
        await expect(row.locator(".price")).to_have_text([re.compile(r"4\.00")])
        await expect(frame.locator(".board-daypart")).to_have_text("Happy hour")
        picker = page.get_by_label("Show the board")
        await expect(picker.locator("option:checked")).to_have_text("Now: Draft")
        await expect(page.locator(".preview-form button")).to_have_count(0)  # no reload needed
        await page.locator("input[name=look][value=neon]").check()  # typed, not saved
        await picker.select_option(label="Late: Lunch")
        await expect(page).to_have_url(re.compile(rf"\?daypart={saved.id}#preview$"))
        frame = await frame_of(page, "daypart%3D")
        await expect(frame.locator(".board-menu")).to_have_text("Lunch")
        await expect(frame.locator(".board-daypart")).to_be_hidden()  # Late changes no price
        await expect(frame.locator("#stage")).to_have_class(re.compile(r"\blook-neon\b"))
        await no_horizontal_scroll(page)
        assert await serious_violations(page) == []
        await page.set_viewport_size({"width": 1400, "height": 900})
        assert await serious_violations(page) == []
    finally:
        await context.close()
