"""The TV's day-part switch (tv-client/schedule.js, run in node) shows, from one board
message, the same board the server's `effective` makes at every later change."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalkboard.live.boards import Boards
from chalkboard.schedules.effective import effective
from chalkboard.venues.queries import Venue

HARNESS = Path(__file__).parent / "js" / "board_at.js"
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VENUE = Venue(1, "test-taproom", "The Test Taproom", "Europe/London", "GBP", "ml")


def window(days: list[str], start: str, end: str) -> dict[str, Any]:
    return {"days": days, "start": start, "end": end, "overnight": end <= start}


def entry(n: int) -> dict[str, Any]:
    return {"id": n, "status": "on_tap", "prices": {"1": 400 + n, "2": 600 + n}}


def stored_board() -> dict[str, Any]:
    """Three sections; a happy hour that reprices and hides, a late night across midnight
    that overlaps it (the lower price wins), a weekend brunch with its own section and an
    entry shown only then."""
    happy = {
        "id": 1,
        "name": "Happy hour",
        "windows": [window(EVERY_DAY[:5], "16:00", "18:00")],
        "prices": {"1": {"1": 300, "2": 450}, "2": {"2": 500}, "7": {"1": 250}},
        "entries": {"3": "hidden"},
        "sections": {},
    }
    late = {
        "id": 2,
        "name": "Late",
        "windows": [window(EVERY_DAY, "17:30", "01:00")],
        "prices": {"1": {"1": 280}, "2": {"1": 999}},
        "entries": {},
        "sections": {"20": "hidden"},
    }
    brunch = {
        "id": 3,
        "name": "Brunch",
        "windows": [window(["sat", "sun"], "10:00", "14:00")],
        "prices": {},
        "entries": {"4": "only", "6": "only"},
        "sections": {"30": "only"},
    }
    return {
        "menu": {"id": 9, "name": "Bar", "version": 4},
        "sizes": [{"id": 1, "name": "Half"}, {"id": 2, "name": "Pint"}],
        "sections": [
            {"id": 10, "name": "Taps", "entries": [entry(n) for n in (1, 2, 3, 4)]},
            {"id": 20, "name": "Cans", "entries": [entry(n) for n in (5, 6)]},
            {"id": 30, "name": "Brunch", "entries": [entry(7), entry(8)]},
        ],
        "dayparts": {"timezone": "Europe/London", "parts": [happy, late, brunch]},
    }


def board_at_in_node(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the TV's scripts (apt-get install nodejs)")
    done = subprocess.run(
        [node, str(HARNESS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def test_the_tv_shows_what_the_server_would_at_every_change_from_one_message() -> None:
    """From the message built at one instant, the TV's board just before and at each of the
    next changes equals `effective` then: prices, usual prices, hidden and only-shown
    entries and sections, in their order. Across a week, including the clocks going back."""
    stored = stored_board()
    cases, expected = [], []
    start = datetime(2026, 10, 21, 9, 17, tzinfo=UTC)  # a week around London's DST end
    for hours in range(0, 7 * 24, 7):
        built_at = start + timedelta(hours=hours)
        message = json.loads(Boards._build(stored, effective(stored, built_at), VENUE).text)
        upcoming = [
            datetime.fromisoformat(c["at"]) for c in message["board"]["schedule"]["upcoming"]
        ]
        assert upcoming, "every instant has changes ahead"
        for at in [built_at, *(a - timedelta(milliseconds=1) for a in upcoming), *upcoming]:
            cases.append(
                {"board": message["board"], "hidden_now": message.get("hidden_now"), "at": ms(at)}
            )
            expected.append(effective(stored, at))
    shown = board_at_in_node(cases)
    for case, got, want in zip(cases, shown, expected, strict=True):
        when = datetime.fromtimestamp(case["at"] / 1000, UTC).isoformat()
        assert got["sections"] == json.loads(json.dumps(want["sections"])), when
        assert [p["id"] for p in got["schedule"]["current"]] == [
            p["id"] for p in want["schedule"]["current"]
        ], when
    assert len(cases) > 300


def test_hidden_now_says_what_the_stretch_leaves_out_and_where_it_goes() -> None:
    """On a weekday afternoon in happy hour the message lists the brunch section and the
    entries hidden now, each with its index in the stored board; nothing when none is."""
    stored = stored_board()
    happy_hour = datetime(2026, 10, 21, 15, 30, tzinfo=UTC)  # Wednesday 16:30 in London
    message = json.loads(Boards._build(stored, effective(stored, happy_hour), VENUE).text)
    held = message["hidden_now"]
    assert [(s["index"], s["section"]["id"]) for s in held["sections"]] == [(2, 30)]
    assert held["sections"][0]["section"]["entries"] == stored["sections"][2]["entries"]
    assert {k: [(e["index"], e["entry"]["id"]) for e in v] for k, v in held["entries"].items()} == {
        "10": [(2, 3), (3, 4)],
        "20": [(1, 6)],
    }
    plain = {**stored, "dayparts": None}
    message = json.loads(Boards._build(plain, effective(plain, happy_hour), VENUE).text)
    assert "hidden_now" not in message
