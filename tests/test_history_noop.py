"""A change that changes nothing is no change: no version, no History line, no push, and Undo
still undoes the last real change."""

from __future__ import annotations

import asyncio

import asyncpg

from chalkboard.menus import openapi
from tests import test_menu_api
from tests.conftest import Browser
from tests.test_displays import listening
from tests.test_editor_views import new_menu
from tests.test_menu_api import Venue, answer, make_menu, menu_version

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


async def revision_count(db: asyncpg.Pool, menu_id: int) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM menu_revisions WHERE menu_id = $1", menu_id
    )
    return count


async def test_saving_an_entry_as_it_is_makes_no_version_and_no_push(
    venue: Venue, db: asyncpg.Pool, database_url: str
) -> None:
    """PATCHing an entry with its own values (a form resent, a sensor repeating its keg size)
    answers 200 with the current board, and stores, notifies and undoes nothing new."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"keg_size_ml": 50000, "keg_percent": 55})
    changed = answer(openapi.Board, await api.patch(entry_path, json={"note": "Fresh keg"}))
    version, revisions = changed["menu"]["version"], await revision_count(db, menu.id)

    same = [
        {"note": "Fresh keg"},
        {"keg_size_ml": 50000},
        {"keg_percent": 55},
        {"tap_label": "1", "status": "on_tap", "prices": {str(menu.size_id): 450}},
    ]
    async with listening(database_url, "menu_changed") as heard:
        for body in same:
            unchanged = await api.patch(entry_path, json=body)
            assert answer(openapi.Board, unchanged) == changed, body
            assert unchanged.headers["etag"] == f'"{version}"'
        assert await menu_version(db, menu.id) == version
        assert await revision_count(db, menu.id) == revisions
        await api.patch(f"menus/{menu.id}", json={"name": "Garden"})  # a real change, pushed
        async with asyncio.timeout(5):
            pushed = await heard.get()
            while not pushed.startswith(f"{menu.id}:"):  # (other tests' menus)
                pushed = await heard.get()
        assert pushed == f"{menu.id}:{version + 1}", "the no-op saves pushed nothing"
    await api.post(f"menus/{menu.id}/undo")

    undone = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert undone["sections"][0]["entries"][0]["note"] == "", "Undo undoes the real change"


async def test_renaming_or_moving_to_where_it_is_makes_no_version(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Renaming a menu or a section to its own name, or moving a section or an entry to the
    place it is in, answers the current board and makes no version."""
    api = venue.api
    menu = await make_menu(api)
    version = await menu_version(db, menu.id)
    section = f"menus/{menu.id}/sections/{menu.section_id}"
    for method, path, body in [
        ("PATCH", f"menus/{menu.id}", {"name": "Bar"}),
        ("PATCH", section, {"name": "Taps", "kind": "taps"}),
        ("POST", f"{section}/move", {"position": 0}),
        (
            "POST",
            f"menus/{menu.id}/entries/{menu.entry_id}/move",
            {"section_id": menu.section_id, "position": 0},
        ),
    ]:
        response = await api.request(method, path, json=body)
        assert answer(openapi.Board, response)["menu"]["version"] == version, path
    assert await menu_version(db, menu.id) == version


async def test_the_editor_says_there_was_nothing_to_save(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Saving an entry's form unchanged goes back to the editor saying nothing needed saving,
    with no new version and no "Changed …" line."""
    menu = await new_menu(owner, db)
    taps = await menu.ids("menu_sections", name="On tap")
    pils = await menu.ids("beverages", name="Foghorn Pils")
    await menu.save(f"/sections/{taps}/entries", beverage_id=str(pils), tap_label="1")
    entry = await menu.ids("menu_entries", tap_label="1")
    revisions = await revision_count(db, menu.id)

    form = {"tap_label": "1", "status": "on_tap", "keg_percent": "", "note": ""}
    response = await menu.post(f"/entries/{entry}", **form)
    assert response.status_code == 303, response.text
    assert "done=" not in response.headers["location"]
    page = await menu.boss.page(response.headers["location"])
    assert "Nothing to save: it was already like that." in page.text
    assert "Changed Foghorn Pils" not in page.text
    assert await menu.db_version() == menu.version
    assert await revision_count(db, menu.id) == revisions
