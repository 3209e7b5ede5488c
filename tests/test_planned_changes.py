"""Planned changes to an entry's prices: what they change, what they keep, what they refuse."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from chalkboard.menus import openapi
from chalkboard.schedules import answers
from tests import test_menu_api
from tests.test_menu_api import Menu, Venue, answer, error, make_menu
from tests.test_schedules_api import ahead, entry_of

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


async def add_size(venue: Venue, name: str) -> int:
    size = answer(
        openapi.ServingSize, await venue.api.post("serving-sizes", json={"name": name}), 201
    )
    size_id: int = size["id"]
    return size_id


async def set_prices(venue: Venue, menu: Menu, prices: dict[int, int]) -> None:
    body = {"prices": {str(size): price for size, price in prices.items()}}
    answer(
        openapi.Board, await venue.api.patch(f"menus/{menu.id}/entries/{menu.entry_id}", json=body)
    )


async def plan(venue: Venue, menu: Menu, patch: dict[str, Any], seconds: float = 2) -> str:
    body = {"run_at": ahead(seconds), "entry_id": menu.entry_id, "patch": patch}
    created = answer(
        answers.PlannedChange,
        await venue.api.post(f"menus/{menu.id}/planned-changes", json=body),
        201,
    )
    return f"planned-changes/{created['id']}"


async def ran(venue: Venue, path: str) -> dict[str, Any]:
    for _ in range(100):
        found: dict[str, Any] = answer(answers.PlannedChange, await venue.api.get(path))
        if found["state"] != "pending":
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} did not run")


async def prices_now(venue: Venue, menu: Menu) -> dict[str, int]:
    board = answer(openapi.Board, await venue.api.get(f"menus/{menu.id}"))
    entry = entry_of(board, menu.entry_id)
    assert entry is not None
    prices: dict[str, int] = entry["prices"]
    return prices


async def test_a_planned_price_changes_only_its_sizes_and_keeps_the_others_as_they_are_then(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A new Pint price planned alone leaves the Half price as it is when the change runs
    (edited after planning, not reverted), and History names only the Pint."""
    menu = await make_menu(venue.api)
    half = await add_size(venue, "Half")
    await set_prices(venue, menu, {menu.size_id: 450, half: 300})
    path = await plan(venue, menu, {"prices": {str(menu.size_id): 500}})
    await set_prices(venue, menu, {menu.size_id: 450, half: 320})  # edited meanwhile
    done = await ran(venue, path)
    assert done["state"] == "done", done
    assert await prices_now(venue, menu) == {str(menu.size_id): 500, str(half): 320}
    summary = await db.fetchval(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 AND version = $2",
        menu.id,
        done["applied_version"],
    )
    assert summary == "Changed Landlord: Pint £4.50 → £5.00 (scheduled by API token write)"


async def test_a_planned_price_sent_as_null_is_removed_when_it_runs(venue: Venue) -> None:
    """`null` for a size removes that price at the planned time; the other sizes stay."""
    menu = await make_menu(venue.api)
    half = await add_size(venue, "Half")
    await set_prices(venue, menu, {menu.size_id: 450, half: 300})
    path = await plan(venue, menu, {"prices": {str(half): None}})
    assert (await ran(venue, path))["state"] == "done"
    assert await prices_now(venue, menu) == {str(menu.size_id): 450}


async def test_the_schedules_page_lists_what_a_planned_price_change_sets(venue: Venue) -> None:
    """A pending price change is listed with its sizes and amounts ("Pint £5.50"), and a
    removal as such, not as "new prices"."""
    menu = await make_menu(venue.api)
    half = await add_size(venue, "Half")
    await set_prices(venue, menu, {menu.size_id: 450, half: 300})
    await plan(venue, menu, {"prices": {str(menu.size_id): 550, str(half): None}}, seconds=3600)
    shown = (await venue.owner.page(f"/v/{venue.slug}/schedules")).text
    assert "Landlord (tap 1) · Pint £5.50, Half no price" in shown
    assert "new prices" not in shown


async def beer_and_glass(venue: Venue) -> tuple[Menu, int]:
    """A menu whose taps section prices by the Pint only, in a venue that also has a Glass."""
    menu = await make_menu(venue.api)
    glass = await add_size(venue, "Glass")
    answer(
        openapi.Board,
        await venue.api.patch(
            f"menus/{menu.id}/sections/{menu.section_id}", json={"sizes": [menu.size_id]}
        ),
    )
    return menu, glass


async def test_a_planned_price_for_a_size_the_section_does_not_use_is_422_and_stores_nothing(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A Glass price planned for a beer priced by the pint is a 422 naming patch.prices and the
    sizes it does use; nothing is stored, from the API or the Schedules page."""
    menu, glass = await beer_and_glass(venue)
    body = {
        "run_at": ahead(3600),
        "entry_id": menu.entry_id,
        "patch": {"prices": {str(glass): 300}},
    }
    found = error(await venue.api.post(f"menus/{menu.id}/planned-changes", json=body), 422)
    assert found["fields"]["patch.prices"] == (
        "Landlord is in Taps, which is not priced by Glass: its sizes are Pint."
    )
    page = f"/v/{venue.slug}/schedules"
    typed = {"entry_id": str(menu.entry_id), "day": "2099-03-01", "time": "17:00"}
    refused = await venue.owner.submit(f"{page}/planned", {**typed, f"price-{glass}": "3.00"})
    assert refused.status_code == 303
    shown = (await venue.owner.page(page)).text
    assert 'id="pc-prices-error">Landlord is in Taps, which is not priced by Glass' in shown
    assert f'name="price-{glass}" type="text" value="3.00"' in shown  # what was typed is kept
    assert (
        await db.fetchval("SELECT count(*) FROM planned_changes WHERE venue_id = $1", venue.id) == 0
    )


async def test_a_planned_price_for_a_size_the_section_stopped_using_fails_and_changes_nothing(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """When the section no longer prices by the planned size by the time the change runs,
    the change is marked failed with the reason, and the entry's prices stay as they are."""
    menu = await make_menu(venue.api)
    half = await add_size(venue, "Half")
    await set_prices(venue, menu, {menu.size_id: 450, half: 300})
    path = await plan(venue, menu, {"prices": {str(menu.size_id): 500}})
    answer(
        openapi.Board,
        await venue.api.patch(
            f"menus/{menu.id}/sections/{menu.section_id}", json={"sizes": [half]}
        ),
    )
    done = await ran(venue, path)
    assert done["state"] == "failed", done
    assert "Landlord is in Taps, which is not priced by Pint" in done["outcome"]
    stored = await db.fetch(
        "SELECT serving_size_id, price_minor FROM entry_prices WHERE entry_id = $1", menu.entry_id
    )
    assert dict(map(tuple, stored)) == {menu.size_id: 450, half: 300}  # kept, though not shown
