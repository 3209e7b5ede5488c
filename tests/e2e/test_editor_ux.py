"""The editor as staff read it behind the bar: kicked rows, what TVs show right now, adding
beverages fast, all in real Chromium at phone size and checked with axe-core."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from chalkboard.menus import operations
from chalkboard.menus.operations import Actor
from chalkboard.schedules.forms import DAYS
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
    """A tap list with a kicked keg, one running low and the next keg on deck."""
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
    # The next keg waiting (after the kick, or it would have gone on): "Next keg on" shows.
    created = await menu.boss.submit(f"/v/{menu.slug}/beverages", {"name": "Harbor Stout"})
    assert created.status_code == 303, created.text
    harbor = await menu.ids("beverages", name="Harbor Stout")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(harbor), status="on_deck")


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
        await expect(row.get_by_role("button", name="Next keg on")).to_be_visible()
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def happy_hour_now(menu: Menu, prices: dict[str, str]) -> str:
    """A day-part "Happy hour" on from an hour ago to two hours ahead, every day, with
    `prices` (form fields price-<entry>-<size>); the time it ends, as staff read it."""
    now = datetime.now(ZoneInfo("Europe/London"))
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    window = {"w0-start": f"{start:%H:%M}", "w0-end": f"{end:%H:%M}"}
    if end.time() < start.time():
        window["w0-overnight"] = "on"
    created = await menu.boss.submit(
        f"/v/{menu.slug}/schedules/dayparts",
        {"name": "Happy hour", "w0-days": DAYS, **window, **prices},  # type: ignore[dict-item]
    )
    assert created.status_code == 303, created.text
    return f"{end:%H:%M}"


async def test_staff_see_a_happy_hour_that_is_on_in_the_editor_and_on_the_menus_page(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """While a day-part is on, the editor's header and the menu's card say so and until
    when, and an entry it reprices shows the price TVs show now beside the usual one."""
    menu = await new_menu(owner, db)
    await kicked_and_low(menu)
    stout = await menu.ids("menu_entries", tap_label="2")
    pint = await menu.ids("serving_sizes", name="Pint")
    until = await happy_hour_now(menu, {f"price-{stout}-{pint}": "4.00"})
    context = await phone_signed_in(chromium, live, owner[0])
    try:
        page = await context.new_page()
        await page.goto(live.url + menu.url)
        await expect(page.locator(".editor-head .showing-now")).to_have_text(
            f"Happy hour on now, until {until}"
        )
        row = page.locator("li.entry", has_text="Night Shift")
        await expect(row.locator(".price").first).to_have_text("Pint £5.20 £4.00 now (Happy hour)")
        # The price TVs show now wraps under its size on a phone, not past the screen's edge.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        assert await serious_violations(page) == []

        await page.goto(f"{live.url}/v/{menu.slug}")
        card = page.locator("section.board", has_text="Draft")
        await expect(card.locator(".showing-now")).to_have_text(f"Happy hour on now, until {until}")
        await expect(card.locator("tr", has_text="Night Shift")).to_contain_text("£4.00 now")
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def test_cocktails_added_one_after_another_on_a_phone(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """In a Cocktails list, a new beverage starts as a cocktail; "Add, then add another"
    comes back with the new-beverage fields open and focused, says what it added without
    covering the Add button, and no stray "·" stands in for an empty producer."""
    menu = await new_menu(owner, db)
    await menu.save("/sections", name="Cocktails", kind="list")
    context = await phone_signed_in(chromium, live, owner[0])
    try:
        page = await context.new_page()
        await page.goto(live.url + menu.url)
        add = page.locator("details.add-entry", has_text="Add to Cocktails")
        await add.locator("> summary").click()
        await add.get_by_text("Or create a new beverage").click()
        for name in ("Negroni", "Paloma"):
            kind = add.get_by_label("Kind", exact=True)
            await expect(kind).to_have_value("cocktail")
            await add.get_by_label("Name", exact=True).fill(name)
            await add.get_by_role("button", name="Add, then add another").click()
            await expect(add.locator(".toast")).to_contain_text(f"Added {name}")
            await expect(add.locator(".new-beverage")).to_have_attribute("open", "")
            await expect(add.get_by_label("Name", exact=True)).to_be_focused()
        button = add.get_by_role("button", name="Add to Cocktails")
        await button.scroll_into_view_if_needed()
        assert await button.evaluate(
            "b => { const r = b.getBoundingClientRect();"
            " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; }"
        ), "nothing covers the Add button"
        assert await page.locator("body > .toast, .editor > .toast").count() == 0
        kinds = await db.fetch(
            "SELECT b.name, b.kind FROM beverages b JOIN venues v ON v.id = b.venue_id"
            " WHERE v.slug = $1 AND b.name IN ('Negroni', 'Paloma') ORDER BY b.name",
            menu.slug,
        )
        assert [(r["name"], r["kind"]) for r in kinds] == [
            ("Negroni", "cocktail"),
            ("Paloma", "cocktail"),
        ]
        about = page.locator("li.entry", has_text="Negroni").locator(".entry-what .muted.small")
        await expect(about).to_have_text("")
        await page.goto(f"{live.url}/v/{menu.slug}")
        row = page.locator("tr", has_text="Negroni").locator(".muted.small")
        await expect(row).to_have_text("")
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def test_the_embed_builder_and_print_page_on_a_phone(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """At 390 px each Copy label stays on one line, and the print page has a Print button
    that opens the browser's print dialog."""
    menu = await new_menu(owner, db)
    context = await phone_signed_in(chromium, live, owner[0])
    try:
        page = await context.new_page()
        await page.goto(f"{live.url}{menu.url}/embed")
        copies = page.get_by_role("button", name="Copy", exact=True)
        await expect(copies).to_have_count(2)
        for i in range(2):
            lines = await copies.nth(i).evaluate(
                "b => { const r = document.createRange(); r.selectNodeContents(b);"
                " return r.getClientRects().length; }"
            )
            assert lines == 1, "Copy is on one line"
        await page.goto(f"{live.url}{menu.url}/embed/print")
        await page.evaluate("window.print = () => { window.printed = true; }")
        await page.get_by_role("button", name="Print").click()
        assert await page.evaluate("window.printed === true")
        assert await serious_violations(page) == []
    finally:
        await context.close()


async def test_a_change_made_elsewhere_is_said_where_a_bartender_low_on_the_page_sees_it(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """Scrolled to the foot of the editor, a scheduled change shows in a notice on screen
    that names its planner once; OK puts it away."""
    menu = await new_menu(owner, db)
    await kicked_and_low(menu)
    person = await db.fetchrow(
        "SELECT u.id, u.email, v.id AS venue_id FROM users u"
        " JOIN memberships m ON m.user_id = u.id JOIN venues v ON v.id = m.venue_id"
        " WHERE v.slug = $1",
        menu.slug,
    )
    context = await phone_signed_in(chromium, live, owner[0])
    try:
        page = await context.new_page()
        await page.goto(live.url + menu.url)
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        async with db.acquire() as conn, conn.transaction():  # as a planned change does
            await operations.rename_menu(
                conn, name="Tonight", venue_id=person["venue_id"], menu_id=menu.id,
                based_on=None,
                actor=Actor(user_id=person["id"], note=f"scheduled by {person['email']}"),
            )  # fmt: skip
        notice = page.locator(".live-notice")
        await expect(notice.locator(".live-said")).to_have_text(
            "Just changed elsewhere: Renamed the menu Draft → Tonight"
            f" (scheduled by {person['email']})"
        )
        box = await notice.bounding_box()
        assert box
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= 844, "on screen, though scrolled down"
        assert await serious_violations(page) == []
        await notice.get_by_role("button", name="OK").click()
        await expect(notice).to_be_hidden()
    finally:
        await context.close()
