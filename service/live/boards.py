"""`board` messages, read and serialized once per (menu, version) however many TVs ask."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

import asyncpg

from chalkboard.live.frames import frame
from chalkboard.live.protocol import encode
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.venues import queries as venues

# A process shows a handful of menus; a few versions of each cover a burst of edits.
CACHED_BOARDS = 64


@dataclass(frozen=True)
class BoardMessage:
    version: int
    text: str
    frame: bytes  # the text, framed once for every TV (live/frames.py)


class Boards:
    """An LRU of board messages. Concurrent askers of one version share one build, so a
    reconnect storm reads and serializes each board once, not once per TV."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._built: OrderedDict[tuple[int, int], asyncio.Task[BoardMessage | None]] = OrderedDict()

    async def get(self, *, venue_id: int, menu_id: int, version: int) -> BoardMessage | None:
        """The board of `menu_id` at `version` (or newer, if that one was pruned); None when
        the menu is gone."""
        key = (menu_id, version)
        build = self._built.get(key)
        if build is None:
            build = asyncio.create_task(self._build(venue_id, menu_id, version))
            build.add_done_callback(lambda done: self._forget_failed(key, done))
            self._built[key] = build
            if len(self._built) > CACHED_BOARDS:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(key)
        # Shielded: one asker going away must not cancel the build the others wait for.
        return await asyncio.shield(build)

    def _forget_failed(
        self, key: tuple[int, int], build: asyncio.Task[BoardMessage | None]
    ) -> None:
        if (build.cancelled() or build.exception() is not None) and self._built.get(key) is build:
            del self._built[key]

    async def _build(self, venue_id: int, menu_id: int, version: int) -> BoardMessage | None:
        async with self.pool.acquire() as conn:
            board = await menus.get_snapshot(
                conn, venue_id=venue_id, menu_id=menu_id, version=version
            )
            if board is None:
                try:
                    board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
                except operations.NotFound:
                    return None
            venue = await venues.get_venue(conn, venue_id=venue_id)
        if venue is None:
            return None
        shown = board["menu"]["version"]
        text = encode(
            {
                "type": "board",
                "version": shown,
                "board": board,
                "venue": {
                    "name": venue.name,
                    "currency": venue.currency,
                    "volume_unit": venue.volume_unit,
                },
            }
        )
        return BoardMessage(shown, text, frame(text))
