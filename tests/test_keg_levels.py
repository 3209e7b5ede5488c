"""Keg levels are events, not edits: pours reach TVs as small `levels` messages, throttled."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
from websockets.asyncio.client import ClientConnection

from chalkboard.live.levels import LEVELS_EVERY_SECONDS
from chalkboard.menus import operations
from tests.test_live import Tv, connected, hello, new_tv, open_socket, receive
from tests.test_menu_operations import ACTOR

__all__ = ["open_socket"]  # the fixture, used by name


async def pour(db: asyncpg.Pool, tv: Tv, entry_id: int, volume_ml: int) -> None:
    async with db.acquire() as conn, conn.transaction():
        await operations.record_pour(
            conn,
            venue_id=tv.venue_id,
            menu_id=tv.menu_id,
            entry_id=entry_id,
            volume_ml=volume_ml,
            actor=ACTOR,
        )


async def messages_for(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Everything the TV is sent in the next `seconds`."""
    got: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            got.append(json.loads(await asyncio.wait_for(ws.recv(), left)))
        except TimeoutError:
            break
    return got


async def test_a_flow_meters_stream_reaches_tvs_as_a_few_small_level_updates(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """Twenty pours in a burst: no new version and no board; the TV gets a `levels` message
    at once and then at most one a second, the last with the level after every pour; a TV
    that connects afterwards gets that level in its board."""
    tv = await new_tv(db, entries=1)
    entry_id = await db.fetchval(
        "SELECT e.id FROM menu_entries e JOIN menu_sections s ON s.id = e.section_id "
        "WHERE s.menu_id = $1 ORDER BY s.position LIMIT 1",
        tv.menu_id,
    )
    await db.execute("UPDATE menu_entries SET keg_size_ml = 20000 WHERE id = $1", entry_id)
    ws, version = await connected(open_socket, tv)

    await pour(db, tv, entry_id, 500)
    first = await receive(ws)
    assert first == {
        "type": "levels",
        "menu": tv.menu_id,
        "levels": {
            str(entry_id): {"keg_percent": 97.5, "keg_size_ml": 20000, "keg_remaining_ml": 19500}
        },
    }
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(19):
        await pour(db, tv, entry_id, 100)
    poured_for = loop.time() - started
    got = await messages_for(ws, poured_for + 2 * LEVELS_EVERY_SECONDS)
    assert {m["type"] for m in got} == {"levels"}, "no board for a pour"
    assert 1 <= len(got) <= poured_for / LEVELS_EVERY_SECONDS + 2, len(got)
    assert got[-1]["levels"][str(entry_id)]["keg_remaining_ml"] == 19500 - 19 * 100
    assert await db.fetchval("SELECT version FROM menus WHERE id = $1", tv.menu_id) == version

    latest = await first_board(open_socket, tv)
    shown = latest["board"]["sections"][0]["entries"][0]
    assert shown["keg_remaining_ml"] == 19500 - 19 * 100


async def first_board(open_socket: Any, tv: Tv) -> dict[str, Any]:
    """The board a TV that connects now is sent."""
    ws = await open_socket()
    await hello(ws, tv.token, menu=None, version=None)
    assert (await receive(ws))["type"] == "display"
    board = await receive(ws)
    assert board["type"] == "board"
    return board
