"""The board at an instant: the stored board transformed by the day-parts active then.

Each stored board (one per menu version, `menus/board.py`) carries its venue's day-parts as
`dayparts` — the timezone, the windows, and their effects on that menu — so the board of any
version can be shown at any instant without the database: by the API now, by a TV on its own
clock later (docs/schedules.md). Editing a day-part gives every menu a new version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalkboard.db import Conn
from chalkboard.schedules import queries
from chalkboard.schedules.clock import DayPart, active_at, changes
from chalkboard.schedules.forms import window_of

Board = dict[str, Any]
# Enough upcoming changes for a TV that loses its network for a day or so.
UPCOMING = 8


async def board_rules(conn: Conn, *, venue_id: int, menu_id: int) -> dict[str, Any] | None:
    """The venue's day-parts and their effects on this menu, for its board (None: none)."""
    parts = await queries.list_dayparts(conn, venue_id=venue_id, menu_id=menu_id)
    if not parts:
        return None
    return {
        "timezone": await queries.venue_timezone(conn, venue_id=venue_id),
        "parts": [
            {
                "id": part.id,
                "name": part.name,
                "windows": part.windows,
                "prices": {
                    str(entry): {str(size): price for size, price in sizes.items()}
                    for entry, sizes in part.prices.items()
                },
                "entries": {str(entry): shows for entry, shows in part.entries.items()},
                "sections": {str(section): shows for section, shows in part.sections.items()},
            }
            for part in parts
        ],
    }


def _day_parts(rules: dict[str, Any]) -> list[DayPart]:
    return [
        DayPart(p["id"], p["name"], tuple(window_of(w) for w in p["windows"]))
        for p in rules["parts"]
    ]


def _visible(kind: str, item_id: int, parts: list[dict[str, Any]], active: frozenset[int]) -> bool:
    hidden = any(p[kind].get(str(item_id)) == "hidden" and p["id"] in active for p in parts)
    only = [p["id"] for p in parts if p[kind].get(str(item_id)) == "only"]
    return not hidden and (not only or any(part in active for part in only))


def _label(names: dict[int, str], before: frozenset[int], after: frozenset[int]) -> str:
    started = [names[i] for i in sorted(after - before)]
    if started:
        return ", ".join(started)
    return "End of " + ", ".join(names[i] for i in sorted(before - after))


def schedule_at(rules: dict[str, Any] | None, at: datetime) -> dict[str, Any]:
    """`{current, next_change_at, next_label, upcoming}` at `at`: the day-parts active, the
    next change and what it is called ("Happy hour", "End of Happy hour"), and the next few
    changes as `{at, current}` for a screen that switches by its own clock."""
    if not rules:
        return {"current": [], "next_change_at": None, "next_label": None, "upcoming": []}
    tz = ZoneInfo(rules["timezone"])
    parts = _day_parts(rules)
    names = {p.id: p.name for p in parts}
    coming = changes(parts, tz, at, limit=UPCOMING)
    active = active_at(parts, tz, at)
    return {
        "current": [{"id": i, "name": names[i]} for i in sorted(active)],
        "next_change_at": coming[0].at.isoformat() if coming else None,
        "next_label": _label(names, active, coming[0].active) if coming else None,
        "upcoming": [{"at": c.at.isoformat(), "current": sorted(c.active)} for c in coming],
    }


def effective(board: Board, at: datetime, *, as_if: frozenset[int] | None = None) -> Board:
    """The board as it shows at `at` (or, for a preview, as if exactly the day-parts `as_if`
    were active): day-part prices in place of the usual ones (the usual ones kept as
    `usual_prices`), entries and sections that do not show then left out, and `schedule`."""
    rules = board.get("dayparts")
    schedule = schedule_at(rules, at)
    if not rules:
        return {**board, "schedule": schedule}
    active = as_if if as_if is not None else frozenset(part["id"] for part in schedule["current"])
    parts = rules["parts"]
    on = [p for p in parts if p["id"] in active]
    # Boards are never changed in place (one is shared by every screen that shows it): what
    # differs is new, the rest is shared with `board`.
    sections = []
    for section in board["sections"]:
        if not _visible("sections", section["id"], parts, active):
            continue
        entries = []
        for entry in section["entries"]:
            if not _visible("entries", entry["id"], parts, active):
                continue
            overrides = [p["prices"].get(str(entry["id"]), {}) for p in on]
            prices = dict(entry["prices"])
            for size in prices:
                offered = [o[size] for o in overrides if size in o]
                if offered:
                    # Two active day-parts pricing one size: the lower price shows.
                    prices[size] = min(offered)
            if prices != entry["prices"]:
                entry = {**entry, "prices": prices, "usual_prices": entry["prices"]}
            entries.append(entry)
        sections.append({**section, "entries": entries})
    return {**board, "sections": sections, "schedule": schedule}


def period(board: Board, at: datetime) -> tuple[str, datetime | None]:
    """Which stretch of the schedule `at` falls in, and when it ends: a key that is the same
    for every instant that shows the same board ('' without day-parts), for caches and ETags."""
    return stretch_of(effective(board, at) if board.get("dayparts") else board)


def stretch_of(shown: Board) -> tuple[str, datetime | None]:
    """The stretch (and its end) of a board `effective` made; ('', None) without day-parts."""
    schedule = shown.get("schedule")
    if not shown.get("dayparts") or not schedule:
        return "", None
    ends = schedule["next_change_at"]
    active = ",".join(str(part["id"]) for part in schedule["current"])
    return f"{active}@{ends or ''}", datetime.fromisoformat(ends) if ends else None


def period_end(period: str) -> datetime | None:
    """When the stretch a `period` key names ends (None: no day-parts, or no change ahead)."""
    ends = period.rpartition("@")[2]
    return datetime.fromisoformat(ends) if ends else None


def public_schedule(board: Board) -> dict[str, Any]:
    """What the public sees of a board's schedule: day-part names and the next change."""
    schedule = board.get("schedule") or {}
    return {
        "current": [part["name"] for part in schedule.get("current", [])],
        "next_change_at": schedule.get("next_change_at"),
        "next_label": schedule.get("next_label"),
    }


class Stretches:
    """Per key (a menu's version), the schedule's current stretch (`period`) and its end,
    so a cache keyed by the stretch works it out once per stretch, not once per request.
    Bounded: the oldest keys are forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._known: OrderedDict[Hashable, tuple[str, datetime | None]] = OrderedDict()

    def current(self, key: Hashable, now: datetime) -> str | None:
        """The stretch `now` is in, or None when not known (or it has ended): call `learn`."""
        known = self._known.get(key)
        if known is None or (known[1] is not None and now >= known[1]):
            return None
        return known[0]

    def learn(self, key: Hashable, board: Board, now: datetime) -> str:
        return self.record(key, period(board, now))

    def record(self, key: Hashable, found: tuple[str, datetime | None]) -> str:
        """Remember a stretch already worked out (`stretch_of` a board `effective` made)."""
        self._known[key] = found
        self._known.move_to_end(key)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return found[0]
