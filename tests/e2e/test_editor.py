"""The menu editor on a phone behind the bar, in a real browser, checked against Postgres."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from tests.conftest import PASSWORD, RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_foundation import no_horizontal_scroll
from tests.test_editor_views import ENTRIES

pytestmark = pytest.mark.browser


async def sign_up_with_venue(page: Page, live: RunningServer) -> str:
    """A new owner and their venue (US dollars, ounces), made through the pages; its slug."""
    await page.goto(f"{live.url}/signup")
    await page.fill("#f-email", f"owner-{secrets.token_hex(4)}@example.com")
    await page.fill("#f-password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.fill("#f-name", f"Tap Room {secrets.token_hex(3)}")
    await page.click("main button[type=submit]")
    await expect(page.locator("#new-menu")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def entry(page: Page, name: str) -> Any:
    return page.locator("li.entry", has_text=name)


async def saved(page: Page, summary: str) -> None:
    """The editor came back from a save and says what it did."""
    await expect(page.locator(".toast")).to_contain_text(summary)


async def add_entry(page: Page, section: str, fields: dict[str, str], pick: str = "") -> None:
    add = page.locator("details.add-entry", has_text=f"Add to {section}")
    await add.evaluate("drawer => { drawer.open = true; }")
    if pick:
        await add.get_by_label("Find in your library").fill(pick[:3].lower())
        await add.get_by_label(pick).check()
    else:
        await add.get_by_text("Or create a new beverage").click()
    for label, value in fields.items():
        if label == "Status":
            await add.get_by_label(label, exact=True).select_option(label=value)
        else:
            await add.get_by_label(label, exact=True).fill(value)
    await add.get_by_role("button", name=f"Add to {section}").click()


async def test_staff_build_a_tap_list_reorder_kick_and_undo(
    live: RunningServer, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """Sizes, a beverage, three entries, drag and button reorders, a kick and an undo."""
    page = await phone.new_page()
    slug = await sign_up_with_venue(page, live)

    await page.click("nav.venuenav >> text=Serving sizes")
    for name, ounces in (("Half", "10"), ("Pint", "16")):
        await page.fill("#nz-name", name)
        await page.fill("#nz-volume", ounces)
        await page.click("text=Add serving size")
        await expect(page.locator(".notice")).to_have_text(f"Saved {name}.")
    await no_horizontal_scroll(page)
    volumes = await db.fetch(
        "SELECT z.volume_ml FROM serving_sizes z JOIN venues v ON v.id = z.venue_id "
        "WHERE v.slug = $1 ORDER BY z.position",
        slug,
    )
    assert [r["volume_ml"] for r in volumes] == [Decimal("295.7"), Decimal("473.2")], "oz typed"

    await page.click("nav.venuenav >> text=Beverages")
    await page.fill("#nb-name", "Foghorn Pils")
    await page.fill("#nb-producer", "Harbor Light")
    await page.fill("#nb-abv", "5.0")
    await page.click("text=Add to library")
    await expect(page.locator(".notice")).to_have_text("Saved Foghorn Pils.")
    await no_horizontal_scroll(page)

    await page.click("nav.venuenav >> text=Menus")
    await page.fill("#f-name", "Draft")
    await page.click("text=Create menu")
    await expect(page.locator("h1")).to_have_text("Draft")
    await page.fill("#ns-name", "On tap")
    await page.select_option("#ns-kind", "taps")
    await page.click("text=Add section")
    await saved(page, "Added section On tap")

    await add_entry(
        page,
        "On tap",
        {"Tap": "3", "Half · 10 oz": "4.50", "Pint · 16 oz": "7"},
        pick="Foghorn Pils",
    )
    await saved(page, "Added Foghorn Pils on tap 3")
    await add_entry(
        page, "On tap", {"Name": "Big Sky Red", "Status": "On deck", "Pint · 16 oz": "6.50"}
    )
    await saved(page, "Added Big Sky Red")
    # The library search filters as you type (the JSON API, no page load).
    add = page.locator("details.add-entry")
    await add.locator("> summary").click()
    await add.get_by_label("Find in your library").fill("sky")
    await expect(add.locator(".picks li")).to_have_text(["Big Sky Red"])
    await add_entry(page, "On tap", {"Name": "Juice Box", "Tap": "5"})
    await saved(page, "Added Juice Box on tap 5")

    # Drag Juice Box by its handle above Foghorn Pils (pointer events: mouse or touch).
    await entry(page, "Foghorn Pils").evaluate("item => item.scrollIntoView()")
    handle = await entry(page, "Juice Box").locator(".handle").bounding_box()
    target = await entry(page, "Foghorn Pils").bounding_box()
    assert handle
    assert target
    await page.mouse.move(handle["x"] + 10, handle["y"] + 10)
    await page.mouse.down()
    await page.mouse.move(handle["x"] + 10, target["y"] + 5, steps=12)
    await page.mouse.up()
    await saved(page, "Moved Juice Box from place 3 to 1")
    await page.get_by_role("button", name="Move Big Sky Red up").click()
    await saved(page, "Moved Big Sky Red from place 3 to 2")
    await expect(page.locator("li.entry strong")).to_have_text(
        ["Juice Box", "Big Sky Red", "Foghorn Pils"]
    )

    await entry(page, "Foghorn Pils").get_by_role("button", name="Kick").click()
    await saved(page, "Kicked Foghorn Pils; Big Sky Red is now on tap 3")
    menu_id = int(page.url.split("/menus/")[1].split("?")[0])
    after_kick = [
        (e["beverage"], e["status"], e["tap_label"]) for e in await db.fetch(ENTRIES, menu_id)
    ]
    assert after_kick == [
        ("Juice Box", "on_tap", "5"),
        ("Big Sky Red", "on_tap", "3"),
        ("Foghorn Pils", "kicked", "3"),
    ]

    await page.locator(".toast").get_by_role("button", name="Undo").click()
    await saved(page, "Undid: Kicked Foghorn Pils")
    await no_horizontal_scroll(page)

    rows = [dict(r) for r in await db.fetch(ENTRIES, menu_id)]
    assert [
        (r["position"], r["beverage"], r["status"], r["tap_label"], r["prices"]) for r in rows
    ] == [
        (0, "Juice Box", "on_tap", "5", {}),
        (1, "Big Sky Red", "on_deck", "", {"Pint": 650}),
        (2, "Foghorn Pils", "on_tap", "3", {"Half": 450, "Pint": 700}),
    ]
    revisions = await db.fetch(
        "SELECT version, kind, undone FROM menu_revisions WHERE menu_id = $1 ORDER BY version",
        menu_id,
    )
    # create, section, 3 entries, drag, button move, kick, undo: 9 versions for 8 changes.
    assert await db.fetchval("SELECT version FROM menus WHERE id = $1", menu_id) == 9
    assert [(r["version"], r["kind"], r["undone"]) for r in revisions] == [
        (1, "create", False),
        *((v, "edit", False) for v in range(2, 8)),
        (8, "edit", True),
        (9, "undo", False),
    ]

    # Every editor page fits a phone, with its forms open too.
    await entry(page, "Big Sky Red").get_by_text("Edit").click()
    await page.locator("details.add-entry > summary").click()
    await page.locator("details.preview > summary").click()
    await no_horizontal_scroll(page)
    await page.click("text=History")
    await page.get_by_role("link", name="Restore version 1…").click()
    await expect(page.get_by_role("button", name="Restore version 1")).to_be_visible()
    await no_horizontal_scroll(page)
    assert slug in page.url


async def test_two_people_editing_different_entries_both_save_and_the_same_field_clashes(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """Two phones typing on one version: prices of different entries both save (each page
    shows the other's change by itself); the same price typed on both is refused for the
    second, says what clashed, and keeps what was typed; 0 serious axe violations."""
    size = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
    bar = await chromium.new_context(**size)  # type: ignore[arg-type]
    first = await bar.new_page()
    slug = await sign_up_with_venue(first, live)
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    actor = operations.Actor()
    async with db.acquire() as conn, conn.transaction():
        pint = await menus.create_serving_size(conn, venue_id=venue_id, name="Pint", volume_ml=None)
        board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=actor)
        menu_id = board["menu"]["id"]
        _, section_id = await operations.add_section(
            conn, venue_id=venue_id, menu_id=menu_id, based_on=None, name="Taps", kind="taps",
            actor=actor,
        )  # fmt: skip
        for tap, name in (("1", "Jaipur"), ("2", "Dark Star")):
            beverage = await menus.create_beverage(conn, venue_id=venue_id, name=name)
            await operations.add_entry(
                conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id,
                beverage_id=beverage.id, fields={"tap_label": tap}, prices={pint.id: 400},
                position=None, based_on=None, actor=actor,
            )  # fmt: skip
    editor = f"{live.url}/v/{slug}/menus/{menu_id}"
    other = await chromium.new_context(**size, storage_state=await bar.storage_state())  # type: ignore[arg-type]
    try:
        second = await other.new_page()
        for page in (first, second):
            await page.goto(editor)

        async def type_price(page: Page, name: str, price: str) -> None:
            row = entry(page, name)
            await row.get_by_text("Edit").click()
            await row.get_by_label("Pint", exact=True).fill(price)

        async def save(page: Page, name: str) -> None:
            await page.get_by_role("button", name=f"Save {name}").click()

        # Both type on the same version: the desktop Jaipur's price, the phone Dark Star's.
        await type_price(first, "Jaipur", "4.50")
        await type_price(second, "Dark Star", "5.00")
        await save(first, "Jaipur")
        await saved(first, "Changed Jaipur")
        # The phone's page shows Jaipur's new price by itself, and its typed price stays.
        await expect(entry(second, "Jaipur").locator(".price")).to_have_text("Pint $4.50")
        await expect(entry(second, "Dark Star").get_by_label("Pint", exact=True)).to_have_value(
            "5.00"
        )
        await save(second, "Dark Star")
        await saved(second, "Changed Dark Star")
        await expect(second.get_by_role("alert")).to_have_count(0)

        # Now both change Dark Star's pint: the phone saves first, the desktop's clashes.
        await type_price(first, "Dark Star", "5.20")
        await type_price(second, "Dark Star", "5.10")
        await save(second, "Dark Star")
        await saved(second, "Changed Dark Star")
        await save(first, "Dark Star")
        await expect(first.get_by_role("alert")).to_contain_text(
            "You changed Dark Star: Pint price on another device or tab while you were editing"
        )
        await expect(entry(first, "Dark Star").get_by_label("Pint", exact=True)).to_have_value(
            "5.20"
        )
        await no_horizontal_scroll(first)
        assert await serious_violations(first) == []
    finally:
        await other.close()
        await bar.close()

    rows = await db.fetch(ENTRIES, menu_id)
    assert [(r["beverage"], r["prices"]) for r in rows] == [
        ("Jaipur", {"Pint": 450}),
        ("Dark Star", {"Pint": 510}),
    ]
    assert await db.fetchval("SELECT version FROM menus WHERE id = $1", menu_id) == 7


async def test_the_editor_shows_changes_made_elsewhere_without_touching_what_is_typed(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """A price changed through the API appears in the open editor in place (no reload), with
    a notice saying what changed; a note being typed in another entry stays as typed, and
    saving it then merges with the change."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = await context.new_page()
    try:
        slug = await sign_up_with_venue(page, live)
        venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
        actor = operations.Actor()
        entries = {}
        async with db.acquire() as conn, conn.transaction():
            pint = await menus.create_serving_size(
                conn, venue_id=venue_id, name="Pint", volume_ml=None
            )
            board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=actor)
            menu_id = board["menu"]["id"]
            _, section_id = await operations.add_section(
                conn, venue_id=venue_id, menu_id=menu_id, based_on=None, name="Taps",
                kind="taps", actor=actor,
            )  # fmt: skip
            for tap, name in (("1", "Jaipur"), ("2", "Dark Star")):
                beverage = await menus.create_beverage(conn, venue_id=venue_id, name=name)
                _, entries[name] = await operations.add_entry(
                    conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id,
                    beverage_id=beverage.id, fields={"tap_label": tap}, prices={pint.id: 400},
                    position=None, based_on=None, actor=actor,
                )  # fmt: skip
        await page.goto(f"{live.url}/v/{slug}/menus/{menu_id}")
        await page.evaluate("window.stayed = true")
        dark_star = entry(page, "Dark Star")
        await dark_star.get_by_text("Edit").click()
        note = dark_star.get_by_label("Note")
        await note.fill("Last pints")

        async with db.acquire() as conn, conn.transaction():  # as the API would
            await operations.update_entry(
                conn, venue_id=venue_id, menu_id=menu_id, entry_id=entries["Jaipur"],
                changes={}, prices={pint.id: 450}, based_on=None, actor=actor,
            )  # fmt: skip
        await expect(entry(page, "Jaipur").locator(".price")).to_have_text("Pint $4.50")
        await expect(page.locator(".live-notice")).to_contain_text(
            "Just changed elsewhere: Changed Jaipur"
        )
        assert await page.evaluate("window.stayed === true"), "updated in place, not reloaded"
        await expect(note).to_have_value("Last pints")
        await expect(note).to_be_focused()
        assert await serious_violations(page) == []

        await page.get_by_role("button", name="Save Dark Star").click()
        await saved(page, "Changed Dark Star")
    finally:
        await context.close()
    rows = await db.fetch(ENTRIES, menu_id)
    assert [(r["beverage"], r["note"], r["prices"]) for r in rows] == [
        ("Jaipur", "", {"Pint": 450}),
        ("Dark Star", "Last pints", {"Pint": 400}),
    ]
