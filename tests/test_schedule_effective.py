"""The board at an instant: day-part prices and who shows, from the rules the board carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalkboard.schedules.effective import effective, period

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
FRIDAY_5PM = datetime(2026, 1, 9, 17, tzinfo=UTC)  # London = UTC in January
FRIDAY_NOON = datetime(2026, 1, 9, 12, tzinfo=UTC)


def part(part_id: int, name: str, start: str, end: str, **effects: Any) -> dict[str, Any]:
    return {
        "id": part_id,
        "name": name,
        "windows": [{"days": WEEKDAYS, "start": start, "end": end, "overnight": False}],
        "prices": effects.get("prices", {}),
        "entries": effects.get("entries", {}),
        "sections": effects.get("sections", {}),
    }


def board(*parts: dict[str, Any]) -> dict[str, Any]:
    entries = [
        {"id": 1, "prices": {"10": 450, "11": 300}},
        {"id": 2, "prices": {"10": 500}},
    ]
    return {
        "menu": {"id": 7, "name": "Bar", "version": 3},
        "sizes": [],
        "sections": [
            {"id": 5, "name": "Taps", "entries": entries},
            {"id": 6, "name": "Brunch", "entries": []},
        ],
        "dayparts": {"timezone": "Europe/London", "parts": list(parts)},
    }


def test_the_lower_of_two_active_day_part_prices_shows_and_the_usual_is_kept() -> None:
    """Two active day-parts pricing one size: the lower shows; `usual_prices` keeps the
    usual ones; a size the day-part does not price keeps its usual price."""
    shown = effective(
        board(
            part(1, "Happy hour", "16:00", "18:00", prices={"1": {"10": 350}}),
            part(2, "Friday deal", "15:00", "19:00", prices={"1": {"10": 300}, "2": {"99": 1}}),
        ),
        FRIDAY_5PM,
    )
    first, second = shown["sections"][0]["entries"]
    assert first["prices"] == {"10": 300, "11": 300}
    assert first["usual_prices"] == {"10": 450, "11": 300}
    assert second["prices"] == {"10": 500}  # size 99 has no usual price: ignored
    assert "usual_prices" not in second
    assert [p["name"] for p in shown["schedule"]["current"]] == ["Happy hour", "Friday deal"]
    assert shown["schedule"]["next_label"] == "End of Happy hour"


def test_hidden_wins_over_only_and_only_needs_its_day_part() -> None:
    """A section 'only' at brunch is gone outside brunch; an entry hidden late is gone while
    late is on, even if another active day-part shows it 'only'."""
    rules = (
        part(1, "Brunch", "10:00", "14:00", sections={"6": "only"}, entries={"2": "only"}),
        part(2, "Late", "11:00", "13:00", entries={"2": "hidden"}),
    )
    at_noon = effective(board(*rules), FRIDAY_NOON)
    assert [s["id"] for s in at_noon["sections"]] == [5, 6]
    assert [e["id"] for e in at_noon["sections"][0]["entries"]] == [1]
    at_five = effective(board(*rules), FRIDAY_5PM)
    assert [s["id"] for s in at_five["sections"]] == [5]
    assert [e["id"] for e in at_five["sections"][0]["entries"]] == [1]
    preview = effective(board(*rules), FRIDAY_5PM, as_if=frozenset({1}))
    assert [e["id"] for e in preview["sections"][0]["entries"]] == [1, 2]


def test_the_stretch_key_changes_exactly_at_a_boundary() -> None:
    """`period` is the same for instants that show the same board and ends at the change."""
    rules = board(part(1, "Happy hour", "16:00", "18:00"))
    noon, noon_until = period(rules, FRIDAY_NOON)
    assert period(rules, datetime(2026, 1, 9, 15, 59, tzinfo=UTC)) == (noon, noon_until)
    assert noon_until == datetime(2026, 1, 9, 16, tzinfo=UTC)
    assert period(rules, datetime(2026, 1, 9, 16, tzinfo=UTC))[0] != noon
    plain = {k: v for k, v in rules.items() if k != "dayparts"}
    assert period(plain, FRIDAY_NOON) == ("", None)
    assert effective(plain, FRIDAY_NOON)["schedule"]["current"] == []
