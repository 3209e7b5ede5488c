"""History says what changed for every kind of edit, and Restore first shows what it will
bring back: `menus/changes.py` over real boards, and the pages over HTTP."""

from __future__ import annotations

import copy
import re
from typing import Any

import asyncpg

from chalkboard.menus.changes import describe, summary
from tests.conftest import Browser
from tests.test_editor_views import new_menu


def board(*sections: dict[str, Any], name: str = "Draft") -> dict[str, Any]:
    return {
        "menu": {"id": 1, "name": name, "version": 1},
        "sizes": [{"id": 1, "name": "Half", "volume_ml": 284.0}, {"id": 2, "name": "Pint"}],
        "sections": list(sections),
    }


def section(id: int, name: str, *entries: dict[str, Any], kind: str = "taps") -> dict[str, Any]:
    return {"id": id, "name": name, "kind": kind, "sizes": [1, 2], "entries": list(entries)}


def entry(id: int, name: str, tap: str = "", **prices: int) -> dict[str, Any]:
    return {
        "id": id,
        "tap_label": tap,
        "status": "on_tap",
        "keg_percent": 50.0,
        "note": "",
        "prices": {size: price for size, price in prices.items()},
        "beverage": {"id": id * 10, "name": name, "producer": "", "style": "", "abv": 5.0},
    }


def test_structure_changes_are_named_in_plain_words() -> None:
    """Menu and section renames, a section's kind and sizes, and sections and entries added,
    removed and moved each get one line; keg levels are not edits."""
    before = board(
        section(1, "Cask", entry(11, "Jaipur", "1", **{"2": 445}), entry(12, "Landlord", "2")),
        section(2, "Keg", entry(21, "Pils", "3")),
        section(3, "Cans", entry(31, "Gamma Ray"), kind="list"),
    )
    after = copy.deepcopy(before)
    after["menu"]["name"] = "Specials"
    cask, keg, _ = after["sections"]
    cask["name"] = "Cask ales"
    cask["entries"][0]["prices"]["2"] = 450
    cask["entries"][0]["keg_percent"] = 20.0  # a pour: not an edit
    keg["kind"], keg["sizes"] = "list", [2]
    keg["entries"].append(cask["entries"].pop(1))  # Landlord moves to Keg
    after["sections"] = [keg, cask]  # Cans removed, Keg first
    cask["entries"].append(entry(13, "Moor Stout", "4"))

    assert describe(before, after, "GBP", ("section", 2)) == [
        "Renamed the menu Draft → Specials",
        "Section Keg: numbered taps → a list",
        "Section Keg: sizes Half, Pint → Pint",
        "Moved section Keg from place 2 to 1",
        "Renamed section Cask → Cask ales",
        "Removed section Cans and Gamma Ray",
        "Moved Landlord from Cask to Keg",
        "Jaipur: Pint £4.45 → £4.50",
        "Added Moor Stout to Cask ales on tap 4",
    ]
    assert describe(before, copy.deepcopy(before), "GBP") == []


def test_a_swap_names_what_was_moved_and_long_summaries_are_cut() -> None:
    """Moving B above A reads as B moved, not A; a long list of changes fits one History
    line with how many more there were."""
    before = board(section(1, "Taps", entry(1, "A"), entry(2, "B"), entry(3, "C")))
    after = copy.deepcopy(before)
    entries = after["sections"][0]["entries"]
    entries[1], entries[2] = entries[2], entries[1]
    assert describe(before, after, "USD", ("entry", 3)) == ["Moved C from place 3 to 2"]
    assert describe(before, after, "USD", ("entry", 2)) == ["Moved B from place 2 to 3"]
    lines = [f"Added beverage number {n} to Taps" for n in range(40)]
    said = summary(lines, "fallback")
    assert len(said) <= 250
    assert said.endswith("more")
    assert summary([], "Reordered the list") == "Reordered the list"


async def test_history_names_section_and_menu_changes_and_restore_shows_what_comes_back(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Renaming a section, moving it, renaming the menu and removing a section are listed as
    such in History; Restore opens a page that lists what restoring will change, then
    restores."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    await menu.save("/sections", name="Cans", kind="list")
    cans = await menu.ids("menu_sections", name="Cans")
    renamed_at = menu.version
    assert await menu.save(f"/sections/{taps}", name="Cask", kind="taps") == (
        "Renamed section On tap → Cask"
    )
    assert await menu.save(f"/sections/{cans}/move", position="0") == (
        "Moved section Cans from place 2 to 1"
    )
    assert await menu.save("/rename", name="Specials") == "Renamed the menu Draft → Specials"
    assert await menu.save(f"/sections/{cans}/remove") == "Removed section Cans"
    history = (await menu.boss.page(menu.url + "/history")).text
    for line in ("Renamed section On tap → Cask", "Moved section Cans from place 2 to 1"):
        assert line in history

    page = await menu.boss.page(f"{menu.url}/history/{renamed_at}")
    assert page.status_code == 200
    assert "Restore version" in page.text
    brought_back = (
        "Renamed the menu Specials → Draft",
        "Renamed section Cask → On tap",
        "Added section Cans",
    )
    for line in brought_back:
        assert f'<li dir="auto">{line}</li>' in page.text, line
    restored = await menu.boss.submit(
        f"{menu.url}/history/{renamed_at}/restore", {"based_on": str(menu.version)}
    )
    assert restored.status_code == 303
    names = await db.fetch(
        "SELECT name FROM menu_sections WHERE menu_id = $1 ORDER BY position", menu.id
    )
    assert [r["name"] for r in names] == ["On tap", "Cans"]
    missing = await menu.boss.get(f"{menu.url}/history/999999")
    assert missing.status_code == 404


async def test_restore_says_what_it_leaves_out_of_the_library_and_does_just_that(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Restoring to before a beverage and a serving size were deleted from the library: the
    page says the beverage will not come back (not "Added …") and names no size change (and
    offers no Restore when that is all it would do); restoring does just what it said."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pils, stout = (
        await menu.ids("beverages", name="Foghorn Pils"),
        await menu.ids("beverages", name="Night Shift"),
    )
    half, pint = (
        await menu.ids("serving_sizes", name="Half"),
        await menu.ids("serving_sizes", name="Pint"),
    )
    prices = {f"price_{half}": "3.50", f"price_{pint}": "6.00"}
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1", **prices)
    pils_only = menu.version
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(stout), tap_label="2", **prices)
    both_on = menu.version
    pils_entry = await menu.ids("menu_entries", tap_label="1")
    stout_entry = await menu.ids("menu_entries", tap_label="2")
    await menu.save(f"/entries/{pils_entry}/remove")
    await menu.save(f"/entries/{stout_entry}/remove")
    slug = menu.slug
    assert (await menu.boss.submit(f"/v/{slug}/beverages/{pils}/delete", {})).status_code == 303
    assert (await menu.boss.submit(f"/v/{slug}/sizes/{half}/delete", {})).status_code == 303
    menu.version = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu.id)

    page = (await menu.boss.page(f"{menu.url}/history/{both_on}")).text
    said = re.findall(r'<li dir="auto">([^<]*)</li>', page)
    assert said == [
        "Added Night Shift to On tap on tap 2",
        "Foghorn Pils is no longer in the library: it will not come back",
    ]
    nothing = (await menu.boss.page(f"{menu.url}/history/{pils_only}")).text
    assert "Foghorn Pils is no longer in the library" in nothing
    assert "there is nothing to restore" in nothing
    assert f"/history/{pils_only}/restore" not in nothing
    restored = await menu.boss.submit(
        f"{menu.url}/history/{both_on}/restore", {"based_on": str(menu.version)}
    )
    assert restored.status_code == 303
    rows = await db.fetch(
        "SELECT b.name, p.serving_size_id FROM menu_entries e"
        " JOIN menu_sections s ON s.id = e.section_id JOIN beverages b ON b.id = e.beverage_id"
        " JOIN entry_prices p ON p.entry_id = e.id WHERE s.menu_id = $1",
        menu.id,
    )
    assert [(r["name"], r["serving_size_id"]) for r in rows] == [("Night Shift", pint)]
