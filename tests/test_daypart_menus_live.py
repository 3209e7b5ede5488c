"""Menus by day-part, live: at a day-part's edge the TVs of a display move to the other menu."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from websockets.asyncio.client import ClientConnection

from chalkboard import tokens
from chalkboard.displays import queries as displays
from chalkboard.menus import operations
from chalkboard.schedules import dayparts
from chalkboard.schedules.forms import DAYS, DayPartIn
from tests import test_live
from tests.test_live import Tv, hello, new_tv, receive
from tests.test_menu_operations import ACTOR
from tests.test_schedules_live import next_board

open_socket = test_live.open_socket  # the fixture: TV sockets to the live server


def window(start: datetime, end: datetime) -> dict[str, Any]:
    """Every day from `start` to `end`, as their wall clock reads (the venue's)."""
    first, last = f"{start:%H:%M}", f"{end:%H:%M}"
    return {"days": list(DAYS), "start": first, "end": last, "overnight": last <= first}


async def add_daypart(db: asyncpg.Pool, venue_id: int, name: str, start: datetime,
                      end: datetime) -> int:  # fmt: skip
    form = DayPartIn.model_validate({"name": name, "windows": [window(start, end)]})
    async with db.acquire() as conn, conn.transaction():
        saved = await dayparts.save_daypart(
            conn, venue_id=venue_id, daypart_id=None, form=form, actor=ACTOR
        )
    return saved.id


async def second_display(db: asyncpg.Pool, tv: Tv) -> Tv:
    """Another paired display of the same venue, on the same usual menu."""
    token, token_hash = tokens.new_token("cbd_")
    async with db.acquire() as conn, conn.transaction():
        display = await displays.create_display(
            conn, venue_id=tv.venue_id, name="Food TV", menu_id=tv.menu_id
        )
        await conn.execute(
            "UPDATE displays SET token_hash = $1 WHERE id = $2", token_hash, display.id
        )
    return Tv(tv.venue_id, tv.menu_id, display.id, token)


async def showing(open_socket: Any, tv: Tv) -> tuple[ClientConnection, dict[str, Any]]:
    """A TV socket past hello, and the board it was sent."""
    ws = await open_socket()
    await hello(ws, tv.token, menu=None, version=None)
    assert (await receive(ws))["type"] == "display"
    board = await receive(ws)
    assert board["type"] == "board"
    return ws, board


async def arrival(ws: ClientConnection, boundary: datetime) -> tuple[dict[str, Any], datetime]:
    """The next board a TV is sent (by a second after the boundary), and when it came."""
    board = await next_board(ws, until=boundary + timedelta(seconds=1))
    return board, datetime.now(UTC)


@pytest.mark.slow
async def test_tvs_move_to_the_day_part_menu_and_back_at_its_edges(
    db: asyncpg.Pool, open_socket: Any
) -> None:
    """Lunch (on now, ends at the boundary) shows the lunch menu on one TV, Evening (from the
    boundary) on another: a TV connecting mid-lunch gets the lunch menu; within a second of
    the boundary the first is back on its usual menu and the second on the lunch menu."""
    bar = await new_tv(db, entries=1)
    food = await second_display(db, bar)
    now = datetime.now(UTC)
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < 10:
        boundary += timedelta(minutes=1)
    lunch = await add_daypart(db, bar.venue_id, "Lunch", now - timedelta(hours=1), boundary)
    evening = await add_daypart(
        db, bar.venue_id, "Evening", boundary, boundary + timedelta(hours=1)
    )
    async with db.acquire() as conn, conn.transaction():
        board = await operations.create_menu(conn, venue_id=bar.venue_id, name="Lunch", actor=ACTOR)
        lunch_menu = board["menu"]["id"]
        for tv, daypart in ((bar, lunch), (food, evening)):
            await displays.replace_menu_rules(
                conn, venue_id=tv.venue_id, display_id=tv.display_id, rules=[(daypart, lunch_menu)]
            )

    bar_ws, bar_board = await showing(open_socket, bar)  # mid-lunch: the lunch menu
    food_ws, food_board = await showing(open_socket, food)
    assert datetime.now(UTC) < boundary
    assert bar_board["board"]["menu"]["id"] == lunch_menu
    assert food_board["board"]["menu"]["id"] == bar.menu_id

    # Both at once: each pings its own socket while it waits (a quiet TV is closed at 60 s).
    (after_bar, bar_at), (after_food, food_at) = await asyncio.gather(
        arrival(bar_ws, boundary), arrival(food_ws, boundary)
    )
    assert after_bar["board"]["menu"]["id"] == bar.menu_id
    assert after_food["board"]["menu"]["id"] == lunch_menu
    assert boundary <= bar_at < boundary + timedelta(seconds=1)
    assert boundary <= food_at < boundary + timedelta(seconds=1)
