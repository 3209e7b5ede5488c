"""`board` messages, read and serialized once per (menu, version) however many TVs ask."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from chalkboard.live.frames import frame
from chalkboard.live.protocol import encode
from chalkboard.menus import operations
from chalkboard.shared_builds import SharedBuilds
from chalkboard.venues import queries as venues

# A process shows a handful of menus; a few versions of each cover a burst of edits.
CACHED_BOARDS = 64


@dataclass(frozen=True)
class BoardMessage:
    version: int
    text: str
    frame: bytes  # the text, framed once for every TV (live/frames.py)


class Boards:
    """Board messages by (menu, version). Concurrent askers of one version share one build,
    so a reconnect storm reads and serializes each board once, not once per TV."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._built: SharedBuilds[tuple[int, int], BoardMessage | None] = SharedBuilds(
            CACHED_BOARDS
        )

    async def get(self, *, venue_id: int, menu_id: int, version: int) -> BoardMessage | None:
        """The board of `menu_id` at `version` (or newer, if that one was pruned); None when
        the menu is gone."""
        return await self._built.get(
            (menu_id, version), lambda: self._build(venue_id, menu_id, version)
        )

    def forget(self, *, menu_id: int, version: int) -> None:
        """The keg levels in this version's board moved (pours make no version)."""
        self._built.forget((menu_id, version))

    async def _build(self, venue_id: int, menu_id: int, version: int) -> BoardMessage | None:
        async with self.pool.acquire() as conn:
            try:
                board = await operations.board_at(
                    conn, venue_id=venue_id, menu_id=menu_id, version=version
                )
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
