"""The JSON API (/api/v1/venues/{slug}/...): every endpoint against the real app and Postgres.

Answers are checked against the models the OpenAPI document is built from, so the document
cannot describe anything the API does not answer.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import BaseModel

from chalkboard.menus import openapi
from tests.conftest import Browser, RunningServer

TOKEN = re.compile(r'value="(cbt_[^"]+)"')


async def new_token(owner: Browser, slug: str, scope: str) -> str:
    created = await owner.submit(f"/v/{slug}/tokens", {"name": scope, "scope": scope})
    found = TOKEN.search(created.text)
    assert found, created.text
    return found[1]


def api_client(owner: Browser, slug: str, token: str) -> httpx.AsyncClient:
    """A client for the venue's API with a Bearer token; paths are relative to the venue."""
    return httpx.AsyncClient(
        base_url=f"{str(owner.base_url).rstrip('/')}/api/v1/venues/{slug}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


@dataclass
class Venue:
    """A fresh venue, its owner's browser and a write-token API client on it."""

    id: int
    slug: str
    owner: Browser
    api: httpx.AsyncClient

    async def client(self, scope: str) -> httpx.AsyncClient:
        return api_client(self.owner, self.slug, await new_token(self.owner, self.slug, scope))


@pytest.fixture
async def venue(owner: tuple[Browser, str], db: asyncpg.Pool) -> AsyncIterator[Venue]:
    browser, slug = owner
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    async with api_client(browser, slug, await new_token(browser, slug, "write")) as api:
        yield Venue(venue_id, slug, browser, api)


def answer(model: type[BaseModel], response: httpx.Response, status: int = 200) -> Any:
    """The JSON of a response with `status`, after checking it has the documented shape."""
    assert response.status_code == status, response.text
    model.model_validate(response.json())
    return response.json()


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = openapi.Error.model_validate(response.json()).model_dump()
    return body["error"]


@dataclass
class Menu:
    """A menu with a taps section, a serving size and two beverages (one on tap)."""

    id: int
    section_id: int
    size_id: int
    beverage_ids: list[int]
    entry_id: int
    version: int


async def make_menu(api: httpx.AsyncClient) -> Menu:
    size = answer(
        openapi.ServingSize,
        await api.post("serving-sizes", json={"name": "Pint", "volume_ml": 568}),
        201,
    )
    beverage_ids = [
        answer(
            openapi.Beverage,
            await api.post("beverages", json={"name": name, "abv": 5.2, "style": "Bitter"}),
            201,
        )["id"]
        for name in ("Landlord", "Proper Job")
    ]
    board = answer(openapi.Board, await api.post("menus", json={"name": "Bar"}), 201)
    menu_id = board["menu"]["id"]
    board = answer(
        openapi.Board, await api.post(f"menus/{menu_id}/sections", json={"name": "Taps"}), 201
    )
    section_id = board["sections"][0]["id"]
    entry = {"section_id": section_id, "beverage_id": beverage_ids[0], "tap_label": "1"}
    created = await api.post(
        f"menus/{menu_id}/entries", json={**entry, "prices": {str(size["id"]): 450}}
    )
    board = answer(openapi.Board, created, 201)
    return Menu(
        menu_id,
        section_id,
        size["id"],
        beverage_ids,
        board["sections"][0]["entries"][0]["id"],
        board["menu"]["version"],
    )


async def menu_version(db: asyncpg.Pool, menu_id: int) -> int:
    version: int = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu_id)
    return version


# --- menus --------------------------------------------------------------------------------


async def test_menus_are_created_listed_read_renamed_and_deleted(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A menu's life through the API: each answer has the board and its ETag, Postgres agrees."""
    api = venue.api
    created = await api.post("menus", json={"name": "  Main bar "})
    board = answer(openapi.Board, created, 201)
    menu_id = board["menu"]["id"]
    assert board["menu"] == {"id": menu_id, "name": "Main bar", "version": 1}
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/v1/venues/{venue.slug}/menus/{menu_id}"

    listed = answer(openapi.MenuList, await api.get("menus"))
    assert listed == {"menus": [{"id": menu_id, "name": "Main bar", "version": 1}]}
    read = await api.get(f"menus/{menu_id}")
    assert answer(openapi.Board, read) == board
    assert read.headers["etag"] == '"1"'

    renamed = await api.patch(
        f"menus/{menu_id}", json={"name": "Garden"}, headers={"If-Match": '"1"'}
    )
    assert answer(openapi.Board, renamed)["menu"] == {"id": menu_id, "name": "Garden", "version": 2}
    assert renamed.headers["etag"] == '"2"'
    row = await db.fetchrow("SELECT name, version FROM menus WHERE id = $1", menu_id)
    assert dict(row) == {"name": "Garden", "version": 2}

    deleted = await api.delete(f"menus/{menu_id}")
    assert deleted.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM menus WHERE id = $1", menu_id) == 0
    assert error(await api.get(f"menus/{menu_id}"), 404)["message"] == "No such menu in this venue."


async def test_sections_are_added_changed_moved_and_removed(venue: Venue, db: asyncpg.Pool) -> None:
    """Section endpoints change the board; PATCH keeps the fields it is not sent."""
    api = venue.api
    menu_id = answer(openapi.Board, await api.post("menus", json={"name": "Bar"}), 201)["menu"][
        "id"
    ]
    taps = await api.post(f"menus/{menu_id}/sections", json={"name": "Taps"})
    board = answer(openapi.Board, taps, 201)
    taps_id = board["sections"][0]["id"]
    assert taps.headers["location"].endswith(f"/menus/{menu_id}/sections/{taps_id}")
    board = answer(
        openapi.Board,
        await api.post(f"menus/{menu_id}/sections", json={"name": "Cans", "kind": "list"}),
        201,
    )
    cans_id = board["sections"][1]["id"]

    board = answer(
        openapi.Board, await api.patch(f"menus/{menu_id}/sections/{cans_id}", json={"name": "Tins"})
    )
    assert [(s["name"], s["kind"]) for s in board["sections"]] == [
        ("Taps", "taps"),
        ("Tins", "list"),
    ]

    moved = await api.post(f"menus/{menu_id}/sections/{cans_id}/move", json={"position": 0})
    assert [s["id"] for s in answer(openapi.Board, moved)["sections"]] == [cans_id, taps_id]
    rows = await db.fetch(
        "SELECT id FROM menu_sections WHERE menu_id = $1 ORDER BY position", menu_id
    )
    assert [r["id"] for r in rows] == [cans_id, taps_id]

    removed = await api.delete(f"menus/{menu_id}/sections/{taps_id}")
    assert [s["id"] for s in answer(openapi.Board, removed)["sections"]] == [cans_id]
    assert removed.headers["etag"] == f'"{await menu_version(db, menu_id)}"'


async def test_entries_are_added_patched_moved_duplicated_and_removed(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Entry PATCH changes only the fields sent; `prices` replaces all prices."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"

    patched = await api.patch(entry_path, json={"note": "Cask", "keg_percent": 80})
    entry = answer(openapi.Board, patched)["sections"][0]["entries"][0]
    assert (entry["note"], entry["keg_percent"], entry["tap_label"]) == ("Cask", 80.0, "1")
    assert entry["prices"] == {str(menu.size_id): 450}

    patched = await api.patch(entry_path, json={"prices": {}, "beverage_id": menu.beverage_ids[1]})
    entry = answer(openapi.Board, patched)["sections"][0]["entries"][0]
    assert (entry["prices"], entry["beverage"]["name"], entry["note"]) == ({}, "Proper Job", "Cask")
    assert (
        await db.fetchval("SELECT count(*) FROM entry_prices WHERE entry_id = $1", menu.entry_id)
        == 0
    )

    copied = await api.post(f"{entry_path}/duplicate")
    board = answer(openapi.Board, copied, 201)
    copy_id = int(copied.headers["location"].rsplit("/", 1)[1])
    assert [e["id"] for e in board["sections"][0]["entries"]] == [menu.entry_id, copy_id]

    moved = await api.post(
        f"{entry_path}/move", json={"section_id": menu.section_id, "position": 5}
    )
    assert [e["id"] for e in answer(openapi.Board, moved)["sections"][0]["entries"]] == [
        copy_id,
        menu.entry_id,
    ]

    removed = await api.delete(f"menus/{menu.id}/entries/{copy_id}")
    assert [e["id"] for e in answer(openapi.Board, removed)["sections"][0]["entries"]] == [
        menu.entry_id
    ]
    assert await db.fetchval("SELECT count(*) FROM menu_entries WHERE id = $1", copy_id) == 0


async def test_pours_lower_the_keg_and_derive_its_percentage(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A flow meter's pours take volume off the keg; PATCH sets an absolute level."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    refused = await api.post(f"{entry_path}/pours", json={"volume_ml": 500})
    assert "keg size" in error(refused, 409)["message"]

    await api.patch(entry_path, json={"keg_size_ml": 20000})
    poured = await api.post(f"{entry_path}/pours", json={"volume_ml": 5000})
    level = answer(openapi.KegLevel, poured)
    assert level == {
        "entry_id": menu.entry_id,
        "status": "on_tap",
        "keg_size_ml": 20000,
        "keg_remaining_ml": 15000,
        "keg_percent": 75.0,
        "version": level["version"],
    }
    assert poured.headers["etag"] == f'"{level["version"]}"'
    row = await db.fetchrow(
        "SELECT keg_remaining_ml, keg_percent FROM menu_entries WHERE id = $1", menu.entry_id
    )
    assert (row["keg_remaining_ml"], float(row["keg_percent"])) == (15000, 75.0)

    board = answer(openapi.Board, await api.patch(entry_path, json={"keg_remaining_ml": 2000}))
    assert board["sections"][0]["entries"][0]["keg_percent"] == 10.0
    emptied = answer(
        openapi.KegLevel, await api.post(f"{entry_path}/pours", json={"volume_ml": 9999})
    )
    assert (emptied["keg_remaining_ml"], emptied["keg_percent"]) == (0, 0.0)


async def test_pours_are_events_not_edits(venue: Venue, db: asyncpg.Pool) -> None:
    """A pour is kept in `pours` and moves the level, but makes no version and no History
    entry, Undo undoes the person's last change (not the sensor), and the level stays."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"keg_size_ml": 20000})
    noted = answer(openapi.Board, await api.patch(entry_path, json={"note": "Fresh"}))
    version = noted["menu"]["version"]

    for _ in range(3):
        poured = answer(
            openapi.KegLevel, await api.post(f"{entry_path}/pours", json={"volume_ml": 568})
        )
    assert (poured["keg_remaining_ml"], poured["version"]) == (20000 - 3 * 568, version)
    assert await menu_version(db, menu.id) == version
    assert await db.fetchval("SELECT count(*) FROM pours WHERE entry_id = $1", menu.entry_id) == 3
    history = answer(openapi.RevisionList, await api.get(f"menus/{menu.id}/revisions"))
    assert not [r for r in history["revisions"] if "Poured" in r["summary"]]
    board = answer(openapi.Board, await api.get(f"menus/{menu.id}"))
    assert board["sections"][0]["entries"][0]["keg_remaining_ml"] == 20000 - 3 * 568

    # An edit based on the version before the pours is not refused for them.
    tapped = await api.patch(f"{entry_path}?based_on={version}", json={"tap_label": "4"})
    assert answer(openapi.Board, tapped)["menu"]["version"] == version + 1
    undone = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    undone_entry = undone["sections"][0]["entries"][0]
    assert (undone_entry["tap_label"], undone_entry["note"]) == ("1", "Fresh")
    assert undone_entry["keg_remaining_ml"] == 20000 - 3 * 568, "the pours stay poured"
    history = answer(openapi.RevisionList, await api.get(f"menus/{menu.id}/revisions"))
    assert history["revisions"][0]["summary"] == "Undid: Changed Landlord: tap 1 → 4"


async def test_setting_a_keg_size_keeps_the_level(venue: Venue) -> None:
    """A keg at 55 % given a size (or a new size) is still at 55 %, and pours go from there."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"

    def level(board: dict[str, Any]) -> tuple[Any, ...]:
        e = board["sections"][0]["entries"][0]
        return e["keg_size_ml"], e["keg_remaining_ml"], e["keg_percent"]

    await api.patch(entry_path, json={"keg_percent": 55})
    sized = answer(openapi.Board, await api.patch(entry_path, json={"keg_size_ml": 50000}))
    assert level(sized) == (50000, 27500, 55.0)
    resized = answer(openapi.Board, await api.patch(entry_path, json={"keg_size_ml": 30000}))
    assert level(resized) == (30000, 16500, 55.0)
    poured = answer(
        openapi.KegLevel, await api.post(f"{entry_path}/pours", json={"volume_ml": 1500})
    )
    assert (poured["keg_remaining_ml"], poured["keg_percent"]) == (15000, 50.0)


async def test_a_section_chooses_its_serving_sizes(venue: Venue, db: asyncpg.Pool) -> None:
    """A cocktail section prices by the glass: the board lists only its sizes and only those
    prices; other prices are kept, and come back when the section uses every size again."""
    api = venue.api
    menu = await make_menu(api)
    glass = answer(
        openapi.ServingSize, await api.post("serving-sizes", json={"name": "Glass"}), 201
    )
    section_path = f"menus/{menu.id}/sections/{menu.section_id}"
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"prices": {str(menu.size_id): 450, str(glass["id"]): 900}})

    board = answer(openapi.Board, await api.patch(section_path, json={"sizes": [glass["id"]]}))
    section = board["sections"][0]
    assert (section["sizes"], section["own_sizes"]) == ([glass["id"]], True)
    assert section["entries"][0]["prices"] == {str(glass["id"]): 900}
    kept = await db.fetchval("SELECT count(*) FROM entry_prices WHERE entry_id = $1", menu.entry_id)
    assert kept == 2

    renamed = answer(openapi.Board, await api.patch(section_path, json={"name": "Cocktails"}))
    assert renamed["sections"][0]["sizes"] == [glass["id"]], "left out: kept"
    board = answer(openapi.Board, await api.patch(section_path, json={"sizes": None}))
    section = board["sections"][0]
    assert (section["sizes"], section["own_sizes"]) == ([menu.size_id, glass["id"]], False)
    assert section["entries"][0]["prices"] == {str(menu.size_id): 450, str(glass["id"]): 900}

    food = await api.post(f"menus/{menu.id}/sections", json={"name": "Food", "sizes": []})
    assert answer(openapi.Board, food, 201)["sections"][1]["sizes"] == []
    unknown = await api.patch(section_path, json={"sizes": [999999]})
    assert error(unknown, 404)["message"] == "No such serving size in this venue: [999999]."
    undone = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert undone["menu"]["version"] == board["menu"]["version"] + 2
    undone = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert undone["sections"][0]["sizes"] == [glass["id"]], "undo brings the choice back"


async def test_kick_promotes_the_on_deck_entry(venue: Venue) -> None:
    """Kicking a keg puts the on-deck beverage on its tap, in its place."""
    api = venue.api
    menu = await make_menu(api)
    on_deck = {
        "section_id": menu.section_id,
        "beverage_id": menu.beverage_ids[1],
        "status": "on_deck",
        "tap_label": "1",
    }
    board = answer(openapi.Board, await api.post(f"menus/{menu.id}/entries", json=on_deck), 201)
    next_id = board["sections"][0]["entries"][1]["id"]

    kicked = await api.post(f"menus/{menu.id}/entries/{menu.entry_id}/kick")
    entries = answer(openapi.Board, kicked)["sections"][0]["entries"]
    assert [(e["id"], e["status"], e["tap_label"]) for e in entries] == [
        (next_id, "on_tap", "1"),
        (menu.entry_id, "kicked", "1"),
    ]


async def test_undo_twice_walks_back_two_changes(venue: Venue, db: asyncpg.Pool) -> None:
    """Each undo reverts one more change; the history lists them all, newest first."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"note": "first"})
    await api.patch(entry_path, json={"note": "second"})

    once = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert once["sections"][0]["entries"][0]["note"] == "first"
    twice = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert twice["sections"][0]["entries"][0]["note"] == ""
    assert await db.fetchval("SELECT note FROM menu_entries WHERE id = $1", menu.entry_id) == ""

    history = answer(openapi.RevisionList, await api.get(f"menus/{menu.id}/revisions?limit=4"))
    revisions = history["revisions"]
    assert [r["kind"] for r in revisions] == ["undo", "undo", "edit", "edit"]
    assert [r["undone"] for r in revisions] == [False, False, True, True]
    assert revisions[0]["actor"] == "write"  # the token's name
    assert revisions[0]["version"] == twice["menu"]["version"]


async def test_restore_brings_back_an_older_version(venue: Venue) -> None:
    """Restoring a version rebuilds the menu as it was, as a new version."""
    api = venue.api
    menu = await make_menu(api)
    await api.delete(f"menus/{menu.id}/entries/{menu.entry_id}")
    restored = await api.post(f"menus/{menu.id}/restore", json={"version": menu.version})
    board = answer(openapi.Board, restored)
    assert [e["id"] for e in board["sections"][0]["entries"]] == [menu.entry_id]
    assert board["menu"]["version"] == menu.version + 2
    missing = await api.post(f"menus/{menu.id}/restore", json={"version": 999})
    assert "not in its history" in error(missing, 404)["message"]


# --- beverages and serving sizes ------------------------------------------------------------


async def test_beverages_are_searched_read_patched_and_deleted(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """The library: search, ETag on GET, partial PATCH with If-Match, delete."""
    api = venue.api
    stout = answer(
        openapi.Beverage,
        await api.post("beverages", json={"name": "Dark Star", "kind": "beer", "abv": "4.5"}),
        201,
    )
    await api.post("beverages", json={"name": "Cider House", "kind": "cider"})
    found = answer(openapi.BeverageList, await api.get("beverages", params={"q": "dark"}))
    assert [b["name"] for b in found["beverages"]] == ["Dark Star"]
    assert len(answer(openapi.BeverageList, await api.get("beverages?limit=1"))["beverages"]) == 1
    assert error(await api.get("beverages?limit=0"), 422)["fields"] == {
        "limit": "Input should be greater than or equal to 1."
    }

    read = await api.get(f"beverages/{stout['id']}")
    assert answer(openapi.Beverage, read)["abv"] == 4.5
    assert read.headers["etag"] == '"1"'
    patched = await api.patch(
        f"beverages/{stout['id']}",
        json={"style": "Stout", "tags": ["dark"]},
        headers={"If-Match": 'W/"1"'},
    )
    changed = answer(openapi.Beverage, patched)
    assert (changed["name"], changed["style"], changed["tags"], changed["version"]) == (
        "Dark Star",
        "Stout",
        ["dark"],
        2,
    )
    assert patched.headers["etag"] == '"2"'
    stale = await api.patch(
        f"beverages/{stout['id']}", json={"style": "Porter"}, headers={"If-Match": '"1"'}
    )
    assert error(stale, 412)["current_version"] == 2
    assert await db.fetchval("SELECT style FROM beverages WHERE id = $1", stout["id"]) == "Stout"

    assert (await api.delete(f"beverages/{stout['id']}")).status_code == 204
    assert await db.fetchval("SELECT count(*) FROM beverages WHERE id = $1", stout["id"]) == 0


async def test_a_beverage_on_a_menu_cannot_be_deleted(venue: Venue, db: asyncpg.Pool) -> None:
    """Deleting a listed beverage is a 409 naming the menu; nothing is deleted."""
    menu = await make_menu(venue.api)
    refused = await venue.api.delete(f"beverages/{menu.beverage_ids[0]}")
    assert "Bar" in error(refused, 409)["message"]
    assert (
        await db.fetchval("SELECT count(*) FROM beverages WHERE id = $1", menu.beverage_ids[0]) == 1
    )


async def test_serving_sizes_are_listed_added_changed_and_deleted(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Serving sizes: changes show on every menu (each gets a new version)."""
    api = venue.api
    menu = await make_menu(api)
    half = answer(
        openapi.ServingSize,
        await api.post("serving-sizes", json={"name": "Half", "volume_ml": 284}),
        201,
    )
    assert half == {"id": half["id"], "name": "Half", "volume_ml": 284.0}
    assert await menu_version(db, menu.id) == menu.version + 1

    changed = answer(
        openapi.ServingSize, await api.patch(f"serving-sizes/{half['id']}", json={"name": "½ pint"})
    )
    assert changed == {"id": half["id"], "name": "½ pint", "volume_ml": 284.0}
    listed = answer(openapi.ServingSizeList, await api.get("serving-sizes"))
    assert [s["name"] for s in listed["serving_sizes"]] == ["Pint", "½ pint"]

    assert (await api.delete(f"serving-sizes/{menu.size_id}")).status_code == 204
    board = answer(openapi.Board, await api.get(f"menus/{menu.id}"))
    assert board["sizes"] == [changed]
    assert board["sections"][0]["entries"][0]["prices"] == {}


async def test_csv_import_creates_every_row(venue: Venue, db: asyncpg.Pool) -> None:
    """A good CSV file becomes beverages, tags split on `|`, empty cells left at defaults."""
    body = (
        "\ufeffName,producer,abv,tags,kind\n"
        "Heady Topper,The Alchemist,8.0,hoppy| local,beer\n"
        '"Dry, Still",Aval,,,cider\n'
    )
    imported = await venue.api.post(
        "beverages/import", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    result = answer(openapi.Imported, imported, 201)
    assert result["count"] == 2
    rows = await db.fetch(
        "SELECT name, producer, abv, tags, kind FROM beverages WHERE id = ANY($1) ORDER BY id",
        result["ids"],
    )
    assert [tuple(r) for r in rows] == [
        ("Heady Topper", "The Alchemist", pytest.approx(8), ["hoppy", "local"], "beer"),
        ("Dry, Still", "Aval", None, [], "cider"),
    ]


async def test_csv_import_with_a_bad_row_creates_nothing(venue: Venue, db: asyncpg.Pool) -> None:
    """Every bad row is listed by row number and field, and no row is imported."""
    body = "name,abv,kind\nGood,5,beer\n,4,beer\nStrong,120,lager\nExtra,1,beer,oops\n"
    refused = await venue.api.post(
        "beverages/import", content=body, headers={"Content-Type": "text/csv"}
    )
    problems = error(refused, 422)
    assert problems["message"] == "3 of 4 rows need fixing: nothing was imported."
    assert [(p["row"], p["field"]) for p in problems["rows"]] == [
        (3, "name"),
        (4, "kind"),
        (4, "abv"),
        (5, "__all__"),
    ]
    assert await db.fetchval("SELECT count(*) FROM beverages WHERE venue_id = $1", venue.id) == 0
    header = await venue.api.post("beverages/import", content="title\nX\n")
    assert "Unknown column 'title'" in error(header, 422)["message"]


# --- validation, access and concurrency ---------------------------------------------------------


async def test_invalid_fields_are_422_per_field_and_nothing_is_written(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Bad fields get one message each; the menu's version and rows do not change."""
    api = venue.api
    menu = await make_menu(api)
    too_long = await api.patch(f"menus/{menu.id}", json={"name": "x" * 81, "colour": "red"})
    assert error(too_long, 422) == {
        "status": 422,
        "message": "Check name, colour: nothing was saved.",
        "fields": {
            "name": "Use at most 80 characters.",
            "colour": "Extra inputs are not permitted.",
        },
        "rows": None,
        "current_version": None,
        "clashes": None,
    }
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    nulled = await api.patch(entry_path, json={"tap_label": None, "keg_percent": None})
    assert error(nulled, 422)["fields"] == {
        "tap_label": "This field cannot be null; leave it out to keep it."
    }
    bad_entry = await api.post(
        f"menus/{menu.id}/entries",
        json={
            "section_id": menu.section_id,
            "beverage_id": 0,
            "status": "gone",
            "prices": {"1": -5},
        },
    )
    assert set(error(bad_entry, 422)["fields"]) == {"beverage_id", "status", "prices"}
    beverage = await api.post("beverages", json={"name": "", "abv": 100})
    assert error(beverage, 422)["fields"] == {
        "name": "This field is required.",
        "abv": "Input should be less than or equal to 99.99.",
    }
    assert await menu_version(db, menu.id) == menu.version
    assert await db.fetchval("SELECT count(*) FROM beverages WHERE venue_id = $1", venue.id) == 2
    assert await db.fetchval("SELECT name FROM menus WHERE id = $1", menu.id) == "Bar"


async def test_unreadable_bodies_and_if_match_headers_are_400(venue: Venue) -> None:
    """Not JSON, not an object, or a malformed If-Match: 400 with a message that says so."""
    api = venue.api
    not_json = await api.post("menus", content=b"{name: 'x'}")
    assert error(not_json, 400)["message"].startswith("The body is not valid JSON")
    not_object = await api.post("menus", json=["Bar"])
    assert error(not_object, 400)["message"].startswith("The body must be a JSON object")
    menu_id = answer(openapi.Board, await api.post("menus", json={"name": "Bar"}), 201)["menu"][
        "id"
    ]
    bad_tag = await api.patch(f"menus/{menu_id}", json={"name": "Pub"}, headers={"If-Match": "v1"})
    assert "If-Match" in error(bad_tag, 400)["message"]
    huge_id = await api.get(f"menus/{2**64}")
    assert error(huge_id, 404)["message"] == "No such menu in this venue."


async def test_read_tokens_read_but_cannot_write(venue: Venue, db: asyncpg.Pool) -> None:
    """A read-scope token GETs everything and is refused (403) on every change."""
    menu = await make_menu(venue.api)
    async with await venue.client("read") as reader:
        assert (await reader.get(f"menus/{menu.id}")).status_code == 200
        assert (await reader.get("beverages")).status_code == 200
        refused = [
            await reader.patch(f"menus/{menu.id}", json={"name": "Hacked"}),
            await reader.post(
                f"menus/{menu.id}/entries/{menu.entry_id}/pours", json={"volume_ml": 1}
            ),
            await reader.delete(f"beverages/{menu.beverage_ids[1]}"),
        ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert "read-only" in refused[0].json()["error"]["message"]
    assert await menu_version(db, menu.id) == menu.version


async def test_session_callers_change_menus_with_their_csrf_header(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A signed-in member can use the API; changes need X-CSRF-Token and name them as actor."""
    browser = venue.owner
    path = f"/api/v1/venues/{venue.slug}/menus"
    assert (await browser.post(path, json={"name": "Bar"})).status_code == 403
    created = await browser.post(
        path, json={"name": "Bar"}, headers={"X-CSRF-Token": browser.csrf_token}
    )
    menu_id = answer(openapi.Board, created, 201)["menu"]["id"]
    actor = await db.fetchval(
        "SELECT u.email FROM menu_revisions r JOIN users u ON u.id = r.actor_user_id "
        "WHERE r.menu_id = $1",
        menu_id,
    )
    assert actor is not None


async def test_a_stale_if_match_is_412_with_the_current_board(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """An edit based on an old version is refused with the current board; nothing changes."""
    api = venue.api
    menu = await make_menu(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"note": "theirs"})
    stale = await api.patch(
        entry_path, json={"note": "mine"}, headers={"If-Match": f'"{menu.version}"'}
    )
    problem = error(stale, 412)
    assert problem["current_version"] == menu.version + 1
    assert stale.headers["etag"] == f'"{menu.version + 1}"'
    assert stale.json()["current"]["sections"][0]["entries"][0]["note"] == "theirs"
    assert await menu_version(db, menu.id) == menu.version + 1
    assert (
        await db.fetchval("SELECT note FROM menu_entries WHERE id = $1", menu.entry_id) == "theirs"
    )


async def test_based_on_merges_other_changes_and_409s_on_the_same_field(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """?based_on=N: an entry write merges with changes to other entries or fields since N,
    and is refused (409 with `clashes`, nothing written) when the same field changed; If-Match
    on the same write still refuses any change since (412)."""
    api = venue.api
    menu = await make_menu(api)
    second = await api.post(
        f"menus/{menu.id}/entries",
        json={"section_id": menu.section_id, "beverage_id": menu.beverage_ids[1]},
    )
    board = answer(openapi.Board, second, 201)
    other_id = board["sections"][0]["entries"][1]["id"]
    seen = board["menu"]["version"]
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"note": "theirs"})

    merged = await api.patch(
        f"menus/{menu.id}/entries/{other_id}?based_on={seen}", json={"note": "mine"}
    )
    assert answer(openapi.Board, merged)["menu"]["version"] == seen + 2
    tapped = await api.patch(f"{entry_path}?based_on={seen}", json={"tap_label": "9"})
    assert answer(openapi.Board, tapped)["menu"]["version"] == seen + 3
    moved = await api.post(
        f"menus/{menu.id}/entries/{other_id}/move?based_on={seen}",
        json={"section_id": menu.section_id, "position": 0},
    )
    assert moved.status_code == 200, moved.text

    clash = await api.patch(f"{entry_path}?based_on={seen}", json={"note": "mine too"})
    problem = error(clash, 409)
    assert problem["clashes"] == ["Landlord: note"]
    assert clash.json()["current"]["menu"]["version"] == seen + 4
    moved_again = await api.post(
        f"menus/{menu.id}/entries/{other_id}/move?based_on={seen}",
        json={"section_id": menu.section_id, "position": 1},
    )
    assert error(moved_again, 409)["clashes"] == ["Proper Job: place in the list"]
    notes = await db.fetch(
        "SELECT tap_label, note FROM menu_entries WHERE id = ANY($1) ORDER BY position",
        [menu.entry_id, other_id],
    )
    assert [tuple(r) for r in notes] == [("", "mine"), ("9", "theirs")]
    assert await menu_version(db, menu.id) == seen + 4

    whole = await api.patch(
        f"menus/{menu.id}/entries/{other_id}",
        json={"tap_label": "3"},
        headers={"If-Match": f'"{seen}"'},
    )
    assert error(whole, 412)["current_version"] == seen + 4
    both = await api.patch(
        f"{entry_path}?based_on={seen}", json={"tap_label": "3"}, headers={"If-Match": '"1"'}
    )
    assert error(both, 400)["message"] == "Send If-Match or based_on, not both."
    assert error(await api.patch(f"{entry_path}?based_on=x", json={}), 422)["fields"]


async def test_concurrent_patches_on_one_version_let_exactly_one_win(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Two clients PATCH with the same If-Match at once: one 200, one 412; the winner's stands."""
    menu = await make_menu(venue.api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    if_match = {"If-Match": f'"{menu.version}"'}
    async with await venue.client("write") as other:
        first, second = await asyncio.gather(
            venue.api.patch(entry_path, json={"note": "from the POS"}, headers=if_match),
            other.patch(entry_path, json={"note": "from the script"}, headers=if_match),
        )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 412], (first.text, second.text)
    winner = first if first.status_code == 200 else second
    note = winner.json()["sections"][0]["entries"][0]["note"]
    assert await db.fetchval("SELECT note FROM menu_entries WHERE id = $1", menu.entry_id) == note
    assert await menu_version(db, menu.id) == menu.version + 1


# --- the description --------------------------------------------------------------------------


async def test_the_openapi_document_describes_every_api_route(
    new_browser: Callable[[], Browser],
) -> None:
    """/api/v1/openapi.json is public and lists each route with its errors and security."""
    anonymous = new_browser()
    document = (await anonymous.get("/api/v1/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    operations = {
        (method.upper(), path.removeprefix("/api/v1/venues/{slug}"))
        for path, methods in document["paths"].items()
        for method in methods
    }
    # 29 for menus, beverages and sizes; 5 for images; 11 for schedules and 2 for a
    # display's menus by day-part (#16)
    assert len(operations) == 47
    assert ("PUT", "/displays/{display_id}/daypart-menus") in operations
    tag = document["paths"]["/api/v1/venues/{slug}/displays/{display_id}/daypart-menus"]["put"]
    assert tag["tags"] == ["displays"]
    assert ("POST", "/menus/{menu_id}/entries/{entry_id}/pours") in operations
    patch = document["paths"]["/api/v1/venues/{slug}/menus/{menu_id}"]["patch"]
    assert patch["summary"] == "Rename a menu."
    assert set(patch["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "413",
        "422",
    }
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert {p["name"] for p in patch["parameters"]} == {"slug", "menu_id", "based_on", "If-Match"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "required" not in document["components"]["schemas"]["BeveragePatch"]


async def test_the_api_reference_page_shows_each_endpoint_with_a_curl_line(
    new_browser: Callable[[], Browser], live: RunningServer
) -> None:
    """/api/docs is a public page generated from the document, with no inline script."""
    page = await new_browser().get("/api/docs")
    assert page.status_code == 200
    assert "Report volume served" in page.text
    assert f"-X POST {live.url}/api/v1/venues/my-bar/menus/1/undo" in page.text
    assert "Bearer $CHALKBOARD_TOKEN" in page.text
    assert "<script>" not in page.text
    assert "style=" not in page.text
