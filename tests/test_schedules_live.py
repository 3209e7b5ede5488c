"""The boundary push: a connected TV gets the board again when a day-part ends."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from websockets.asyncio.client import ClientConnection

from chalkboard.displays import queries as displays
from chalkboard.live.boards import CACHED_BOARDS
from chalkboard.menus import operations
from chalkboard.schedules import dayparts
from chalkboard.schedules.boundaries import PREPARE_AHEAD
from chalkboard.schedules.forms import DAYS, DayPartIn
from tests import test_live
from tests.test_live import Tv, connected, hello, new_tv, receive, send
from tests.test_menu_operations import ACTOR
from tests.test_schedules_api import ending_soon

open_socket = test_live.open_socket  # the fixture: TV sockets to the live server


def price_of(message: dict[str, Any]) -> int:
    entry = message["board"]["sections"][0]["entries"][0]
    price: int = next(iter(entry["prices"].values()))
    return price


async def next_board(ws: ClientConnection, *, until: datetime) -> dict[str, Any]:
    """The next board message before `until`, pinging as a TV does (or the server hangs up)."""
    while True:
        left = (until - datetime.now(UTC)).total_seconds()
        assert left > 0, "no board came"
        try:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), min(left, 20)))
        except TimeoutError:
            await send(ws, type="ping")
            continue
        if message["type"] == "board":
            return message


async def priced_entries(db: asyncpg.Pool, tv: Tv, *prices: int) -> tuple[int, list[Any]]:
    """The venue's first serving size, and the menu's entries in board order (`section_id`,
    `id`), the first ones given `prices` in that size."""
    async with db.acquire() as conn, conn.transaction():
        size_id: int = await conn.fetchval(
            "SELECT id FROM serving_sizes WHERE venue_id = $1 ORDER BY id LIMIT 1", tv.venue_id
        )
        entries = await conn.fetch(
            "SELECT s.id AS section_id, e.id FROM menu_entries e"
            " JOIN menu_sections s ON s.id = e.section_id"
            " WHERE s.menu_id = $1 ORDER BY s.position, e.position",
            tv.menu_id,
        )
        for entry, price in zip(entries, prices, strict=False):
            await operations.update_entry(
                conn, venue_id=tv.venue_id, menu_id=tv.menu_id, based_on=None, actor=ACTOR,
                entry_id=entry["id"], changes={}, prices={size_id: price},
            )  # fmt: skip
    return size_id, list(entries)


async def in_happy_hour(
    db: asyncpg.Pool, open_socket: Any
) -> tuple[Tv, ClientConnection, datetime]:
    """A connected TV whose menu's happy hour (one entry at 300, usually 450; a 20 l keg) is
    on now; the TV has had the happy-hour board. The TV, its socket, and when happy hour ends."""
    tv = await new_tv(db, entries=1)
    size_id, entries = await priced_entries(db, tv, 450)
    entry_id = entries[0]["id"]
    async with db.acquire() as conn, conn.transaction():
        await operations.update_entry(
            conn, venue_id=tv.venue_id, menu_id=tv.menu_id, based_on=None, actor=ACTOR,
            entry_id=entry_id, changes={"keg_size_ml": 20000}, prices=None,
        )  # fmt: skip
    ws, _ = await connected(open_socket, tv)
    body, boundary = ending_soon("UTC", entry_id, size_id)
    form = DayPartIn.model_validate(body)
    async with db.acquire() as conn, conn.transaction():
        await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, form=form, actor=ACTOR
        )
    during = await receive(ws)
    assert during["type"] == "board"
    assert price_of(during) == 300
    assert during["board"]["schedule"]["next_change_at"] == boundary.isoformat()
    return tv, ws, boundary


@pytest.mark.slow
async def test_a_connected_tv_switches_back_to_usual_prices_when_happy_hour_ends(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """A TV shows the happy-hour price pushed with the day-part; within a second of the
    day-part's end it is sent the board again, with the usual price, even on a task showing
    more menus than its board cache holds (bench-boundary found 1,000 menus' happy hours
    ending unseen); and with the keg level of a pour made after its board for the boundary
    was built ahead of it."""
    tv, ws, boundary = await in_happy_hour(db, open_socket)
    others = [await new_tv(db) for _ in range(CACHED_BOARDS + 1)]
    for other in others:  # each builds a board, pushing the first out of the caches
        await connected(open_socket, other)
    # The board for the boundary is built 30 s ahead of it (PREPARE_AHEAD): pour after that.
    ahead = boundary - PREPARE_AHEAD + timedelta(seconds=5)
    while (left := (ahead - datetime.now(UTC)).total_seconds()) > 0:
        await send(ws, type="ping")  # as a TV does, or the server hangs up on a quiet socket
        await asyncio.sleep(min(left, 20))
    await asyncio.sleep(1.5)
    async with db.acquire() as conn, conn.transaction():
        entry_id = await conn.fetchval(
            "SELECT e.id FROM menu_entries e JOIN menu_sections s ON s.id = e.section_id"
            " WHERE s.menu_id = $1 AND e.keg_size_ml IS NOT NULL",
            tv.menu_id,
        )
        await operations.record_pour(
            conn, venue_id=tv.venue_id, menu_id=tv.menu_id, entry_id=entry_id, volume_ml=5000,
            actor=ACTOR,
        )  # fmt: skip
    assert datetime.now(UTC) < boundary, "set-up took too long to test the boundary"

    after = await next_board(ws, until=boundary + timedelta(seconds=1))
    arrived = datetime.now(UTC)
    assert after["type"] == "board"
    assert price_of(after) == 450
    assert after["board"]["sections"][0]["entries"][0]["keg_percent"] == 75
    assert after["board"]["schedule"]["current"] == []
    assert boundary <= arrived < boundary + timedelta(seconds=1)


async def test_a_tv_coming_back_with_its_version_gets_the_board_as_it_shows_now(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """A TV that says it has the current version is sent the board anyway when the venue
    has day-parts (it may have been offline over a boundary); without them, up_to_date."""
    tv = await new_tv(db, entries=1)
    ws, version = await connected(open_socket, tv)
    await ws.close()
    again = await open_socket()
    await hello(again, tv.token, menu=tv.menu_id, version=version)
    assert (await receive(again))["type"] == "display"
    assert (await receive(again))["type"] == "up_to_date"

    form = DayPartIn.model_validate(
        {"name": "Late", "windows": [{"days": ["fri"], "start": "22:00", "end": "23:00"}]}
    )
    async with db.acquire() as conn, conn.transaction():
        await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, form=form, actor=ACTOR
        )
    pushed = await next_board(again, until=datetime.now(UTC) + timedelta(seconds=10))
    await again.close()
    back = await open_socket()
    await hello(back, tv.token, menu=tv.menu_id, version=pushed["version"])
    assert (await receive(back))["type"] == "display"
    board = await receive(back)
    assert board["type"] == "board"
    assert board["version"] == pushed["version"]
    assert "schedule" in board["board"]


async def test_a_board_carries_what_a_tv_needs_to_switch_by_its_own_clock(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """During a day-part a TV's board has the rules, the next changes as instants with the
    day-parts on from then, the usual price, and what the day-part hides now (`hidden_now`,
    with its place); two TVs get the same bytes; each pong has the server's clock."""
    tv = await new_tv(db, entries=2)
    size_id, (first, second, *_) = await priced_entries(db, tv, 450)
    async with db.acquire() as conn, conn.transaction():
        body, boundary = ending_soon("UTC", first["id"], size_id)
        body["entries"].append({"entry_id": second["id"], "shows": "hidden"})
        await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, form=DayPartIn.model_validate(body),
            actor=ACTOR,
        )  # fmt: skip
    texts = []
    for _ in range(2):
        ws = await open_socket()
        await hello(ws, tv.token, menu=None, version=None)
        assert (await receive(ws))["type"] == "display"
        texts.append(await asyncio.wait_for(ws.recv(), 10))
    assert texts[0] == texts[1]
    message = json.loads(texts[0])
    board = message["board"]
    assert [p["name"] for p in board["dayparts"]["parts"]] == ["Happy hour"]
    assert [p["name"] for p in board["schedule"]["current"]] == ["Happy hour"]
    assert board["schedule"]["upcoming"][0] == {"at": boundary.isoformat(), "current": []}
    shown = board["sections"][0]["entries"]
    assert [e["id"] for e in shown] == [first["id"]]
    assert shown[0]["prices"] == {str(size_id): 300}
    assert shown[0]["usual_prices"] == {str(size_id): 450}
    held = message["hidden_now"]
    assert held["sections"] == []
    assert [(e["index"], e["entry"]["id"]) for e in held["entries"][str(first["section_id"])]] == [
        (1, second["id"])
    ]

    before = time.time()
    await send(ws, type="ping")
    pong = await receive(ws)
    assert pong["type"] == "pong"
    assert before - 1 <= pong["server_time"] / 1000 <= time.time() + 1


# --- menus by day-part: a TV holds the board of its display's next menu ---------------------


async def lunch_in_half_an_hour(db: asyncpg.Pool) -> tuple[Tv, int, datetime]:
    """A display (on its usual menu) that shows the "Lunch" menu from the whole minute about
    30 minutes ahead, for an hour: the TV, the lunch menu's id, and when lunch begins."""
    tv = await new_tv(db, entries=1)
    starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=30)
    start, end = f"{starts:%H:%M}", f"{starts + timedelta(hours=1):%H:%M}"
    window = {"days": list(DAYS), "start": start, "end": end, "overnight": end <= start}
    form = DayPartIn.model_validate({"name": "Lunch", "windows": [window]})
    async with db.acquire() as conn, conn.transaction():
        lunch = await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, form=form, actor=ACTOR
        )
    async with db.acquire() as conn, conn.transaction():
        board = await operations.create_menu(conn, venue_id=tv.venue_id, name="Lunch", actor=ACTOR)
        menu_id = board["menu"]["id"]
        await displays.replace_menu_rules(
            conn, venue_id=tv.venue_id, display_id=tv.display_id, rules=[(lunch.id, menu_id)]
        )
    return tv, menu_id, starts


async def next_message(ws: ClientConnection, kind: str, *, within: float) -> dict[str, Any]:
    """The next message of type `kind` within `within` seconds (others are skipped)."""
    async with asyncio.timeout(within):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def test_a_tv_is_sent_its_next_menu_ahead_and_again_when_that_menu_is_edited(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """Within the hour before a display switches to its lunch menu, its TV is sent that
    menu's board and when (`next_menu`) after its own board; an edit of the lunch menu sends
    it again at the new version, and no `board` (the TV still shows its usual menu)."""
    tv, lunch_menu, starts = await lunch_in_half_an_hour(db)
    ws, _ = await connected(open_socket, tv)
    ahead = await receive(ws)
    assert ahead["type"] == "next_menu"
    assert datetime.fromisoformat(ahead["at"]) == starts
    assert ahead["menu"] == lunch_menu
    assert ahead["message"]["type"] == "board"
    assert ahead["message"]["board"]["menu"]["name"] == "Lunch"
    first_version = ahead["message"]["version"]

    async with db.acquire() as conn, conn.transaction():
        await operations.rename_menu(
            conn, venue_id=tv.venue_id, menu_id=lunch_menu, based_on=None, name="Lunch (new)",
            actor=ACTOR,
        )  # fmt: skip
    again = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert again["type"] == "next_menu"  # nothing else came first: not a board
    assert again["message"]["version"] > first_version
    assert again["message"]["board"]["menu"]["name"] == "Lunch (new)"
    assert datetime.fromisoformat(again["at"]) == starts


async def test_a_hello_is_sent_the_next_menu_only_when_the_tv_does_not_hold_it(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """A TV that says in its hello it holds the display's next menu is not sent it again; one
    holding another is sent the right one; once the display switches to no other menu, a TV
    still holding one is told to forget it (`next_menu` with no `at`)."""
    tv, lunch_menu, _ = await lunch_in_half_an_hour(db)
    ws, _ = await connected(open_socket, tv)
    ahead = await receive(ws)
    held = {"at": ahead["at"], "menu": lunch_menu, "version": ahead["message"]["version"]}

    holding = await open_socket()
    await hello(holding, tv.token, menu=None, version=None, next=held)
    assert [(await receive(holding))["type"] for _ in range(2)] == ["display", "board"]
    stale = await open_socket()
    await hello(stale, tv.token, menu=None, version=None, next={**held, "version": 0})
    assert [(await receive(stale))["type"] for _ in range(3)] == ["display", "board", "next_menu"]

    async with db.acquire() as conn, conn.transaction():
        await displays.replace_menu_rules(
            conn, venue_id=tv.venue_id, display_id=tv.display_id, rules=[]
        )
        await displays.notify_display_changed(conn, display_id=tv.display_id, event="updated")
    for socket in (ws, stale):
        forget = await next_message(socket, "next_menu", within=5)
        assert forget["at"] is None
    # The one that held it was sent nothing at its hello, so this is its next message.
    assert await receive(holding) == {"type": "next_menu", "at": None}
