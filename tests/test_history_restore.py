"""Undo and Restore put the menu back in place: what belongs to the venue or to events (day-part
effects, pours) stays with the entries and sections the restore keeps."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from chalkboard.menus import openapi
from chalkboard.schedules import answers
from tests import test_menu_api
from tests.test_menu_api import Menu, Venue, answer, make_menu
from tests.test_schedules_api import FRIDAY_HAPPY, FRIDAY_LUNCH, board_at, entry_of, happy_hour

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


async def menu_with_happy_hour(api: httpx.AsyncClient) -> tuple[Menu, int, dict[str, Any]]:
    """The test menu plus a Food section, and a happy hour that prices the tap at 300 and
    hides the Food section; returns the menu, the Food section's id and the day-part."""
    menu = await make_menu(api)
    board = answer(
        openapi.Board, await api.post(f"menus/{menu.id}/sections", json={"name": "Food"}), 201
    )
    food = board["sections"][1]["id"]
    await api.post(
        f"menus/{menu.id}/entries",
        json={
            "section_id": food,
            "beverage_id": menu.beverage_ids[1],
            "prices": {str(menu.size_id): 900},
        },
    )
    part = answer(answers.DayPart, await api.post("dayparts", json=hidden(menu, food)), 201)
    return menu, food, part


def hidden(menu: Menu, food: int, *entries: dict[str, Any]) -> dict[str, Any]:
    """The happy hour, hiding the Food section (and with more entry effects, if given)."""
    body = happy_hour(menu, sections=[{"section_id": food, "shows": "hidden"}])
    body["entries"] += entries
    return body


async def assert_happy_hour_intact(
    api: httpx.AsyncClient, menu: Menu, food: int, part: dict[str, Any]
) -> None:
    kept = answer(answers.DayPart, await api.get(f"dayparts/{part['id']}"))
    assert kept["entries"] == part["entries"]
    assert kept["sections"] == part["sections"]
    during = await board_at(api, menu, f"at={FRIDAY_HAPPY}")
    assert entry_of(during, menu.entry_id)["prices"] == {str(menu.size_id): 300}  # type: ignore[index]
    assert [s["id"] for s in during["sections"]] == [menu.section_id], "Food is hidden"
    lunch = await board_at(api, menu, f"at={FRIDAY_LUNCH}")
    assert [s["id"] for s in lunch["sections"]] == [menu.section_id, food]
    # The board TVs are sent (the stored one) carries the rules too.
    stored = answer(openapi.Board, await api.get(f"menus/{menu.id}"))
    rules = stored["dayparts"]["parts"][0]
    assert rules["prices"] == {str(menu.entry_id): {str(menu.size_id): 300}}
    assert rules["sections"] == {str(food): "hidden"}


async def test_undo_keeps_day_part_prices_and_show_hide_rules(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Undoing an unrelated edit leaves the happy hour's price and its hidden section in place,
    and the effective board during it shows the happy-hour price."""
    api = venue.api
    menu, food, part = await menu_with_happy_hour(api)
    entry_path = f"menus/{menu.id}/entries/{menu.entry_id}"
    await api.patch(entry_path, json={"keg_size_ml": 20000})
    await api.post(f"{entry_path}/pours", json={"volume_ml": 568})
    answer(openapi.Board, await api.patch(entry_path, json={"note": "Fresh keg"}))

    undone = answer(openapi.Board, await api.post(f"menus/{menu.id}/undo"))
    assert undone["sections"][0]["entries"][0]["note"] == ""
    await assert_happy_hour_intact(api, menu, food, part)
    assert await db.fetchval("SELECT count(*) FROM pours WHERE entry_id = $1", menu.entry_id) == 1


async def test_restore_keeps_day_part_effects_of_what_it_keeps(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """Restoring a version from before the day-part was made keeps its effects on the entries
    and sections still there; an entry the restore removes loses its effect with it."""
    api = venue.api
    menu, food, part = await menu_with_happy_hour(api)
    before_part = await db.fetchval(
        "SELECT version - 1 FROM menu_revisions"
        " WHERE menu_id = $1 AND summary LIKE 'Added day-part%'",
        menu.id,
    )
    added = await api.post(
        f"menus/{menu.id}/entries",
        json={"section_id": menu.section_id, "beverage_id": menu.beverage_ids[1], "tap_label": "2"},
    )
    extra = answer(openapi.Board, added, 201)["sections"][0]["entries"][1]["id"]
    body = hidden(menu, food, {"entry_id": extra, "shows": "hidden"})
    part = answer(answers.DayPart, await api.put(f"dayparts/{part['id']}", json=body))
    await api.patch(f"menus/{menu.id}", json={"name": "Garden"})

    restored = await api.post(f"menus/{menu.id}/restore", json={"version": before_part})
    assert answer(openapi.Board, restored)["menu"]["name"] == "Bar"
    part["entries"] = [e for e in part["entries"] if e["entry_id"] != extra]
    await assert_happy_hour_intact(api, menu, food, part)
    gone = await db.fetchval("SELECT count(*) FROM daypart_visibility WHERE entry_id = $1", extra)
    assert gone == 0, "the entry the restore removed took its rule with it"
