"""What a menu shows right now, told to staff in the editor and on the menus page: which
day-parts are on, the next change, and the prices a day-part puts on TVs in place of the
usual ones. Worked out by the schedules domain (`schedules/effective.py`), as for TVs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalkboard.menus.board import Board
from chalkboard.schedules.clock import staff_time
from chalkboard.schedules.effective import effective


def showing_now(board: Board, now: datetime) -> dict[str, Any] | None:
    """`{line, now_prices, hidden_now}` for a board with day-parts, else None: a line such as
    "Happy hour on now, until 18:00", the prices (by entry id) a day-part shows instead of
    the usual ones, and the entries no screen shows now."""
    rules = board.get("dayparts")
    if not rules:
        return None
    shown = effective(board, now)
    schedule = shown["schedule"]
    names = ", ".join(part["name"] for part in schedule["current"])
    when = staff_time(schedule["next_change_at"], ZoneInfo(rules["timezone"]), now)
    label = schedule["next_label"] or ""
    if not names:
        line = f"Usual menu now · next change at {when} ({label})" if when else "Usual menu now"
    elif label == f"End of {names}":
        line = f"{names} on now, until {when}"
    else:
        line = f"{names} on now" + (f" · next change at {when} ({label})" if when else "")
    entries = [e for section in shown["sections"] for e in section["entries"]]
    everything = [e["id"] for section in board["sections"] for e in section["entries"]]
    visible = {e["id"] for e in entries}
    return {
        "line": line,
        "names": names,
        "now_prices": {e["id"]: e["prices"] for e in entries if "usual_prices" in e},
        "hidden_now": {entry_id for entry_id in everything if entry_id not in visible},
    }
