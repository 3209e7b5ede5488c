"""Menus by day-part (#16): a display's TVs hold the board of its next menu before the switch.

So that a TV offline at the switch still switches on time: within AHEAD of it, the display's
TVs are sent `next_menu` (the board as it will show then, and when), built once per display;
again when that menu is edited meanwhile; and on hello to a TV that does not hold it (the
hello says which it holds). The hub still pushes the new menu at the switch (`Hub.reassign`).
Displays without menus by day-part cost nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalkboard.displays.queries import Showing
from chalkboard.live import frames, protocol
from chalkboard.live.boards import Boards
from chalkboard.live.protocol import NextMenuKey
from chalkboard.live.sockets import TvSocket

# A TV whose network drops within this long before the switch still switches on time.
AHEAD = timedelta(hours=1)


@dataclass
class NextMenu:
    """A display's next switch of menu by day-part, and the `next_menu` message for it."""

    key: NextMenuKey  # (when, menu id, version)
    venue_id: int
    frame: bytes | None = None  # built when first sent, once for all the display's TVs
    offered: bool = False  # sent to every TV the display had then (later ones: on hello)

    @property
    def at(self) -> datetime:
        return self.key[0]

    @property
    def menu_id(self) -> int:
        return self.key[1]


class NextMenus:
    """The next menu of each display here that switches menus by day-part. `tvs` and
    `by_display` are the hub's own indexes (a TV no longer in `tvs` is gone)."""

    def __init__(
        self, boards: Boards, tvs: set[TvSocket], by_display: dict[int, set[TvSocket]]
    ) -> None:
        self.boards = boards
        self.tvs = tvs
        self.by_display = by_display
        self.planned: dict[int, NextMenu] = {}  # display id → its next menu
        self.by_menu: dict[int, set[int]] = {}  # menu id → the displays switching to it

    def plan(self, showing: Showing) -> None:
        """Note which menu the display switches to next, if another and in sight."""
        display_id = showing.display.id
        if showing.switch_at is None or showing.switch_to is None:
            self.drop(display_id)
            return
        key = (showing.switch_at, *showing.switch_to)
        planned = self.planned.get(display_id)
        if planned is not None and planned.key[:2] == key[:2] and planned.key[2] >= key[2]:
            return  # the same switch (an edit heard since `showing` was read made it newer)
        self.drop(display_id)
        self.planned[display_id] = NextMenu(key, showing.display.venue_id)
        self.by_menu.setdefault(key[1], set()).add(display_id)

    def drop(self, display_id: int) -> None:
        planned = self.planned.pop(display_id, None)
        if planned is None:
            return
        waiting = self.by_menu[planned.menu_id]
        waiting.discard(display_id)
        if not waiting:
            del self.by_menu[planned.menu_id]

    def edited(self, menu_id: int, version: int) -> None:
        """A new version of a menu: displays switching to it soon are to send their TVs its
        board again (the boundary task does, within a second: `due`, `send`)."""
        for display_id in self.by_menu.get(menu_id, ()):
            planned = self.planned[display_id]
            if version > planned.key[2]:
                self.planned[display_id] = NextMenu(
                    (planned.at, menu_id, version), planned.venue_id
                )

    def due(self) -> dict[int, datetime]:
        """Display id → when its TVs are to be sent the board of its next menu (displays
        whose TVs were sent it already are left out)."""
        return {
            display_id: planned.at - AHEAD
            for display_id, planned in self.planned.items()
            if not planned.offered
        }

    async def send(self, display_id: int) -> None:
        """Send the display's TVs its next menu (it is due)."""
        planned = self.planned.get(display_id)
        if planned is None:
            return
        await self.offer(display_id, list(self.by_display.get(display_id, ())))
        planned.offered = True

    async def offer(self, display_id: int, tvs: list[TvSocket]) -> None:
        """Bring the TVs' `next_menu` to the display's: the board of its next menu when that
        switch is near, else none (a TV that holds another is told to forget it)."""
        planned = self.planned.get(display_id)
        now = datetime.now(UTC)
        if planned is not None and planned.at - now > AHEAD:
            planned = None
        if planned is not None and planned.frame is None:
            at, menu_id, version = planned.key
            board = await self.boards.at(
                venue_id=planned.venue_id, menu_id=menu_id, version=version, when=at
            )
            if self.planned.get(display_id) is not planned:
                return  # replaced meanwhile: its own offer follows (`Hub._show`, `send`)
            if board is not None:
                planned.frame = frames.frame(protocol.next_menu(at, menu_id, board.text))
        for tv in tvs:
            if tv.close_code is not None or tv not in self.tvs:
                continue
            held = tv.next_menu
            if held is not None and held[0] <= now:
                held = tv.next_menu = None  # the TV has switched to it by now
            if planned is None or planned.frame is None:
                if held is not None:
                    tv.next_menu = None
                    tv.send(protocol.NO_NEXT_MENU)
            elif held != planned.key:
                tv.next_menu = planned.key
                tv.send_frame(planned.frame)
