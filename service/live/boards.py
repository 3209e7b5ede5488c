"""`board` messages, read and serialized once per (menu, version) however many TVs ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from chalkboard.live.frames import frame
from chalkboard.live.protocol import encode
from chalkboard.menus import operations
from chalkboard.menus.board import Board
from chalkboard.schedules import effective as schedule
from chalkboard.shared_builds import SharedBuilds
from chalkboard.venues import queries as venues
from chalkboard.venues.queries import Venue

# A process shows a handful of menus; a few versions of each cover a burst of edits.
CACHED_BOARDS = 64


@dataclass(frozen=True)
class BoardMessage:
    version: int
    text: str
    frame: bytes  # the text, framed once for every TV (live/frames.py)
    # Schedules (#16): the venue has day-parts, so one version shows differently over time;
    # when this one stops being what the venue shows (None: never, by the schedule).
    scheduled: bool = False
    ends: datetime | None = None


class Boards:
    """Board messages by (menu, version). Concurrent askers of one version share one build,
    so a reconnect storm reads and serializes each board once, not once per TV.

    Schedules (#16): a board is shown as the venue's day-parts make it now
    (`schedules.effective`), so a message is built once per (menu, version, stretch of the
    schedule), and says when its stretch ends."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._read: SharedBuilds[tuple[int, int], tuple[Board, Venue] | None] = SharedBuilds(
            CACHED_BOARDS
        )
        self._built: SharedBuilds[tuple[int, int, str], BoardMessage | None] = SharedBuilds(
            CACHED_BOARDS
        )
        self._stretches = schedule.Stretches(CACHED_BOARDS)

    async def get(self, *, venue_id: int, menu_id: int, version: int) -> BoardMessage | None:
        """The board of `menu_id` at `version` (or newer, if that one was pruned), as it shows
        now; None when the menu is gone."""
        read = await self._read.get(
            (menu_id, version), lambda: self._read_board(venue_id, menu_id, version)
        )
        if read is None:
            return None
        board, venue = read
        now = datetime.now(UTC)
        stretch = self._stretches.current((menu_id, version), now)
        shown = None
        if stretch is None:  # a new version, or a boundary: the schedule is worked out once
            shown = schedule.effective(board, now)
            stretch = self._stretches.record((menu_id, version), schedule.stretch_of(shown))

        async def build() -> BoardMessage:
            return self._build(board, shown or schedule.effective(board, now), venue)

        return await self._built.get((menu_id, version, stretch), build)

    async def at(
        self, *, venue_id: int, menu_id: int, version: int, when: datetime
    ) -> BoardMessage | None:
        """The board of `version` as it will show at `when` (a boundary ahead), built now and
        not cached: the hub holds it until then, so the boundary costs no database read."""
        read = await self._read.get(
            (menu_id, version), lambda: self._read_board(venue_id, menu_id, version)
        )
        if read is None:
            return None
        board, venue = read
        return self._build(board, schedule.effective(board, when), venue)

    def forget(self, *, menu_id: int, version: int) -> None:
        """The keg levels in this version's board moved (pours make no version): read it
        again, and rebuild the message of the stretch it shows now."""
        self._read.forget((menu_id, version))
        stretch = self._stretches.current((menu_id, version), datetime.now(UTC))
        if stretch is not None:
            self._built.forget((menu_id, version, stretch))

    async def _read_board(
        self, venue_id: int, menu_id: int, version: int
    ) -> tuple[Board, Venue] | None:
        async with self.pool.acquire() as conn:
            try:
                board = await operations.board_at(
                    conn, venue_id=venue_id, menu_id=menu_id, version=version
                )
            except operations.NotFound:
                return None
            venue = await venues.get_venue(conn, venue_id=venue_id)
        return None if venue is None else (board, venue)

    @staticmethod
    def _build(stored: Board, shown: Board, venue: Venue) -> BoardMessage:
        """The message for `shown`, the board as it shows now (what any TV app draws as is).
        With day-parts it also carries what a TV needs to show the board of the next
        stretches by its own clock, offline too (tv-client/schedule.js): the rules and
        `schedule.upcoming` are in the board, the usual prices in `usual_prices`, and what
        this stretch leaves out is `hidden_now`."""
        version = shown["menu"]["version"]
        message = {
            "type": "board",
            "version": version,
            "board": shown,
            "venue": {
                "name": venue.name,
                "currency": venue.currency,
                "volume_unit": venue.volume_unit,
            },
        }
        left_out = hidden_now(stored, shown)
        if left_out is not None:
            message["hidden_now"] = left_out
        text = encode(message)
        _, ends = schedule.stretch_of(shown)
        return BoardMessage(version, text, frame(text), scheduled="dayparts" in shown, ends=ends)


def hidden_now(stored: Board, shown: Board) -> dict[str, Any] | None:
    """What `shown` leaves out of `stored` (sections, and entries of the sections it shows),
    each as stored with its index there, so that a TV can put them back in their place when
    another day-part shows them; None when nothing is left out."""
    shown_entries = {s["id"]: {e["id"] for e in s["entries"]} for s in shown["sections"]}
    sections: list[dict[str, Any]] = []
    entries: dict[str, list[dict[str, Any]]] = {}
    for index, section in enumerate(stored["sections"]):
        there = shown_entries.get(section["id"])
        if there is None:
            sections.append({"index": index, "section": section})
            continue
        missing = [
            {"index": i, "entry": entry}
            for i, entry in enumerate(section["entries"])
            if entry["id"] not in there
        ]
        if missing:
            entries[str(section["id"])] = missing
    if not sections and not entries:
        return None
    return {"sections": sections, "entries": entries}
