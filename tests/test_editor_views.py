"""The menu editor without JavaScript: every action is a form POST that answers 303 back to
the editor, bad input is a 422 with a message per field, a stale page is a 409 showing the
menu as it is now, and neither writes anything."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from chalkboard.menus import operations
from tests.conftest import Browser, answer
from tests.test_venues import invite

# The menu's entries as staff see them: section, place, tap, beverage, status, prices by size.
ENTRIES = """
SELECT s.name AS section, e.position, e.tap_label, b.name AS beverage, e.status, e.note,
       e.keg_percent,
       (SELECT coalesce(jsonb_object_agg(z.name, p.price_minor), '{}')
        FROM entry_prices p JOIN serving_sizes z ON z.id = p.serving_size_id
        WHERE p.entry_id = e.id) AS prices
FROM menu_entries e
JOIN menu_sections s ON s.id = e.section_id
JOIN beverages b ON b.id = e.beverage_id
WHERE s.menu_id = $1
ORDER BY s.position, e.position
"""
DONE = re.compile(r"/v/[\w-]+/menus/(\d+)\?done=(\d+)")


@dataclass
class Menu:
    """A menu being edited over HTTP, as a browser without JavaScript would."""

    boss: Browser
    slug: str
    db: asyncpg.Pool
    id: int = 0
    version: int = 0

    @property
    def url(self) -> str:
        return f"/v/{self.slug}/menus/{self.id}"

    async def post(self, path: str, **fields: str) -> httpx.Response:
        """Submit one of the editor's forms from the page as last seen (its version)."""
        data = {"based_on": str(self.version), **fields}
        return await self.boss.submit(self.url + path, data)

    async def refused(self, path: str, **fields: str) -> httpx.Response:
        """A save that is not made: 303 back to the editor (never a page under the POST's
        URL, which a reload would send again), which shows once what was typed and why."""
        response = await self.post(path, **fields)
        assert response.status_code == 303, response.text
        assert response.headers["location"].endswith(self.url), response.headers["location"]
        return await self.boss.page(response.headers["location"])

    async def save(self, path: str, **fields: str) -> str:
        """A change that must succeed: 303 to the editor at the next version; its summary."""
        response = await self.post(path, **fields)
        assert response.status_code == 303, response.text
        found = DONE.search(response.headers["location"])
        assert found, response.headers["location"]
        assert int(found[2]) == self.version + 1
        self.version += 1
        page = await self.boss.page(response.headers["location"])
        toast = re.search(
            r'<div class="toast"[^>]*>\s*<span>.*?</span>(.*?)</span>', page.text, re.S
        )
        assert toast, "the editor says what was saved"
        return toast[1].strip()

    async def entries(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.db.fetch(ENTRIES, self.id)]

    async def ids(self, table: str, **where: Any) -> int:
        ((column, value),) = where.items()
        venue = await self.db.fetchval("SELECT id FROM venues WHERE slug = $1", self.slug)
        found: int = await self.db.fetchval(
            f"SELECT id FROM {table} WHERE venue_id = $1 AND {column} = $2", venue, value
        )
        return found

    async def db_version(self) -> int:
        version: int = await self.db.fetchval("SELECT version FROM menus WHERE id = $1", self.id)
        return version


async def new_menu(owner: tuple[Browser, str], db: asyncpg.Pool) -> Menu:
    """A fresh venue with Half and Pint sizes, two beverages, and a menu with a Taps section."""
    boss, slug = owner
    for name, ml in (("Half", "284"), ("Pint", "568")):
        assert (await boss.submit(f"/v/{slug}/sizes", {"name": name, "volume": ml})).is_redirect
    for name, style in (("Foghorn Pils", "Pilsner"), ("Night Shift", "Oatmeal Stout")):
        created = await boss.submit(f"/v/{slug}/beverages", {"name": name, "style": style})
        assert created.status_code == 303, created.text
    created = await boss.submit(f"/v/{slug}/menus", {"name": "Draft"})
    assert created.status_code == 303, created.text
    found = DONE.search(created.headers["location"])
    assert found
    menu = Menu(boss, slug, db, int(found[1]), int(found[2]))
    await menu.save("/sections", name="On tap", kind="taps")
    return menu


async def test_every_editor_action_works_without_javascript(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Sections and entries are added, edited, moved, duplicated, kicked and removed by forms."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    half, pint = (
        await menu.ids("serving_sizes", name="Half"),
        await menu.ids("serving_sizes", name="Pint"),
    )

    said = await menu.save(
        f"/sections/{taps}/entries",
        beverage_id=str(pils),
        tap_label="1",
        status="on_tap",
        **{f"price_{half}": "3.50", f"price_{pint}": "£6"},
    )
    assert said == "Added Foghorn Pils on tap 1"
    await menu.save(
        f"/sections/{taps}/entries", new_name="Big Sky Red", new_abv="5.4%", status="on_deck"
    )
    pils_entry = await menu.ids("menu_entries", tap_label="1")
    await menu.save(
        f"/entries/{pils_entry}",
        tap_label="2",
        status="on_tap",
        keg_percent="80",
        note="Crisp!",
        **{f"price_{pint}": "6.20"},
    )
    assert await menu.entries() == [
        {"section": "On tap", "position": 0, "tap_label": "2", "beverage": "Foghorn Pils",
         "status": "on_tap", "note": "Crisp!", "keg_percent": 80, "prices": {"Pint": 620}},
        {"section": "On tap", "position": 1, "tap_label": "", "beverage": "Big Sky Red",
         "status": "on_deck", "note": "", "keg_percent": None, "prices": {}},
    ]  # fmt: skip

    await menu.save(f"/entries/{pils_entry}/move", section_id=str(taps), position="1")
    await menu.save(f"/entries/{pils_entry}/duplicate")
    assert [e["beverage"] for e in await menu.entries()] == [
        "Big Sky Red",
        "Foghorn Pils",
        "Foghorn Pils",
    ]
    said = await menu.save(f"/entries/{pils_entry}/kick")
    assert said == "Kicked Foghorn Pils; Big Sky Red is now on tap 2"
    entries = await menu.entries()
    assert [(e["beverage"], e["status"], e["tap_label"]) for e in entries] == [
        ("Big Sky Red", "on_tap", "2"),
        ("Foghorn Pils", "on_tap", "2"),
        ("Foghorn Pils", "kicked", "2"),
    ]
    await menu.save(f"/entries/{pils_entry}/remove")

    await menu.save("/sections", name="Cans", kind="list")
    cans = await menu.ids("menu_sections", name="Cans")
    await menu.save(f"/sections/{cans}", name="Cans & bottles", kind="list")
    await menu.save(f"/sections/{cans}/move", position="0")
    page = (await menu.boss.page(menu.url)).text
    assert page.index("Cans &amp; bottles") < page.index("On tap")
    await menu.save("/rename", name="Draft list")
    assert await db.fetchval("SELECT name FROM menus WHERE id = $1", menu.id) == "Draft list"
    await menu.save(f"/sections/{cans}/remove")

    said = await menu.save("/undo")
    assert said == "Undid: Removed section Cans &amp; bottles"  # as the page escapes it
    sections = await db.fetch(
        "SELECT name FROM menu_sections WHERE menu_id = $1 ORDER BY position", menu.id
    )
    assert [r["name"] for r in sections] == ["Cans & bottles", "On tap"]
    assert [e["beverage"] for e in await menu.entries()] == ["Big Sky Red", "Foghorn Pils"]
    assert await menu.db_version() == menu.version

    history = await menu.boss.page(menu.url + "/history")
    assert "Kicked Foghorn Pils" in history.text
    said = await menu.save("/history/3/restore")  # just after "Added Foghorn Pils on tap 1"
    assert said == "Restored version 3"
    assert [(e["beverage"], e["tap_label"]) for e in await menu.entries()] == [
        ("Foghorn Pils", "1")
    ]


async def test_bad_entry_input_is_422_with_a_message_per_field_and_nothing_written(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A price like "4.5.0", a too-long tap label and an unknown status are each named."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pint = await menu.ids("serving_sizes", name="Pint")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1")
    entry = await menu.ids("menu_entries", tap_label="1")
    before = await menu.entries()

    response = await menu.refused(
        f"/entries/{entry}",
        tap_label="Tap thirteen!",
        status="melted",
        **{f"price_{pint}": "4.5.0"},
    )
    assert "&#39;4.5.0&#39; is not a price: type it like 4.50." in response.text
    assert "Use at most 12 characters." in response.text
    assert (
        "Choose one of: &#39;on_tap&#39;, &#39;on_deck&#39;, &#39;kicked&#39; or &#39;hidden&#39;."
        in response.text
    )
    assert 'value="Tap thirteen!"' in response.text, "what was typed stays in the form"
    reloaded = await menu.boss.page(menu.url)
    assert "Tap thirteen!" not in reloaded.text, "shown once: a reload shows the menu plain"

    response = await menu.refused(f"/sections/{taps}/entries", tap_label="2")
    assert "Pick a beverage from your library, or type a new one&#39;s name." in response.text
    response = await menu.refused("/sections", name=" ", kind="taps")
    assert "This field is required." in response.text

    assert await menu.entries() == before
    assert await menu.db_version() == menu.version


async def test_a_save_from_a_stale_page_is_409_with_the_current_menu_and_nothing_written(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A stale page's save of a field changed since: 409 naming it, the menu now, the input."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    await menu.save("/sections", name="Cans", kind="list")
    cans = await menu.ids("menu_sections", name="Cans")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1")
    entry = await menu.ids("menu_entries", tap_label="1")
    stale = menu.version
    await menu.save(f"/entries/{entry}", tap_label="7", status="on_tap")
    await menu.save(f"/sections/{cans}/remove")
    before = await menu.entries()

    menu.version = stale
    response = await menu.refused(f"/entries/{entry}", tap_label="9", status="on_deck", note="Mine")
    said = "You changed Foghorn Pils: tap on another device or tab while you were editing"
    assert said in response.text, "the clash was with this account's own save"
    assert "your change was NOT saved" in response.text
    assert f'name="based_on" value="{stale + 2}"' in response.text, "the page is the menu now"
    assert 'value="Mine"' in response.text, "what they typed is still there"
    # A new beverage typed inline is not created either when the save is refused (its
    # section was removed meanwhile).
    response = await menu.refused(f"/sections/{cans}/entries", new_name="Ghost Gose")
    assert "your change was NOT saved" in response.text
    assert await menu.ids("beverages", name="Ghost Gose") is None
    assert await menu.entries() == before
    assert await menu.db_version() == stale + 2

    # An entry someone else removed meanwhile is a conflict too, not a "not found".
    menu.version = stale + 2
    await menu.save(f"/entries/{entry}/remove")
    menu.version = stale + 2
    assert "NOT saved" in (await menu.refused(f"/entries/{entry}/kick")).text
    assert await menu.db_version() == stale + 3


async def test_saves_from_one_stale_page_merge_unless_they_change_the_same_field(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Two people on the same version: different entries, or different fields and prices of
    one entry, all save and keep each other's change; a bad input from a stale page is a 422."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    half, pint = (
        await menu.ids("serving_sizes", name="Half"),
        await menu.ids("serving_sizes", name="Pint"),
    )
    for tap, name in (("1", "Foghorn Pils"), ("2", "Night Shift")):
        await menu.save(
            f"/sections/{taps}/entries",
            beverage_id=str(await menu.ids("beverages", name=name)),
            tap_label=tap,
            **{f"price_{half}": "3.00", f"price_{pint}": "5.00"},
        )
    pils, stout = (
        await menu.ids("menu_entries", tap_label="1"),
        await menu.ids("menu_entries", tap_label="2"),
    )
    seen = menu.version
    form = {"status": "on_tap", f"price_{half}": "3.00", f"price_{pint}": "5.00"}

    # The desktop changes the Pils' pint price; the phone, from the same page, the stout's.
    saves = [
        await menu.post(f"/entries/{pils}", tap_label="1", **{**form, f"price_{pint}": "5.50"}),
        await menu.post(f"/entries/{stout}", tap_label="2", **{**form, f"price_{pint}": "6.00"}),
        # Still from that page: the Pils' note and half price (its form resends the old pint).
        await menu.post(
            f"/entries/{pils}", tap_label="1", note="Last kegs", **{**form, f"price_{half}": "3.20"}
        ),
    ]
    assert [r.status_code for r in saves] == [303, 303, 303]
    assert await menu.db_version() == seen + 3
    rows = {r["beverage"]: r for r in await menu.entries()}
    assert rows["Foghorn Pils"]["prices"] == {"Half": 320, "Pint": 550}
    assert rows["Foghorn Pils"]["note"] == "Last kegs"
    assert rows["Night Shift"]["prices"] == {"Half": 300, "Pint": 600}

    # The same price again from that page clashes, and names it.
    menu.version = seen
    clash = await menu.refused(f"/entries/{pils}", tap_label="1", **{**form, f"price_{pint}": "9"})
    assert "Foghorn Pils: Pint price" in clash.text
    assert (await menu.entries())[0]["prices"] == {"Half": 320, "Pint": 550}

    # Bad input from a stale page is only a 422, and the form keeps the version it was typed
    # on, so fixing it and saving again still merges.
    bad = await menu.refused(f"/entries/{stout}", tap_label="2", **{**form, f"price_{half}": "x"})
    assert "is not a price" in bad.text
    assert f'name="based_on" value="{seen}"' in bad.text


async def test_a_section_chooses_its_sizes_and_its_forms_ask_only_for_those(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Section settings tick the sizes it prices by; its add and edit forms then ask only for
    those prices, and ticking all of them again means every size."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    half, pint = (
        await menu.ids("serving_sizes", name="Half"),
        await menu.ids("serving_sizes", name="Pint"),
    )
    page = (await menu.boss.page(menu.url)).text
    assert f'name="price_{half}"' in page

    said = await menu.save(
        f"/sections/{taps}", name="Cocktails", kind="list", sizes_shown="1", **{f"size_{pint}": "1"}
    )
    assert said == (
        "Renamed section On tap → Cocktails; Section Cocktails: numbered taps → a list; "
        "Section Cocktails: sizes Half, Pint → Pint"
    )
    assert await db.fetch(
        "SELECT serving_size_id FROM section_sizes WHERE section_id = $1", taps
    ) == [(pint,)]
    page = (await menu.boss.page(menu.url)).text
    assert f'name="price_{pint}"' in page
    assert f'name="price_{half}"' not in page, "the add form asks only for the section's sizes"

    await menu.save(
        f"/sections/{taps}",
        name="Cocktails",
        kind="list",
        sizes_shown="1",
        **{f"size_{half}": "1", f"size_{pint}": "1"},
    )
    own = await db.fetchval("SELECT own_sizes FROM menu_sections WHERE id = $1", taps)
    assert own is False, "all ticked: every size, also ones added later"


async def test_a_pour_does_not_refuse_an_open_editor_and_undo_skips_it(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A keg sensor pours while a page is open: its save goes through without putting the
    level back (the keg % field was not touched), and Undo undoes the person, not the pour."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1")
    entry = await menu.ids("menu_entries", tap_label="1")
    await db.execute("UPDATE menu_entries SET keg_size_ml = 20000 WHERE id = $1", entry)
    page = await menu.boss.page(menu.url)
    assert 'name="keg_percent_shown" value=""' in page.text

    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", menu.slug)
    async with db.acquire() as conn, conn.transaction():
        await operations.record_pour(
            conn, venue_id=venue_id, menu_id=menu.id, entry_id=entry, volume_ml=5000,
            actor=operations.Actor(),
        )  # fmt: skip
    assert await menu.db_version() == menu.version, "a pour is not a version"

    said = await menu.save(
        f"/entries/{entry}", tap_label="1", status="on_tap", keg_percent="", note="Crisp"
    )
    assert said == "Changed Foghorn Pils: note “Crisp”", "History says what changed"
    assert (await menu.entries())[0]["keg_percent"] == 75, "the pour stays poured"
    page = await menu.boss.page(menu.url)
    assert 'name="keg_percent_shown" value="75"' in page.text, "the editor shows the level now"

    said = await menu.save("/undo")
    assert said == "Undid: Changed Foghorn Pils: note “Crisp”"
    rows = await menu.entries()
    assert (rows[0]["note"], rows[0]["keg_percent"]) == ("", 75)


async def test_csv_import_is_all_or_nothing_with_errors_per_row(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """One bad row: back to the library (303), which lists every problem by row once, with
    the CSV kept to fix; nothing is created; then all import."""
    boss, slug = owner
    bad = "Name,Style,ABV,Tags\nSunny Side,Wheat,4.8%,New|Hazy\nNo Strength,Sour,lots,\n,Lager,4,\n"
    response = await boss.submit(f"/v/{slug}/beverages/import", {"csv": bad})
    assert answer(response) == f"303 /v/{slug}/beverages"
    response = await boss.follow(response)
    assert re.search(
        r"<td>3</td><td>abv</td><td>&#39;lots&#39; is not a number: type it like 4.5</td>",
        response.text,
    )
    assert re.search(r"<td>4</td><td>name</td><td>This field is required.</td>", response.text)
    assert "Sunny Side" in response.text, "the CSV stays in the form to fix"
    count = "SELECT count(*) FROM beverages b JOIN venues v ON v.id = b.venue_id WHERE v.slug = $1"
    assert await db.fetchval(count, slug) == 0

    good = "\ufeffname,style,abv,tags\nSunny Side,Wheat,4.8%,New|Hazy\nDark Star,Porter,,\n"
    response = await boss.submit(f"/v/{slug}/beverages/import", {"csv": good})
    assert response.status_code == 303
    assert "Imported 2 beverages." in (await boss.page(response.headers["location"])).text
    row = await db.fetchrow(
        "SELECT b.abv, b.tags FROM beverages b JOIN venues v ON v.id = b.venue_id "
        "WHERE v.slug = $1 AND b.name = 'Sunny Side'",
        slug,
    )
    assert (float(row["abv"]), row["tags"]) == (4.8, ["New", "Hazy"])


async def test_the_library_searches_edits_and_refuses_to_delete_a_listed_beverage(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Search narrows the list; a stale or bad edit comes back (303) saying why, with what
    was typed; deleting one on a menu names the menu."""
    menu = await new_menu(owner, db)
    library = f"/v/{menu.slug}/beverages"
    found = await menu.boss.page(f"{library}?q=stout")
    assert "Night Shift" in found.text
    assert "Foghorn Pils" not in found.text
    stout = await menu.ids("beverages", name="Night Shift")

    fields = {"name": "Night Shift", "style": "Nitro Stout", "abv": "5.9", "tags": "Nitro, Dark"}
    saved = await menu.boss.submit(f"{library}/{stout}", {"based_on": "1", **fields})
    assert saved.status_code == 303
    assert "Saved Night Shift." in (await menu.boss.page(saved.headers["location"])).text
    stale = await menu.boss.submit(f"{library}/{stout}", {"based_on": "1", **fields, "abv": "6"})
    assert answer(stale) == f"303 {library}?q=Night%20Shift"
    stale = await menu.boss.follow(stale)
    assert "your change was NOT saved" in stale.text
    assert 'value="6"' in stale.text, "what was typed is shown again"
    bad = await menu.boss.submit(f"{library}/{stout}", {"based_on": "2", "name": "", "ibu": "x"})
    bad = await menu.boss.follow(bad)
    assert "Input should be a valid integer" in bad.text
    assert 'value="x"' in bad.text
    row = await db.fetchrow("SELECT style, abv, tags, version FROM beverages WHERE id = $1", stout)
    assert (row["style"], float(row["abv"]), row["tags"], row["version"]) == (
        "Nitro Stout", 5.9, ["Nitro", "Dark"], 2
    )  # fmt: skip

    taps = await menu.ids("menu_sections", name="On tap")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(stout))
    refused = await menu.boss.follow(await menu.boss.submit(f"{library}/{stout}/delete"))
    assert "This beverage is on Draft. Remove it from those menus first." in refused.text
    pils = await menu.ids("beverages", name="Foghorn Pils")
    deleted = await menu.boss.submit(f"{library}/{pils}/delete")
    assert deleted.status_code == 303
    assert await menu.ids("beverages", name="Foghorn Pils") is None


async def test_serving_sizes_are_added_renamed_and_deleted(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Each size change shows on the page; a bad volume comes back (303) naming the field,
    with what was typed, once."""
    menu = await new_menu(owner, db)
    sizes = f"/v/{menu.slug}/sizes"
    half = await menu.ids("serving_sizes", name="Half")
    bad = await menu.boss.submit(f"{sizes}/{half}", {"name": "Half", "volume": "-3"})
    assert answer(bad) == f"303 {sizes}"
    bad = await menu.boss.follow(bad)
    assert "Input should be greater than 0." in bad.text
    assert 'value="-3"' in bad.text
    assert "Input should be greater" not in (await menu.boss.page(sizes)).text, "once"
    renamed = await menu.boss.submit(f"{sizes}/{half}", {"name": "Half pint", "volume": "284"})
    assert renamed.status_code == 303
    assert "Saved Half pint." in (await menu.boss.page(renamed.headers["location"])).text
    assert (await menu.boss.submit(f"{sizes}/{half}/delete")).status_code == 303
    names = await db.fetch(
        "SELECT z.name FROM serving_sizes z JOIN venues v ON v.id = z.venue_id "
        "WHERE v.slug = $1 ORDER BY z.position",
        menu.slug,
    )
    assert [r["name"] for r in names] == ["Pint"]
    # Size changes show on every board, so each is a new version of every menu.
    assert await menu.db_version() == menu.version + 2


async def test_the_add_form_searches_the_library_on_the_server(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Without JavaScript, the add form's search reloads the editor with the matches."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    page = await menu.boss.page(f"{menu.url}?add={taps}&q=pils")
    picks = re.search(
        rf'<details class="drawer add-entry" id="add-{taps}" open>(.*?)</details>', page.text, re.S
    )
    assert picks
    assert "Foghorn Pils" in picks[1]
    assert "Night Shift" not in picks[1]


async def test_only_owners_delete_a_menu(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """An editor is refused (403); the owner deletes the menu, its sections and history."""
    menu = await new_menu(owner, db)
    editor = new_browser()
    await editor.sign_up()
    await editor.submit(await invite(menu.boss, menu.slug))
    refused = await editor.submit(f"/v/{menu.slug}/menus/{menu.id}/delete")
    assert refused.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM menus WHERE id = $1", menu.id) == 1
    deleted = await menu.boss.submit(f"/v/{menu.slug}/menus/{menu.id}/delete")
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/v/{menu.slug}"
    for table in ("menus", "menu_revisions"):
        column = "id" if table == "menus" else "menu_id"
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", menu.id) == 0


async def test_building_a_tap_list_fast(owner: tuple[Browser, str], db: asyncpg.Pool) -> None:
    """ "Add, then add another" opens the add form again; the next tap number is filled in;
    a kicked keg offers "Next keg on" (the on-deck beer) and "Clear" in one tap each."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    stout = await menu.ids("beverages", name="Night Shift")
    page = (await menu.boss.page(menu.url)).text
    assert re.search(rf'id="a{taps}-tap_label" name="tap_label" type="text" value="1"', page)

    added = await menu.post(
        f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1", another="1"
    )
    assert added.status_code == 303
    assert added.headers["location"].endswith(f"&add={taps}#add-{taps}")
    menu.version += 1
    page = (await menu.boss.page(added.headers["location"])).text
    assert f'id="add-{taps}" open' in page, "the add form is open again"
    assert re.search(rf'id="a{taps}-tap_label" name="tap_label" type="text" value="2"', page)

    await menu.save(
        f"/sections/{taps}/entries", beverage_id=str(stout), tap_label="1", status="on_deck"
    )
    pils_entry = await menu.ids("beverages", name="Foghorn Pils")
    entry = await db.fetchval(
        "SELECT id FROM menu_entries WHERE section_id = $1 AND beverage_id = $2", taps, pils_entry
    )
    await menu.save(f"/entries/{entry}", tap_label="1", status="kicked")
    page = (await menu.boss.page(menu.url)).text
    assert "Next keg on: the on-deck beer in place of Foghorn Pils" in page
    assert "Clear kicked Foghorn Pils from the list" in page
    said = await menu.save(f"/entries/{entry}/kick")
    assert said == "Kicked Foghorn Pils; Night Shift is now on tap 1"
    said = await menu.save(f"/entries/{entry}/remove")
    assert said == "Removed Foghorn Pils"


async def test_the_library_and_a_menu_download_as_csv(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """The library exports in the import's own columns (and imports back); a menu exports a
    row per entry with a price column per size; formula-like cells are written as text."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pint = await menu.ids("serving_sizes", name="Pint")
    await menu.save(
        f"/sections/{taps}/entries",
        new_name="=HYPERLINK(1)",
        new_abv="5.5",
        tap_label="1",
        **{f"price_{pint}": "6.20"},
    )
    library = await menu.boss.get(f"/v/{menu.slug}/beverages.csv")
    assert library.status_code == 200
    assert library.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in library.headers["content-disposition"]
    lines = library.text.removeprefix("\ufeff").splitlines()
    assert lines[0] == "name,producer,style,kind,abv,ibu,srm,description,tags"
    assert "Foghorn Pils,,Pilsner,beer,,,,," in lines
    assert "'=HYPERLINK(1),,,beer,5.5,,,," in lines

    exported = await menu.boss.get(f"{menu.url}/export.csv")
    rows = exported.text.removeprefix("\ufeff").splitlines()
    assert rows[0] == "section,tap,name,producer,style,abv,status,keg_percent,note,Half,Pint"
    assert rows[1] == "On tap,1,'=HYPERLINK(1),,,5.5,on_tap,,,,6.20"

    other = await menu.boss.submit(f"/v/{menu.slug}/beverages/import", {"csv": library.text})
    assert other.status_code == 303, "the export imports back as it is"


async def test_the_beverage_picker_searches_the_whole_library(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """With thirty IPAs in the library, searching the add form finds them all, not eight."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", menu.slug)
    await db.executemany(
        "INSERT INTO beverages (venue_id, name, style) VALUES ($1, $2, 'IPA')",
        [(venue_id, f"Hop Bomb {n:02}") for n in range(30)],
    )
    page = (await menu.boss.page(f"{menu.url}?add={taps}&q=hop")).text
    assert len(re.findall(r"<strong>Hop Bomb \d\d</strong>", page)) == 30
    page = (await menu.boss.page(menu.url)).text
    assert len(re.findall(r'name="beverage_id"', page)) == 8, "unsearched: a short list"


async def test_a_spreadsheet_fills_a_menu_all_or_nothing(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A menu's own CSV imports into another menu as one change (sections, taps, statuses
    and prices; new beverages join the library); one bad cell and nothing is added."""
    menu = await new_menu(owner, db)
    bad = (
        "section,tap,name,status,Pint,Half\n"
        "On tap,1,Foghorn Pils,on_tap,6.20,3.50\n"
        "On tap,2,Ghost Gose,melted,4.5.0,\n"
    )
    refused = await menu.refused("/import", csv=bad)
    assert "Nothing was imported." in refused.text
    assert "Row 3, Status: Choose one of" in refused.text
    assert "Row 3, Pint price: &#39;4.5.0&#39; is not a price" in refused.text
    assert await menu.entries() == []
    assert await menu.ids("beverages", name="Ghost Gose") is None

    good = (
        "\ufeffsection,tap,name,producer,style,abv,status,keg_percent,note,Half,Pint\n"
        "On tap,1,Foghorn Pils,,Pilsner,,on_tap,,Crisp,3.50,6.20\n"
        "On tap,2,Ghost Gose,Salt & Co,Gose,4.2,on_deck,,,,5.00\n"
        "Cans,,Night Shift,,Oatmeal Stout,,on_tap,,,,\n"
    )
    said = await menu.save("/import", csv=good)
    assert said == "Imported 3 entries from a spreadsheet"
    rows = [
        (r["section"], r["tap_label"], r["beverage"], r["status"], r["note"], r["prices"])
        for r in await menu.entries()
    ]
    assert rows == [
        ("On tap", "1", "Foghorn Pils", "on_tap", "Crisp", {"Half": 350, "Pint": 620}),
        ("On tap", "2", "Ghost Gose", "on_deck", "", {"Pint": 500}),
        ("Cans", "", "Night Shift", "on_tap", "", {}),
    ]
    assert await menu.ids("beverages", name="Ghost Gose"), "a new beverage joins the library"
    exported = await menu.boss.get(f"{menu.url}/export.csv")
    assert exported.text.splitlines()[1:] == good.splitlines()[1:]
