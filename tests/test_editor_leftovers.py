"""Bug 7's leftovers: Undo that says when there is nothing to undo, History that reads right,
and a freshly paired TV that shows as online instead of "Never connected"."""

from __future__ import annotations

import re
from typing import Any

import asyncpg

from tests.conftest import Browser
from tests.test_editor_views import new_menu
from tests.test_live import hello, open_socket, receive

__all__ = ["open_socket"]  # the fixture, used by name

UNDO = re.compile(r'<button type="submit" class="button"([^>]*)>Undo last change</button>')


async def test_undo_is_disabled_until_there_is_something_to_undo(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A new menu (version 1) offers no Undo; after a change Undo names it; after undoing
    it, History says the change was later undone rather than "Added … undone"."""
    boss, slug = owner
    created = await boss.submit(f"/v/{slug}/menus", {"name": "Cocktails"})
    editor = created.headers["location"].split("?")[0]
    found = UNDO.search((await boss.page(editor)).text)
    assert found
    assert "disabled" in found[1]
    assert "Nothing to undo yet" in found[1]

    menu = await new_menu(owner, db)  # a menu with one change (its section)
    found = UNDO.search((await boss.page(menu.url)).text)
    assert found
    assert "disabled" not in found[1]
    assert 'title="Undo: Added section On tap"' in found[1]
    assert await menu.save("/undo") == "Undid: Added section On tap"
    history = (await boss.page(menu.url + "/history")).text
    assert "<strong>Added section On tap</strong>" in history
    assert "later undone" in history
    assert ">undone<" not in history


async def test_a_tv_just_paired_shows_online(
    owner: tuple[Browser, str], open_socket: Any, db: asyncpg.Pool
) -> None:
    """Pair a TV through the page: once it has its token the TVs page says Online at once
    (it used to say "Never connected" until its first heartbeat, up to a minute later)."""
    boss, slug = owner
    ws = await open_socket()
    await hello(ws, None, menu=None, version=None)
    code = (await receive(ws))["code"]
    paired = await boss.submit(f"/v/{slug}/displays/pair", {"code": code, "name": "Bar"})
    assert paired.status_code == 303, paired.text
    assert (await receive(ws))["type"] == "paired"
    page = await boss.page(f"/v/{slug}/displays")
    assert '<span class="badge">Online</span>' in page.text
    assert "Never connected" not in page.text


async def test_history_says_what_changed_and_restore_asks_first(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """An entry edit is listed as "Changed X: Pint £6.20 → £6.50, tap 1 → 2"; each Restore
    asks first on a page naming the version, what it comes back to and what it changes."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pint = await menu.ids("serving_sizes", name="Pint")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    await menu.save(
        f"/sections/{taps}/entries",
        beverage_id=str(pils),
        tap_label="1",
        **{f"price_{pint}": "6.20"},
    )
    entry = await menu.ids("menu_entries", tap_label="1")
    said = await menu.save(
        f"/entries/{entry}", tap_label="2", status="on_deck", **{f"price_{pint}": "6.50"}
    )
    assert said == "Changed Foghorn Pils: Pint £6.20 → £6.50, on tap → on deck, tap 1 → 2"
    history = (await menu.boss.page(menu.url + "/history")).text
    assert "Changed Foghorn Pils: Pint £6.20 → £6.50, on tap → on deck, tap 1 → 2" in history
    added = re.search(r'href="([^"]+/history/(\d+))" aria-label="Restore version \d+…"', history)
    assert added, "each earlier version has a Restore link"
    page = (await menu.boss.page(added[1])).text
    assert re.search(r"just after “Added Foghorn Pils on tap 1”", page)
    assert "Foghorn Pils: Pint £6.50 → £6.20, on deck → on tap, tap 2 → 1" in page
    assert f'action="{added[1]}/restore"' in page
