"""The Schedules page on a phone, in a real browser, checked against Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, expect

from chalkboard.displays import queries as displays
from chalkboard.menus import operations
from chalkboard.schedules import dayparts
from chalkboard.schedules.forms import DayPartIn
from tests.builders import priced_menu, venue_id_of
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_editor import sign_up_with_venue
from tests.test_daypart_menus_live import add_daypart
from tests.test_schedules_api import ending_soon

pytestmark = pytest.mark.browser


async def seed_menu(db: asyncpg.Pool, slug: str) -> int:
    """A menu with one priced entry (a Pint of Landlord at 4.50) in the venue; its entry id."""
    async with db.acquire() as conn, conn.transaction():
        built = await priced_menu(conn, await venue_id_of(db, slug))
    return built.entry_id


async def plan_tap_4(page: Page) -> None:
    """Plan, on the Schedules page, the first entry onto tap 4 on 1 March 2099 at 17:00."""
    planned = page.locator("#planned form").filter(has_text="Plan it")
    await planned.get_by_label("Time").fill("17:00")
    await planned.locator("input[name=day]").fill("2099-03-01")
    await planned.get_by_label("New tap").fill("4")
    await planned.get_by_role("button", name="Plan it").click()
    await expect(page.locator(".notice")).to_contain_text("Planned")


async def test_staff_add_a_happy_hour_with_its_price_and_plan_a_change(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """On a phone: a happy hour with a 3.00 pint is saved and named as the next change; an
    end before its start is refused with the reason and stores nothing; a planned change is
    listed and cancelled. No serious accessibility violations on the way."""
    page = await phone.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    slug = await sign_up_with_venue(page, live)
    entry_id = await seed_menu(db, slug)
    await page.goto(f"{live.url}/v/{slug}/schedules")
    await expect(page.locator(".now")).to_contain_text("the usual menu")
    assert await serious_violations(page) == []

    form = page.locator("#new-daypart form")
    await form.get_by_label("Name").fill("Late")
    await form.locator("input[name=w0-start]").fill("22:00")
    await form.locator("input[name=w0-end]").fill("02:00")
    await form.get_by_role("button", name="Add day-part").click()
    await expect(page.locator("#new-daypart .alert")).to_contain_text("Ends the next day")
    assert await db.fetchval("SELECT count(*) FROM dayparts d JOIN venues v ON v.id = d.venue_id"
                             " WHERE v.slug = $1", slug) == 0  # fmt: skip
    assert await serious_violations(page) == []

    form = page.locator("#new-daypart form")
    await form.get_by_label("Name").fill("Happy hour")
    await form.locator("input[name=w0-start]").fill("16:00")
    await form.locator("input[name=w0-end]").fill("18:00")
    await form.locator("input[name=w0-days][value=sat]").check()
    await form.locator("input[name=w0-days][value=sun]").check()
    await form.get_by_text("Bar: prices and what shows").click()
    await form.get_by_label("Pint (usually").fill("3.00")
    await form.get_by_role("button", name="Add day-part").click()
    await expect(page.locator(".notice")).to_contain_text("Saved")
    await expect(page.locator(".now")).to_contain_text("(Happy hour)")
    price = await db.fetchval(
        "SELECT price_minor FROM daypart_prices WHERE entry_id = $1", entry_id
    )
    assert price == 300
    await expect(page.get_by_text("Every day 16:00\u201318:00")).to_be_visible()

    await page.locator("#pv-daypart").select_option(label="Happy hour")
    await page.locator("#preview").get_by_role("button", name="Preview").click()
    await expect(page.locator("#preview li", has_text="Landlord")).to_contain_text("$4.50 $3.00")
    assert await serious_violations(page) == []

    await plan_tap_4(page)
    await expect(page.locator("#planned .list")).to_contain_text("tap 4")
    assert await serious_violations(page) == []
    page.once("dialog", lambda dialog: dialog.accept())
    await page.locator("#planned .list").get_by_role("button", name="Cancel").click()
    await expect(page.locator(".notice")).to_contain_text("Cancelled")
    assert await db.fetchval("SELECT count(*) FROM planned_changes WHERE menu_id ="
                             " (SELECT menu_id FROM menu_sections s JOIN menu_entries e"
                             " ON e.section_id = s.id WHERE e.id = $1)", entry_id) == 0  # fmt: skip


@pytest.mark.slow
async def test_an_open_embed_switches_to_the_usual_price_when_happy_hour_ends(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """An embed showing the happy-hour price shows the usual one within two seconds of the
    day-part's end, with no new menu version and no reload of the page."""
    page = await phone.new_page()
    slug = await sign_up_with_venue(page, live)
    entry_id = await seed_menu(db, slug)
    venue = await db.fetchrow("SELECT id, timezone FROM venues WHERE slug = $1", slug)
    size_id = await db.fetchval("SELECT id FROM serving_sizes WHERE venue_id = $1", venue["id"])
    body, boundary = ending_soon(venue["timezone"], entry_id, size_id)
    form = DayPartIn.model_validate(body)
    async with db.acquire() as conn, conn.transaction():
        await dayparts.save_daypart(
            conn, venue_id=venue["id"], daypart_id=None, form=form, actor=operations.Actor()
        )
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE venue_id = $1", venue["id"])
    await page.goto(f"{live.url}/embed/{public_id}")
    menu = page.locator("#menu")
    await expect(menu).to_contain_text("3.00")
    marker = await page.evaluate("window.stillTheSamePage = true")
    assert marker is True
    wait = (boundary - datetime.now(UTC)).total_seconds()
    await asyncio.sleep(wait)
    await expect(menu).to_contain_text("4.50", timeout=2000)
    assert await page.evaluate("window.stillTheSamePage") is True
    assert await serious_violations(page) == []


async def test_staff_edit_a_planned_change_and_plan_a_rename_on_a_phone(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """At 390x844: a planned tap change is edited in its pre-filled form (a time in the past
    is refused with the reason and changes nothing; a new time and tap are saved); a menu's
    new name is planned. No serious accessibility violations on the way."""
    page = await phone.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    slug = await sign_up_with_venue(page, live)
    entry_id = await seed_menu(db, slug)
    await page.goto(f"{live.url}/v/{slug}/schedules")
    await plan_tap_4(page)
    planned_id = await db.fetchval("SELECT id FROM planned_changes WHERE change->>'entry_id' = $1",
                                   str(entry_id))  # fmt: skip

    row = page.locator(f"#planned-{planned_id}")
    await row.get_by_text("Edit").click()
    await expect(row.get_by_label("New tap")).to_have_value("4")
    await expect(row.locator("input[name=day]")).to_have_value("2099-03-01")
    assert await serious_violations(page) == []
    await row.locator("input[name=day]").fill("2001-03-01")
    await row.get_by_role("button", name="Save this change").click()
    row = page.locator(f"#planned-{planned_id}")
    await expect(row.locator(".alert")).to_contain_text("This time has passed")
    await expect(row.locator("input[name=day]")).to_have_value("2001-03-01")  # as typed
    assert await serious_violations(page) == []
    change = await db.fetchrow("SELECT run_at, change FROM planned_changes WHERE id = $1",
                               planned_id)  # fmt: skip
    assert change["change"]["patch"] == {"tap_label": "4"}

    await row.locator("input[name=day]").fill("2099-04-01")
    await row.get_by_label("New tap").fill("6")
    await row.get_by_role("button", name="Save this change").click()
    await expect(page.locator(".notice")).to_contain_text("will do this instead")
    await expect(page.locator(f"#planned-{planned_id}")).to_contain_text("tap 6")
    change = await db.fetchrow("SELECT run_at, change FROM planned_changes WHERE id = $1",
                               planned_id)  # fmt: skip
    assert change["change"]["patch"] == {"tap_label": "6"}
    assert change["run_at"].date().isoformat() == "2099-04-01"

    rename = page.locator("#plan-rename")
    await rename.locator("input[name=day]").fill("2099-05-01")
    await rename.get_by_label("Time").fill("12:00")
    await rename.get_by_label("New name").fill("Summer taps")
    await rename.get_by_role("button", name="Plan the new name").click()
    await expect(page.locator("#planned .list")).to_contain_text("rename the menu to Summer taps")
    assert await serious_violations(page) == []


async def test_staff_pick_a_tv_s_lunch_menu_on_a_phone(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """At 390x844, on a TV's settings page: during Lunch (on now) it shows the Lunch menu;
    the page then says Lunch shows now and when it switches back; no serious violations."""
    page = await phone.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    slug = await sign_up_with_venue(page, live)
    await seed_menu(db, slug)
    venue = await db.fetchrow("SELECT id, timezone FROM venues WHERE slug = $1", slug)
    venue_id = venue["id"]
    now = datetime.now(ZoneInfo(venue["timezone"]))  # the window is read on its clock
    await add_daypart(db, venue_id, "Lunch", now - timedelta(hours=1), now + timedelta(hours=2))
    async with db.acquire() as conn, conn.transaction():
        await operations.create_menu(conn, venue_id=venue_id, name="Lunch menu",
                                     actor=operations.Actor())  # fmt: skip
        menu_id = await conn.fetchval("SELECT id FROM menus WHERE venue_id = $1 AND name = 'Bar'",
                                      venue_id)  # fmt: skip
        display = await displays.create_display(
            conn, venue_id=venue_id, name="Food TV", menu_id=menu_id
        )
    await page.goto(f"{live.url}/v/{slug}/displays/{display.id}")
    card = page.locator("#daypart-menus")
    await expect(card.get_by_role("status")).to_contain_text("Bar (its usual menu)")
    await card.get_by_label("Day-part").select_option(label="Lunch")
    await card.get_by_label("Show").select_option(label="Lunch menu")
    await card.get_by_role("button", name="Save menus by day-part").click()
    await expect(page.locator(".notice")).to_contain_text("Saved")
    status = page.locator("#daypart-menus").get_by_role("status")
    await expect(status).to_contain_text("Lunch menu (Lunch)")
    await expect(status).to_contain_text("Next switch at")
    await expect(status).to_contain_text(": Bar")
    assert await serious_violations(page) == []
