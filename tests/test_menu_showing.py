"""What staff read about a menu's day-parts right now (menus/views/showing.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalkboard.menus.views.showing import showing_now

SAT_1500_LONDON = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # GMT in November


def board(*windows: tuple[str, str, str]) -> dict[str, Any]:
    """A one-entry board whose day-parts are (name, start, end) every day; each prices the
    entry's size 7 at 400 and hides nothing."""
    parts = [
        {
            "id": i + 1, "name": name, "prices": {"11": {"7": 400}}, "entries": {},
            "sections": {},
            "windows": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                         "start": start, "end": end}],
        }
        for i, (name, start, end) in enumerate(windows)
    ]  # fmt: skip
    return {
        "sections": [{"id": 3, "entries": [{"id": 11, "prices": {"7": 550}}]}],
        "dayparts": {"timezone": "Europe/London", "parts": parts} if parts else None,
    }


def test_no_day_parts_says_nothing() -> None:
    """A venue without day-parts gets no line at all."""
    assert showing_now(board(), SAT_1500_LONDON) is None


def test_before_a_happy_hour_staff_read_the_next_change() -> None:
    """Before it starts: the usual menu, the next change and its name; no prices swapped."""
    shown = showing_now(board(("Happy hour", "16:00", "18:00")), SAT_1500_LONDON)
    assert shown is not None
    assert shown["line"] == "Usual menu now · next change at 16:00 (Happy hour)"
    assert shown["now_prices"] == {}


def test_during_a_happy_hour_staff_read_until_when_and_its_prices() -> None:
    """While it is on: its name, until when, and the price it shows in place of the usual."""
    shown = showing_now(board(("Happy hour", "14:00", "18:00")), SAT_1500_LONDON)
    assert shown is not None
    assert shown["line"] == "Happy hour on now, until 18:00"
    assert shown["now_prices"] == {11: {"7": 400}}


def test_when_another_day_part_starts_next_it_is_named() -> None:
    """Brunch on, Happy hour starting before brunch ends: the next change names Happy hour."""
    shown = showing_now(
        board(("Brunch", "11:00", "17:00"), ("Happy hour", "16:00", "18:00")), SAT_1500_LONDON
    )
    assert shown is not None
    assert shown["line"] == "Brunch on now · next change at 16:00 (Happy hour)"


def test_an_entry_a_day_part_hides_is_not_showing_now() -> None:
    """An entry hidden during the day-part that is on is listed as not showing now."""
    hidden = board(("Brunch", "11:00", "17:00"))
    hidden["dayparts"]["parts"][0]["entries"] = {"11": "hidden"}
    shown = showing_now(hidden, SAT_1500_LONDON)
    assert shown is not None
    assert shown["hidden_now"] == {11}
    shown = showing_now(board(("Brunch", "11:00", "17:00")), SAT_1500_LONDON)
    assert shown is not None
    assert shown["hidden_now"] == set()
