"""The schedule maths: active day-parts and next changes, across timezones and DST edges."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalkboard.schedules.clock import (
    HORIZON,
    Change,
    DayPart,
    Window,
    active_at,
    changes,
    next_change,
    overlapping,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))
HAPPY = DayPart(1, "Happy hour", (Window(WEEKDAYS, time(16), time(18)),))
LATE = DayPart(2, "Late", (Window(EVERY_DAY, time(22), time(2)),))
# Zones with DST forwards and backwards, half-hour DST (Lord Howe), DST "in winter"
# (Dublin's negative DST), the southern hemisphere, 45-minute offsets and none at all.
ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "America/Santiago",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "UTC",
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_happy_hour_is_weekday_afternoons_in_the_venues_time() -> None:
    """Happy hour Mon-Fri 16-18 New York time: on at 16:00 EST (21:00 UTC), off at 18:00."""
    friday = utc(2026, 1, 9, 21, 30)  # Friday 16:30 in New York
    assert active_at([HAPPY], NEW_YORK, friday) == {1}
    assert active_at([HAPPY], NEW_YORK, utc(2026, 1, 10, 21, 30)) == set()  # Saturday
    assert next_change([HAPPY], NEW_YORK, friday) == _change(utc(2026, 1, 9, 23), set())
    # After Friday's, the next starts on Monday.
    assert next_change([HAPPY], NEW_YORK, utc(2026, 1, 9, 23)) == _change(utc(2026, 1, 12, 21), {1})


def test_late_crosses_midnight_into_the_next_day() -> None:
    """Late 22:00-02:00 covers Saturday 01:00 (it began Friday night) and ends at 02:00."""
    saturday_1am = utc(2026, 1, 10, 6)  # 01:00 EST
    assert active_at([LATE], NEW_YORK, saturday_1am) == {2}
    assert next_change([LATE], NEW_YORK, saturday_1am) == _change(utc(2026, 1, 10, 7), set())
    sunday_late = DayPart(3, "Sunday late", (Window(frozenset({7}), time(22), time(2)),))
    # Monday 01:00 is still Sunday's late; Sunday 01:00 is not (Saturday has none).
    assert active_at([sunday_late], NEW_YORK, utc(2026, 1, 12, 6)) == {3}
    assert active_at([sunday_late], NEW_YORK, utc(2026, 1, 11, 6)) == set()


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clocks_jump() -> None:
    """8 March 2026, New York skips 02:00-03:00: a 02:30-04:00 window starts at 03:00 EDT."""
    early = DayPart(4, "Early", (Window(frozenset({7}), time(2, 30), time(4)),))
    jump = utc(2026, 3, 8, 7)  # 02:00 EST becomes 03:00 EDT
    assert next_change([early], NEW_YORK, utc(2026, 3, 8, 5)) == _change(jump, {4})
    assert next_change([early], NEW_YORK, jump) == _change(utc(2026, 3, 8, 8), set())
    # And it ends when the clocks jump, if that is where its end falls.
    until = DayPart(5, "Until 02:30", (Window(frozenset({7}), time(1), time(2, 30)),))
    assert next_change([until], NEW_YORK, utc(2026, 3, 8, 6, 30)) == _change(jump, set())


def test_a_window_spanning_the_repeated_hour_lasts_an_hour_longer() -> None:
    """1 November 2026, New York repeats 01:00-02:00: a 00:00-03:00 window lasts 4 hours, and
    one inside the repeated hour (01:10-01:50) is on twice."""
    night = DayPart(6, "Night", (Window(frozenset({7}), time(0), time(3)),))
    start = next_change([night], NEW_YORK, utc(2026, 11, 1, 3))
    assert start == _change(utc(2026, 11, 1, 4), {6})  # 00:00 EDT
    end = next_change([night], NEW_YORK, start.at)
    assert end == _change(utc(2026, 11, 1, 8), set())  # 03:00 EST: four hours later
    inside = DayPart(7, "Twice", (Window(frozenset({7}), time(1, 10), time(1, 50)),))
    found = changes([inside], NEW_YORK, utc(2026, 11, 1, 4), limit=4)
    assert [c.at for c in found] == [
        utc(2026, 11, 1, 5, 10),  # 01:10 EDT
        utc(2026, 11, 1, 5, 50),
        utc(2026, 11, 1, 6, 10),  # 01:10 EST
        utc(2026, 11, 1, 6, 50),
    ]


def test_venues_in_different_timezones_switch_at_their_own_16_00() -> None:
    """The same happy hour starts five hours apart in London and New York."""
    monday = utc(2026, 1, 12, 12)
    assert next_change([HAPPY], LONDON, monday) == _change(utc(2026, 1, 12, 16), {1})
    assert next_change([HAPPY], NEW_YORK, monday) == _change(utc(2026, 1, 12, 21), {1})
    assert active_at([HAPPY], LONDON, utc(2026, 1, 12, 17)) == {1}
    assert active_at([HAPPY], NEW_YORK, utc(2026, 1, 12, 17)) == set()


def test_overlapping_windows_are_found_across_midnight_and_the_weeks_end() -> None:
    """Windows sharing a minute of the week overlap, including Sunday night into Monday."""
    sunday_night = Window(frozenset({7}), time(23), time(1))
    assert overlapping([sunday_night, Window(frozenset({1}), time(0, 30), time(2))]) == (0, 1)
    assert overlapping([sunday_night, Window(frozenset({1}), time(1), time(2))]) is None
    assert overlapping([Window(WEEKDAYS, time(16), time(18))]) is None
    assert overlapping(
        [Window(WEEKDAYS, time(16), time(18)), Window(frozenset({5}), time(17), time(20))]
    ) == (0, 1)


def test_a_schedule_without_day_parts_never_changes() -> None:
    """No day-parts: nothing is active and there is no next change."""
    assert active_at([], LONDON, utc(2026, 6, 1)) == set()
    assert next_change([], LONDON, utc(2026, 6, 1)) is None


def _change(at: datetime, active: set[int]) -> Change:
    return Change(at, frozenset(active))


# --- properties -----------------------------------------------------------------------------


def _dst_instants() -> st.SearchStrategy[datetime]:
    """Instants within a day of a clock change in 2025-2027, in any of ZONES, or anywhere."""
    edges = []
    for name in ZONES:
        tz = ZoneInfo(name)
        probe = utc(2025, 1, 1)
        while probe < utc(2028, 1, 1):
            nxt = probe + timedelta(hours=1)
            if probe.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
                edges.append(probe)
            probe = nxt
    near = st.sampled_from(edges).flatmap(
        lambda edge: st.integers(-36 * 60, 36 * 60).map(lambda m: edge + timedelta(minutes=m))
    )
    anywhere = st.integers(0, 3 * 365 * 24 * 60).map(
        lambda m: utc(2025, 1, 1) + timedelta(minutes=m)
    )
    seconds = st.integers(0, 59).map(lambda s: timedelta(seconds=s))
    return st.tuples(st.one_of(near, anywhere), seconds).map(lambda pair: pair[0] + pair[1])


_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
_windows = st.builds(Window, st.frozensets(st.integers(1, 7), min_size=1), _times, _times).filter(
    lambda w: w.start != w.end
)
_parts = st.lists(_windows, min_size=1, max_size=3).map(
    lambda windows: [DayPart(i + 1, f"Part {i}", (w,)) for i, w in enumerate(windows)]
)


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), parts=_parts, instant=_dst_instants())
def test_next_change_is_the_first_minute_the_active_set_differs(
    zone: str, parts: list[DayPart], instant: datetime
) -> None:
    """Walking the clock minute by minute finds the same next change as `next_change`."""
    tz = ZoneInfo(zone)
    state = active_at(parts, tz, instant)
    found = next_change(parts, tz, instant)
    # Every window edge and clock change in these zones falls on a whole UTC minute.
    minute = instant.replace(second=0) + timedelta(minutes=1)
    while minute <= instant + HORIZON:
        now = active_at(parts, tz, minute)
        if now != state:
            assert found is not None
            assert found.at == minute
            assert found.active == now
            return
        minute += timedelta(minutes=1)
    assert found is None or found.at > instant + HORIZON


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), parts=_parts, instant=_dst_instants())
def test_changes_alternate_and_hold_between_them(
    zone: str, parts: list[DayPart], instant: datetime
) -> None:
    """Each listed change really changes the active set, which holds until the next one."""
    tz = ZoneInfo(zone)
    state = active_at(parts, tz, instant)
    previous = instant
    for change in changes(parts, tz, instant, limit=6):
        assert change.at > previous
        assert change.active != state
        assert active_at(parts, tz, change.at) == change.active
        assert active_at(parts, tz, change.at - timedelta(seconds=1)) == state
        middle = previous + (change.at - previous) / 2
        assert active_at(parts, tz, middle) == state
        state, previous = change.active, change.at
