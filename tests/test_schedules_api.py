"""Day-parts, the board at an instant and planned changes, through the JSON API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from chalkboard.menus import openapi
from chalkboard.schedules import answers
from chalkboard.schedules.forms import DAYS
from tests import test_menu_api
from tests.conftest import Browser
from tests.test_menu_api import (
    Menu,
    Venue,
    answer,
    api_client,
    error,
    make_menu,
    menu_version,
    new_token,
)

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token

# The owner fixture's venue is in Europe/London: 16:00 on Friday 9 Jan 2026 is 16:00 UTC.
FRIDAY_HAPPY = "2026-01-09T16:30:00Z"
FRIDAY_LUNCH = "2026-01-09T12:00:00Z"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def happy_hour(menu: Menu, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Happy hour",
        "windows": [{"days": WEEKDAYS, "start": "16:00", "end": "18:00"}],
        "entries": [{"entry_id": menu.entry_id, "prices": {str(menu.size_id): 300}}],
        **extra,
    }


def ending_soon(timezone: str, entry_id: int, size_id: int) -> tuple[dict[str, Any], datetime]:
    """A day-part on now (every day, from an hour ago) that ends at the next whole minute
    at least 15 s ahead, pricing the entry's size at 300; and that end."""
    now = datetime.now(ZoneInfo(timezone))
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < 15:
        boundary += timedelta(minutes=1)
    start, end = f"{now - timedelta(hours=1):%H:%M}", f"{boundary:%H:%M}"
    body = {
        "name": "Happy hour",
        "windows": [{"days": list(DAYS), "start": start, "end": end, "overnight": end <= start}],
        "entries": [{"entry_id": entry_id, "prices": {str(size_id): 300}}],
    }
    return body, boundary.astimezone(UTC)


async def board_at(api: httpx.AsyncClient, menu: Menu, query: str) -> dict[str, Any]:
    found: dict[str, Any] = answer(
        openapi.Board, await api.get(f"menus/{menu.id}/schedule?{query}")
    )
    return found


def entry_of(board: dict[str, Any], entry_id: int) -> dict[str, Any] | None:
    for section in board["sections"]:
        for entry in section["entries"]:
            if entry["id"] == entry_id:
                found: dict[str, Any] = entry
                return found
    return None


async def test_happy_hour_prices_show_during_it_and_the_next_change_is_named(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A day-part's price replaces the usual one while it is active; the board says which
    day-part is on and when the next change is; saving it gave the menu a new version."""
    menu = await make_menu(venue.api)
    created = await venue.api.post("dayparts", json=happy_hour(menu))
    part = answer(answers.DayPart, created, 201)
    assert part["entries"] == [
        {"entry_id": menu.entry_id, "prices": {str(menu.size_id): 300}, "shows": None}
    ]
    assert await menu_version(db, menu.id) == menu.version + 1
    summary = await db.fetchval(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 ORDER BY version DESC LIMIT 1",
        menu.id,
    )
    assert summary == "Added day-part Happy hour"

    during = await board_at(venue.api, menu, f"at={FRIDAY_HAPPY}")
    entry = entry_of(during, menu.entry_id)
    assert entry is not None
    assert entry["prices"] == {str(menu.size_id): 300}
    assert entry["usual_prices"] == {str(menu.size_id): 450}
    assert during["schedule"]["current"] == [{"id": part["id"], "name": "Happy hour"}]
    assert during["schedule"]["next_change_at"] == "2026-01-09T18:00:00+00:00"
    assert during["schedule"]["next_label"] == "End of Happy hour"

    before = await board_at(venue.api, menu, f"at={FRIDAY_LUNCH}")
    entry = entry_of(before, menu.entry_id)
    assert entry is not None
    assert entry["prices"] == {str(menu.size_id): 450}
    assert "usual_prices" not in entry
    assert before["schedule"]["current"] == []
    assert before["schedule"]["next_change_at"] == "2026-01-09T16:00:00+00:00"
    assert before["schedule"]["next_label"] == "Happy hour"
    # The stored board (GET /menus/{id}) is the usual one, carrying the rules.
    stored = answer(openapi.Board, await venue.api.get(f"menus/{menu.id}"))
    assert stored["dayparts"]["timezone"] == "Europe/London"
    assert entry_of(stored, menu.entry_id)["prices"] == {str(menu.size_id): 450}  # type: ignore[index]


async def test_sections_and_entries_show_only_in_or_hide_during_a_day_part(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A brunch-only section shows only at brunch; an entry hidden late is gone late; the
    preview shows the board as a chosen day-part would."""
    menu = await make_menu(venue.api)
    brunch = answer(
        answers.DayPart,
        await venue.api.post(
            "dayparts",
            json={
                "name": "Brunch",
                "windows": [{"days": ["sat", "sun"], "start": "10:00", "end": "14:00"}],
                "sections": [{"section_id": menu.section_id, "shows": "only"}],
            },
        ),
        201,
    )
    late = answer(
        answers.DayPart,
        await venue.api.post(
            "dayparts",
            json={
                "name": "Late",
                "windows": [{"days": ["fri"], "start": "22:00", "end": "02:00", "overnight": True}],
                "entries": [{"entry_id": menu.entry_id, "shows": "hidden"}],
            },
        ),
        201,
    )
    weekday = await board_at(venue.api, menu, f"at={FRIDAY_LUNCH}")
    assert weekday["sections"] == []
    saturday_brunch = await board_at(venue.api, menu, "at=2026-01-10T11:00:00Z")
    assert entry_of(saturday_brunch, menu.entry_id) is not None
    assert saturday_brunch["schedule"]["current"] == [{"id": brunch["id"], "name": "Brunch"}]
    # Saturday 01:00 is still Friday's late: the section is not brunch-time either.
    preview = await board_at(venue.api, menu, f"at={FRIDAY_LUNCH}&daypart={brunch['id']}")
    assert entry_of(preview, menu.entry_id) is not None
    both = await board_at(venue.api, menu, f"daypart={late['id']}")
    assert both["sections"] == []


async def test_bad_day_parts_are_422_naming_the_field_and_store_nothing(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """End before start (not overnight), overlapping windows, a price for a size the entry
    has no price for, a taken name: 422 naming the field; nothing stored, no new version."""
    menu = await make_menu(venue.api)
    base = happy_hour(menu)
    cases = [
        (
            {**base, "windows": [{"days": ["mon"], "start": "18:00", "end": "16:00"}]},
            "windows.0",
            "before the start",
        ),
        (
            {
                **base,
                "windows": [
                    {"days": WEEKDAYS, "start": "16:00", "end": "18:00"},
                    {"days": ["fri"], "start": "17:30", "end": "19:00"},
                ],
            },
            "windows",
            "overlap",
        ),
        (
            {**base, "windows": [{"days": ["mon"], "start": "25:00", "end": "26:00"}]},
            "windows.0.start",
            "HH:MM",
        ),
        (
            {**base, "entries": [{"entry_id": menu.entry_id, "prices": {"999999": 100}}]},
            "entries.0.prices",
            "no usual price",
        ),
    ]
    for body, field, words in cases:
        found = error(await venue.api.post("dayparts", json=body), 422)
        assert field in found["fields"], (field, found)
        assert words in found["fields"][field]
    answer(answers.DayPart, await venue.api.post("dayparts", json=base), 201)
    taken = error(await venue.api.post("dayparts", json=base), 422)
    assert "already" in taken["fields"]["name"]
    assert await db.fetchval("SELECT count(*) FROM dayparts WHERE venue_id = $1", venue.id) == 1
    assert await menu_version(db, menu.id) == menu.version + 1


async def test_ids_of_another_venue_in_a_day_part_are_404(
    venue: Venue, db: asyncpg.Pool, new_browser: Callable[[], Browser]
) -> None:
    """An entry or section id from another venue (or nowhere) in the body is a 404."""
    menu = await make_menu(venue.api)
    other_browser = new_browser()
    await other_browser.sign_up()
    other_slug = await other_browser.create_venue()
    async with api_client(
        other_browser, other_slug, await new_token(other_browser, other_slug, "write")
    ) as other:
        theirs = await make_menu(other)
    for body in (
        happy_hour(theirs),
        {**happy_hour(menu), "sections": [{"section_id": theirs.section_id, "shows": "only"}]},
    ):
        error(await venue.api.post("dayparts", json=body), 404)
    assert await db.fetchval("SELECT count(*) FROM dayparts WHERE venue_id = $1", venue.id) == 0


async def test_day_parts_are_read_replaced_and_deleted(venue: Venue, db: asyncpg.Pool) -> None:
    """PUT replaces a day-part's windows and effects; DELETE removes it from the board."""
    menu = await make_menu(venue.api)
    part = answer(answers.DayPart, await venue.api.post("dayparts", json=happy_hour(menu)), 201)
    path = f"dayparts/{part['id']}"
    replaced = answer(
        answers.DayPart,
        await venue.api.put(path, json={**happy_hour(menu), "name": "Early", "entries": []}),
    )
    assert replaced["name"] == "Early"
    assert replaced["entries"] == []
    listed = answer(answers.DayPartList, await venue.api.get("dayparts"))
    assert [p["name"] for p in listed["dayparts"]] == ["Early"]
    assert (await venue.api.delete(path)).status_code == 204
    error(await venue.api.get(path), 404)
    stored = answer(openapi.Board, await venue.api.get(f"menus/{menu.id}"))
    assert "dayparts" not in stored


# --- planned changes -----------------------------------------------------------------------


def ahead(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def test_planned_changes_are_listed_edited_and_cancelled_before_they_run(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A change planned for next week is listed, can be moved and changed, and cancelled;
    one in the past is a 422 naming run_at; nothing about the menu changes meanwhile."""
    menu = await make_menu(venue.api)
    past = {"run_at": "2020-01-01T17:00:00Z", "rename": "Old"}
    found = error(await venue.api.post(f"menus/{menu.id}/planned-changes", json=past), 422)
    assert "passed" in found["fields"]["run_at"]
    neither = error(
        await venue.api.post(f"menus/{menu.id}/planned-changes", json={"run_at": ahead(60)}),
        422,
    )
    assert "rename" in neither["message"] or neither["fields"]
    body = {"run_at": ahead(7 * 86400), "entry_id": menu.entry_id, "patch": {"tap_label": "4"}}
    created = answer(
        answers.PlannedChange,
        await venue.api.post(f"menus/{menu.id}/planned-changes", json=body),
        201,
    )
    assert created["state"] == "pending"
    assert created["change"] == {"entry_id": menu.entry_id, "patch": {"tap_label": "4"}}
    path = f"planned-changes/{created['id']}"
    moved = answer(
        answers.PlannedChange,
        await venue.api.put(path, json={"run_at": ahead(86400), "rename": "Summer"}),
    )
    assert moved["change"] == {"rename": "Summer"}
    listed = answer(answers.PlannedChangeList, await venue.api.get("planned-changes"))
    assert [p["id"] for p in listed["planned_changes"]] == [created["id"]]
    assert (await venue.api.delete(path)).status_code == 204
    error(await venue.api.get(path), 404)
    error(
        await venue.api.post(
            f"menus/{menu.id}/planned-changes",
            json={**body, "entry_id": 2**62},
        ),
        404,
    )
    assert (
        await db.fetchval("SELECT count(*) FROM planned_changes WHERE venue_id = $1", venue.id) == 0
    )
    assert await menu_version(db, menu.id) == menu.version


async def test_a_planned_change_is_applied_at_its_time_as_a_normal_change(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """New prices planned two seconds ahead land as a new version whose history says who
    scheduled it; afterwards the change cannot be edited or cancelled (409)."""
    menu = await make_menu(venue.api)
    body = {
        "run_at": ahead(2),
        "entry_id": menu.entry_id,
        "patch": {"prices": {str(menu.size_id): 500}},
    }
    created = answer(
        answers.PlannedChange,
        await venue.api.post(f"menus/{menu.id}/planned-changes", json=body),
        201,
    )
    path = f"planned-changes/{created['id']}"
    for _ in range(100):
        done = answer(answers.PlannedChange, await venue.api.get(path))
        if done["state"] != "pending":
            break
        await asyncio.sleep(0.1)
    assert done["state"] == "done", done
    assert done["applied_version"] == menu.version + 1
    board = answer(openapi.Board, await venue.api.get(f"menus/{menu.id}"))
    assert entry_of(board, menu.entry_id)["prices"] == {str(menu.size_id): 500}  # type: ignore[index]
    summary = await db.fetchval(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 AND version = $2",
        menu.id,
        menu.version + 1,
    )
    assert summary == "Changed Landlord: Pint £4.50 → £5.00 (scheduled by API token write)"
    error(await venue.api.delete(path), 409)
    error(await venue.api.put(path, json={"run_at": ahead(60), "rename": "x"}), 409)


# --- the public JSON --------------------------------------------------------------------------


@pytest.mark.slow
async def test_the_public_json_switches_prices_at_the_boundary(
    venue: Venue, db: asyncpg.Pool, new_browser: Callable[[], Browser]
) -> None:
    """The public JSON shows the happy-hour price and names the day-part and its end; within
    a second of the boundary it shows the usual price, though the menu's version is the same."""
    menu = await make_menu(venue.api)
    body, boundary = ending_soon("Europe/London", menu.entry_id, menu.size_id)
    answer(answers.DayPart, await venue.api.post("dayparts", json=body), 201)
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu.id)
    visitor = new_browser()
    url = f"/api/v1/public/menus/{public_id}"

    async def shown() -> tuple[dict[str, Any], str]:
        response = await visitor.get(url)
        assert response.status_code == 200
        body = response.json()
        return body, body["sections"][0]["entries"][0]["prices"][str(menu.size_id)]

    during, price = await shown()
    assert price == 300
    assert during["sections"][0]["entries"][0]["usual_prices"] == {str(menu.size_id): 450}
    assert during["schedule"] == {
        "current": ["Happy hour"],
        "next_change_at": boundary.isoformat(),
        "next_label": "End of Happy hour",
    }
    await asyncio.sleep((boundary - datetime.now(UTC)).total_seconds())
    deadline = boundary + timedelta(seconds=1)
    while datetime.now(UTC) < deadline:
        after, price = await shown()
        if price == 450:
            break
        await asyncio.sleep(0.05)
    assert price == 450
    assert after["schedule"]["current"] == []
    assert after["menu"]["version"] == during["menu"]["version"]


# --- the Schedules page's forms -----------------------------------------------------------------


async def test_the_schedules_page_refuses_bad_forms_once_and_stores_nothing(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A window ending before it starts, a price that is not money, odd field names, a
    change in the past: 303 back to the page, which shows the reason once (not on reload);
    nothing is stored, no 500."""
    menu = await make_menu(venue.api)
    page = f"/v/{venue.slug}/schedules"
    path = f"{page}/dayparts"
    base = {"name": "Late", "w0-days": "fri", "w0-start": "22:00", "w0-end": "02:00"}
    refused = await venue.owner.submit(path, base)
    assert refused.status_code == 303
    assert "Ends the next day" in (await venue.owner.page(page)).text
    assert "Nothing was saved" not in (await venue.owner.page(page)).text
    priced = {**base, "w0-overnight": "on", f"price-{menu.entry_id}-{menu.size_id}": "lots"}
    assert (await venue.owner.submit(path, priced)).status_code == 303
    assert "Nothing was saved" in (await venue.owner.page(page)).text
    odd = {**base, "w0-overnight": "on", "price-1": "3", "price-x-y": "3", "entry-": "only"}
    saved = await venue.owner.submit(path, odd)
    assert saved.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM dayparts WHERE venue_id = $1", venue.id) == 1
    planned = await venue.owner.submit(
        f"{page}/planned",
        {"entry_id": str(menu.entry_id), "day": "2020-01-01", "time": "17:00", "tap_label": "4"},
    )
    assert planned.status_code == 303
    assert "passed" in (await venue.owner.page(page)).text
    assert (
        await db.fetchval("SELECT count(*) FROM planned_changes WHERE venue_id = $1", venue.id) == 0
    )


async def test_the_schedules_page_plans_a_rename_and_edits_a_pending_change(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A rename planned from the page is stored for the picked menu; editing it moves its
    time and name; once it has run, editing or cancelling it says so and changes nothing."""
    menu = await make_menu(venue.api)
    page = f"/v/{venue.slug}/schedules"
    when = {"day": "2099-03-01", "time": "17:00"}
    made = await venue.owner.submit(
        f"{page}/planned", {"kind": "rename", "menu_id": str(menu.id), "rename": "Summer", **when}
    )
    assert made.status_code == 303
    row = await db.fetchrow("SELECT id, menu_id, change, run_at FROM planned_changes"
                            " WHERE venue_id = $1", venue.id)  # fmt: skip
    assert (row["menu_id"], row["change"]) == (menu.id, {"rename": "Summer"})
    shown = (await venue.owner.page(page)).text
    assert 'value="Summer"' in shown  # the edit form starts as planned
    edit = f"{page}/planned/{row['id']}"
    edited = await venue.owner.submit(
        edit, {"kind": "rename", "rename": "Autumn", "day": "2099-09-01", "time": "09:30"}
    )
    assert edited.status_code == 303
    assert "edited" in edited.headers["location"]
    after = await db.fetchrow("SELECT change, run_at FROM planned_changes WHERE id = $1", row["id"])
    assert after["change"] == {"rename": "Autumn"}
    assert after["run_at"] == datetime(2099, 9, 1, 8, 30, tzinfo=UTC)  # 09:30 in London (BST)
    empty = await venue.owner.submit(edit, {"kind": "rename", "rename": "", **when})
    assert empty.status_code == 303
    assert "<li>New name: " in (await venue.owner.page(page)).text
    assert (await db.fetchval("SELECT change FROM planned_changes WHERE id = $1", row["id"])) == {
        "rename": "Autumn"
    }

    await db.execute("UPDATE planned_changes SET state = 'done', outcome = 'Applied as"
                     " version 9.' WHERE id = $1", row["id"])  # fmt: skip
    late = await venue.owner.submit(edit, {"kind": "rename", "rename": "Winter", **when})
    assert late.status_code == 303
    assert "was applied already" in (await venue.owner.page(page)).text
    assert (await db.fetchval("SELECT change FROM planned_changes WHERE id = $1", row["id"])) == {
        "rename": "Autumn"
    }
    assert (await venue.owner.submit(edit + "/cancel")).status_code == 303
    assert await db.fetchval("SELECT count(*) FROM planned_changes WHERE id = $1", row["id"]) == 1
