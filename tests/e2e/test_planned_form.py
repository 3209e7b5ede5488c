"""The Schedules page's planned-change form on a phone offers the chosen entry's sizes only."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import BrowserContext, expect

from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_editor import sign_up_with_venue
from tests.e2e.test_schedules import seed_menu

pytestmark = pytest.mark.browser


async def add_cocktails(db: asyncpg.Pool, slug: str) -> tuple[int, int]:
    """Taps priced by the Pint only, and a Cocktails section priced by the Glass with a
    Negroni at 9.50; the Pint's and the Glass's ids."""
    actor = operations.Actor()
    async with db.acquire() as conn, conn.transaction():
        venue_id = await conn.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
        menu_id, taps = await conn.fetchrow(
            "SELECT menu_id, id FROM menu_sections WHERE venue_id = $1", venue_id
        )
        pint = await conn.fetchval("SELECT id FROM serving_sizes WHERE venue_id = $1", venue_id)
        glass = await operations.create_serving_size(
            conn, venue_id=venue_id, name="Glass", volume_ml=None, actor=actor
        )
        change = operations.MenuChange(
            venue_id=venue_id, menu_id=menu_id, based_on=None, actor=actor
        )
        await operations.update_section(conn, section_id=taps, changes={"sizes": [pint]}, **change)
        _, section_id = await operations.add_section(
            conn, name="Cocktails", kind="list", sizes=[glass.id], **change
        )
        negroni = await menus.create_beverage(conn, venue_id=venue_id, name="Negroni")
        await operations.add_entry(
            conn,
            section_id=section_id,
            beverage_id=negroni.id,
            fields={},
            prices={glass.id: 950},
            position=None,
            **change,
        )
    return pint, glass.id


async def test_the_planned_change_form_offers_only_the_sizes_of_the_chosen_entry(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool, tmp_path: Path
) -> None:
    """A beer priced by the pint shows a Pint field and no Glass; choosing the Negroni shows
    the Glass only; a new Pint price is planned as that size alone. No serious axe issues."""
    page = await phone.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    slug = await sign_up_with_venue(page, live)
    entry_id = await seed_menu(db, slug)
    pint, glass = await add_cocktails(db, slug)
    await page.goto(f"{live.url}/v/{slug}/schedules#planned")
    form = page.locator("#planned form").filter(has_text="Plan it")
    await form.get_by_label("Entry").select_option(str(entry_id))
    await expect(form.get_by_label("Pint")).to_be_visible()
    await expect(form.get_by_label("Glass")).to_be_hidden()
    await form.get_by_label("Entry").select_option(label="Bar: Negroni")
    await expect(form.get_by_label("Glass")).to_be_visible()
    await expect(form.get_by_label("Pint")).to_be_hidden()
    await form.get_by_label("Entry").select_option(str(entry_id))
    await form.get_by_label("Pint").fill("5.00")
    await form.locator("input[name=day]").fill("2099-03-01")
    await form.get_by_label("Time").fill("17:00")
    await form.get_by_label("Pint").scroll_into_view_if_needed()
    await page.screenshot(path=str(tmp_path / "planned-form-phone.png"))  # to look at by hand
    assert await serious_violations(page) == []
    await form.get_by_role("button", name="Plan it").click()
    await expect(page.locator(".notice")).to_contain_text("Planned")
    change = await db.fetchval(
        "SELECT change FROM planned_changes p JOIN venues v ON v.id = p.venue_id WHERE v.slug = $1",
        slug,
    )
    assert change == {"entry_id": entry_id, "patch": {"prices": {str(pint): 500}}}
    assert str(glass) not in change["patch"]["prices"]
