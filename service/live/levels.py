"""Keg levels on TVs: a small `levels` message when pours move them, not a whole board.

Pours are events, not edits (DESIGN.md, convention 20): they make no menu version, so the
board push never carries them. A `keg_levels` notification (payload: the menu id) schedules
one push of that menu's levels to its TVs — at once, then at most one a second however fast
a flow meter reports: pours that arrive meanwhile ride on the next push, which reads the
levels as they are then. The board cached for the menu's version is forgotten too (and the
one built ahead for its next day-part boundary), so a TV that connects afterwards, or gets
the board at the boundary, is sent today's levels in it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg

from chalkboard.live import protocol
from chalkboard.live.boards import BoardMessage, Boards
from chalkboard.live.frames import frame
from chalkboard.live.sockets import TvSocket
from chalkboard.live.throttle import Throttle
from chalkboard.menus import queries as menus

# A flow meter may report every few hundred ms while a pint pours; a TV needs far fewer.
LEVELS_EVERY_SECONDS = 1.0


class LevelPushes:
    def __init__(
        self,
        pool: asyncpg.Pool,
        boards: Boards,
        by_menu: dict[int, set[TvSocket]],
        upcoming: dict[int, BoardMessage],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self.pool, self.boards, self.by_menu, self.upcoming = pool, boards, by_menu, upcoming
        self._push_soon = Throttle(LEVELS_EVERY_SECONDS, self._push, spawn)

    def poured(self, menu_id: int) -> None:
        """The menu's levels moved: push them (at once, or with the next push a second on)."""
        if menu_id in self.by_menu:
            self._push_soon(menu_id)

    async def _push(self, menu_id: int) -> None:
        tvs = self.by_menu.get(menu_id)
        if not tvs:
            return
        venue_id = next(iter(tvs)).venue_id
        assert venue_id is not None
        async with self.pool.acquire() as conn:
            menu = await menus.get_menu(conn, venue_id=venue_id, menu_id=menu_id)
            levels = await menus.keg_levels(conn, venue_id=venue_id, menu_id=menu_id)
        if menu is None:
            return
        self.boards.forget(menu_id=menu_id, version=menu.version)
        self.upcoming.pop(menu_id, None)  # a boundary's board built ahead: built again
        framed = frame(protocol.levels(menu_id, levels.values()))
        for tv in self.by_menu.get(menu_id, ()):
            tv.send_frame(framed)
