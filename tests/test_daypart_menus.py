"""Menus by day-part: which menu a display shows when, its API and form, and what deleting
a day-part or a menu does to a display that uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from chalkboard.displays import queries as displays
from chalkboard.displays.daypart_menus import MenuRule, next_switch, rule_at
from chalkboard.displays.daypart_views import DaypartMenus
from chalkboard.menus import operations
from chalkboard.menus.openapi import Board
from chalkboard.schedules import dayparts
from tests import test_live, test_menu_api
from tests.test_daypart_menus_live import add_daypart, showing, window
from tests.test_live import new_tv
from tests.test_menu_api import Venue, answer, error, make_menu
from tests.test_menu_operations import ACTOR, new_venue
from tests.test_schedules_api import entry_of
from tests.test_schedules_live import next_board

venue = test_menu_api.venue  # the fixture: a fresh venue (Europe/London) with a write token
open_socket = test_live.open_socket

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def rule(daypart_id: int, menu_id: int, start: str, end: str) -> MenuRule:
    windows = [{"days": WEEKDAYS, "start": start, "end": end, "overnight": False}]
    return MenuRule(daypart_id, f"part {daypart_id}", menu_id, f"menu {menu_id}", 1, windows)


# --- which menu shows when ----------------------------------------------------------------

LUNCH = rule(1, 10, "11:00", "15:00")
HAPPY = rule(2, 20, "14:00", "18:00")
# Friday 9 Jan 2026 in London (GMT, so UTC too).
FRIDAY = datetime(2026, 1, 9, tzinfo=UTC)


def test_the_first_listed_rule_wins_while_two_day_parts_overlap() -> None:
    """Lunch 11-15 then Happy hour 14-18: at 14:30 lunch's menu shows; swap them, happy's."""
    at = FRIDAY.replace(hour=14, minute=30)
    assert rule_at([LUNCH, HAPPY], LONDON, at) == LUNCH
    assert rule_at([HAPPY, LUNCH], LONDON, at) == HAPPY
    assert rule_at([LUNCH, HAPPY], LONDON, FRIDAY.replace(hour=9)) is None


def test_the_next_switch_is_the_next_change_of_menu() -> None:
    """From 09:00 the display switches at 11:00 to lunch's menu, at 15:00 to happy hour's
    (14:00 changes nothing: lunch still wins), at 18:00 back to its usual menu."""
    rules = [LUNCH, HAPPY]
    first = next_switch(rules, 5, LONDON, FRIDAY.replace(hour=9))
    assert first is not None
    assert (first.at.hour, first.menu_id) == (11, 10)
    second = next_switch(rules, 5, LONDON, first.at)
    assert second is not None
    assert (second.at.hour, second.menu_id) == (15, 20)
    third = next_switch(rules, 5, LONDON, second.at)
    assert third is not None
    assert (third.at.hour, third.menu_id, third.rule) == (18, 5, None)
    assert next_switch([], 5, LONDON, FRIDAY) is None


def test_a_rule_showing_the_usual_menu_is_no_switch() -> None:
    """A day-part whose menu is the usual one: no switch in sight, only a time to look again."""
    found = next_switch([rule(1, 5, "11:00", "15:00")], 5, LONDON, FRIDAY.replace(hour=9))
    assert found is not None
    assert found.menu_id == 5


# --- the API -------------------------------------------------------------------------------


async def setup(venue: Venue, db: asyncpg.Pool) -> dict[str, int]:
    """Two menus (Bar, Lunch), a Lunch day-part on now, and a display on Bar."""
    bar = answer(Board, await venue.api.post("menus", json={"name": "Bar"}), 201)["menu"]["id"]
    lunch = answer(Board, await venue.api.post("menus", json={"name": "Lunch"}), 201)["menu"]["id"]
    now = datetime.now(LONDON)  # the fixture's venue
    part = await add_daypart(
        db, venue.id, "Lunch", now - timedelta(hours=1), now + timedelta(hours=2)
    )
    late = await add_daypart(
        db, venue.id, "Late", now + timedelta(hours=3), now + timedelta(hours=4)
    )
    async with db.acquire() as conn:
        display = await displays.create_display(
            conn, venue_id=venue.id, name="Food TV", menu_id=bar
        )
    return {"bar": bar, "lunch": lunch, "daypart": part, "late": late, "display": display.id}


async def rules_stored(db: asyncpg.Pool, display_id: int) -> list[tuple[int, int]]:
    rows = await db.fetch(
        "SELECT daypart_id, menu_id FROM display_daypart_menus WHERE display_id = $1"
        " ORDER BY position",
        display_id,
    )
    return [(r["daypart_id"], r["menu_id"]) for r in rows]


async def test_staff_set_a_display_s_menus_by_day_part_through_the_api(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """PUT stores the rules; GET shows them, the day-part menu showing now and the switch
    back to the usual menu when the day-part ends; an empty list removes them."""
    ids = await setup(venue, db)
    path = f"displays/{ids['display']}/daypart-menus"
    empty = answer(DaypartMenus, await venue.api.get(path))
    assert empty["rules"] == []
    assert empty["showing_menu_id"] == ids["bar"]
    assert empty["next_switch_at"] is None
    body = {"rules": [{"daypart_id": ids["daypart"], "menu_id": ids["lunch"]}]}
    saved = answer(DaypartMenus, await venue.api.put(path, json=body))
    assert saved["rules"] == [
        {"daypart_id": ids["daypart"], "daypart": "Lunch", "menu_id": ids["lunch"], "menu": "Lunch"}
    ]
    assert (saved["showing_menu_id"], saved["showing_daypart_id"]) == (ids["lunch"], ids["daypart"])
    assert saved["next_menu_id"] == ids["bar"]
    assert datetime.fromisoformat(saved["next_switch_at"]) > datetime.now(UTC)
    assert answer(DaypartMenus, await venue.api.get(path)) == saved
    assert await rules_stored(db, ids["display"]) == [(ids["daypart"], ids["lunch"])]
    cleared = answer(DaypartMenus, await venue.api.put(path, json={"rules": []}))
    assert cleared["showing_menu_id"] == ids["bar"]
    assert await rules_stored(db, ids["display"]) == []


async def test_bad_menus_by_day_part_name_the_field_and_store_nothing(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A day-part twice: 422 naming `rules`; not a number: 422 naming the field; another
    venue's menu or day-part: 404 naming the field; none of them stores anything."""
    ids = await setup(venue, db)
    path = f"displays/{ids['display']}/daypart-menus"
    good = {"daypart_id": ids["daypart"], "menu_id": ids["lunch"]}
    answer(DaypartMenus, await venue.api.put(path, json={"rules": [good]}))
    twice = {"rules": [good, {**good, "menu_id": ids["bar"]}]}
    assert "same day-part" in error(await venue.api.put(path, json=twice), 422)["fields"]["rules"]
    typo = {"rules": [{"daypart_id": "lunch", "menu_id": ids["bar"]}]}
    assert "rules.0.daypart_id" in error(await venue.api.put(path, json=typo), 422)["fields"]
    other = await new_venue(db)
    now = datetime.now(UTC)
    their_part = await add_daypart(db, other["venue_id"], "Lunch", now, now + timedelta(hours=1))
    theirs = {"rules": [good, {"daypart_id": ids["late"], "menu_id": other["menu_id"]}]}
    assert "rules.1.menu_id" in error(await venue.api.put(path, json=theirs), 404)["message"]
    theirs = {"rules": [{"daypart_id": their_part, "menu_id": ids["bar"]}]}
    assert "rules.0.daypart_id" in error(await venue.api.put(path, json=theirs), 404)["message"]
    assert await rules_stored(db, ids["display"]) == [(ids["daypart"], ids["lunch"])]


async def test_the_settings_page_saves_menus_by_day_part_and_refuses_a_day_part_twice(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """The form saves (303 to the page, which says which menu shows now); a day-part picked
    twice comes back once (303, then the page with the reason) and stores nothing."""
    ids = await setup(venue, db)
    page = f"/v/{venue.slug}/displays/{ids['display']}"
    form = {"rule-0-daypart": str(ids["daypart"]), "rule-0-menu": str(ids["lunch"])}
    saved = await venue.owner.submit(page + "/daypart-menus", form)
    assert saved.status_code == 303
    assert await rules_stored(db, ids["display"]) == [(ids["daypart"], ids["lunch"])]
    shown = await venue.owner.page(page)
    assert "Showing now:</strong> Lunch (Lunch)" in shown.text
    twice = {**form, "rule-1-daypart": str(ids["daypart"]), "rule-1-menu": str(ids["bar"])}
    refused = await venue.owner.submit(page + "/daypart-menus", twice)
    assert refused.status_code == 303
    again = await venue.owner.page(page)
    assert "name the same day-part" in again.text
    assert "Nothing was saved" not in (await venue.owner.page(page)).text  # shown once
    half = {"rule-0-daypart": str(ids["late"]), "rule-0-menu": ""}
    assert (await venue.owner.submit(page + "/daypart-menus", half)).status_code == 303
    assert "Choose the menu" in (await venue.owner.page(page)).text
    assert await rules_stored(db, ids["display"]) == [(ids["daypart"], ids["lunch"])]


# --- deleting what a rule names -------------------------------------------------------------


async def board_of(ws: Any, menu_id: int) -> dict[str, Any]:
    """The first board of `menu_id` within 10 s. Deleting a day-part gives every menu of the
    venue a version, so the menu the TV leaves may push its new version first."""
    until = datetime.now(UTC) + timedelta(seconds=10)
    while True:
        board = await next_board(ws, until=until)
        if board["board"]["menu"]["id"] == menu_id:
            return board


async def test_deleting_the_day_part_or_its_menu_brings_the_tv_back_to_its_usual_menu(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """A TV on its day-part menu is moved to its usual menu when the day-part is deleted,
    and again when the day-part menu of a second rule is deleted; the rules go with them."""
    tv = await new_tv(db, entries=1)
    now = datetime.now(UTC)
    lunch = await add_daypart(
        db, tv.venue_id, "Lunch", now - timedelta(hours=1), now + timedelta(hours=2)
    )
    all_day = await add_daypart(
        db, tv.venue_id, "All day", now - timedelta(hours=2), now + timedelta(hours=3)
    )
    async with db.acquire() as conn, conn.transaction():
        menus = [
            (await operations.create_menu(conn, venue_id=tv.venue_id, name=name, actor=ACTOR))[
                "menu"
            ]["id"]
            for name in ("Lunch", "Brunch")
        ]
        await displays.replace_menu_rules(
            conn,
            venue_id=tv.venue_id,
            display_id=tv.display_id,
            rules=[(lunch, menus[0]), (all_day, menus[1])],
        )
    ws, board = await showing(open_socket, tv)
    assert board["board"]["menu"]["id"] == menus[0]

    async with db.acquire() as conn, conn.transaction():
        await dayparts.delete_daypart(conn, venue_id=tv.venue_id, daypart_id=lunch, actor=ACTOR)
    await board_of(ws, menus[1])  # the next rule now applies

    async with db.acquire() as conn, conn.transaction():
        await operations.delete_menu(conn, venue_id=tv.venue_id, menu_id=menus[1])
    await board_of(ws, tv.menu_id)
    assert await rules_stored(db, tv.display_id) == []


async def test_another_display_of_the_venue_is_untouched(venue: Venue, db: asyncpg.Pool) -> None:
    """Rules are per display: saving one display's leaves the other's usual menu showing."""
    ids = await setup(venue, db)
    async with db.acquire() as conn:
        other = await displays.create_display(
            conn, venue_id=venue.id, name="Bar TV", menu_id=ids["bar"]
        )
    body = {"rules": [{"daypart_id": ids["daypart"], "menu_id": ids["lunch"]}]}
    answer(DaypartMenus, await venue.api.put(f"displays/{ids['display']}/daypart-menus", json=body))
    theirs = answer(DaypartMenus, await venue.api.get(f"displays/{other.id}/daypart-menus"))
    assert theirs["showing_menu_id"] == ids["bar"]
    assert theirs["rules"] == []


async def test_a_revoked_display_is_a_404(venue: Venue, db: asyncpg.Pool) -> None:
    """A revoked display has no menus by day-part to read or set."""
    ids = await setup(venue, db)
    async with db.acquire() as conn:
        await displays.revoke_display(conn, venue_id=venue.id, display_id=ids["display"])
    path = f"displays/{ids['display']}/daypart-menus"
    error(await venue.api.get(path), 404)
    error(await venue.api.put(path, json={"rules": []}), 404)


# --- the settings page's TV preview ---------------------------------------------------------


async def test_the_tv_preview_shows_what_the_tv_shows_now_or_at_a_picked_day_part(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """A display's preview is the board its TV shows now (the day-part's menu and prices
    while it is on), and so is the editor's preview of a menu; `?daypart=` previews that
    day-part's menu and prices; a day-part that is not the venue's is a 404 and one that is
    not a number a 422."""
    menu = await make_menu(venue.api)  # Bar: entry at 450 a pint
    lunch = answer(Board, await venue.api.post("menus", json={"name": "Lunch"}), 201)["menu"]["id"]
    now = datetime.now(LONDON)
    on = window(now - timedelta(hours=1), now + timedelta(hours=2))
    prices = [{"entry_id": menu.entry_id, "prices": {str(menu.size_id): 300}}]
    happy = (
        await venue.api.post("dayparts", json={"name": "Happy", "windows": [on], "entries": prices})
    ).json()["id"]
    late = await add_daypart(
        db, venue.id, "Late", now + timedelta(hours=3), now + timedelta(hours=4)
    )
    async with db.acquire() as conn:
        display = await displays.create_display(
            conn, venue_id=venue.id, name="Bar TV", menu_id=menu.id
        )
    rules = f"displays/{display.id}/daypart-menus"
    body = {"rules": [{"daypart_id": late, "menu_id": lunch}]}
    answer(DaypartMenus, await venue.api.put(rules, json=body))
    preview = f"/v/{venue.slug}/displays/{display.id}/preview"

    async def shown(query: str = "") -> tuple[int, dict[str, Any] | None]:
        response = await venue.owner.get(preview + query)
        assert response.status_code == 200, response.text
        board = response.json()["board"]
        return board["menu"]["id"], entry_of(board, menu.entry_id)

    shown_id, now_entry = await shown()
    assert shown_id == menu.id
    assert now_entry is not None
    assert now_entry["prices"] == {str(menu.size_id): 300}  # happy hour's price, as on the TV
    assert now_entry["usual_prices"] == {str(menu.size_id): 450}
    assert (await shown(f"?daypart={late}"))[0] == lunch
    editor = await venue.owner.get(f"/v/{venue.slug}/displays/preview/menus/{menu.id}")
    assert entry_of(editor.json()["board"], menu.entry_id)["prices"] == now_entry["prices"]  # type: ignore[index]
    assert (await shown(f"?daypart={happy}"))[1]["prices"] == {str(menu.size_id): 300}  # type: ignore[index]

    body = {"rules": [{"daypart_id": happy, "menu_id": lunch}]}
    answer(DaypartMenus, await venue.api.put(rules, json=body))
    assert (await shown())[0] == lunch  # happy hour is on: its menu, not the usual one
    bar_late = (await shown(f"?daypart={late}"))[1]
    assert bar_late is not None
    assert bar_late["prices"] == {str(menu.size_id): 450}
    assert "usual_prices" not in bar_late

    page = await venue.owner.page(f"/v/{venue.slug}/displays/{display.id}?daypart={late}")
    assert f"preview%3Fdaypart%3D{late}" in page.text  # the form works without JavaScript
    assert f'<option value="{late}" selected>Late: Bar</option>' in page.text

    other = await new_venue(db)
    theirs = await add_daypart(db, other["venue_id"], "Theirs", now, now + timedelta(hours=1))
    assert (await venue.owner.get(f"{preview}?daypart={theirs}")).status_code == 404
    assert (await venue.owner.get(f"{preview}?daypart=lunch")).status_code == 422
