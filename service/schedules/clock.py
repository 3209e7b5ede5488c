"""The schedule maths: which day-parts are active at an instant, and when that next changes.

Pure functions over `zoneinfo`; no offsets are computed by hand. The one rule, which also
settles every daylight-saving edge (docs/schedules.md):

    A day-part is active at an instant when the venue's wall clock, at that instant, reads
    a time inside one of its windows (on one of the window's days).

So a window that starts in the hour skipped in spring begins when the clocks jump past its
start; one that spans the hour repeated in autumn lasts an hour longer (the clock reads
those times twice); one inside the repeated hour is active twice. A window whose end is at
or before its start ends on the next day (22:00 to 02:00 is late Friday night into Saturday).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Weekly windows repeat: every change happens within a week and a day of any instant.
HORIZON = timedelta(days=8)
# Steps for finding clock changes; zones change their offset at most once in this long.
_PROBE = timedelta(hours=6)


@dataclass(frozen=True)
class Window:
    """A weekly window: starts at `start` on each of `days` (ISO weekdays, Monday = 1) and
    ends at `end` that day, or the next day when `end <= start`."""

    days: frozenset[int]
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def _on(self, day: date) -> tuple[datetime, datetime]:
        """The window's wall-clock span when it starts on `day`."""
        ends_on = day + timedelta(days=1) if self.crosses_midnight else day
        return datetime.combine(day, self.start), datetime.combine(ends_on, self.end)

    def covers(self, wall: datetime) -> bool:
        """Whether a wall-clock reading (naive, the venue's local time) is inside."""
        for day in (wall.date(), wall.date() - timedelta(days=1)):
            if day.isoweekday() in self.days:
                start, end = self._on(day)
                if start <= wall < end:
                    return True
        return False

    def week_spans(self) -> list[tuple[int, int]]:
        """Minutes of the week [start, end) it covers, Monday 00:00 = 0, split at the week's
        end: for telling whether two windows overlap."""
        week = 7 * 1440
        start_minute = self.start.hour * 60 + self.start.minute
        length = self.end.hour * 60 + self.end.minute - start_minute
        if length <= 0:
            length += 1440
        spans = []
        for day in sorted(self.days):
            begin = (day - 1) * 1440 + start_minute
            spans.append((begin, min(begin + length, week)))
            if begin + length > week:
                spans.append((0, begin + length - week))
        return spans


@dataclass(frozen=True)
class DayPart:
    id: int
    name: str
    windows: tuple[Window, ...]

    def covers(self, wall: datetime) -> bool:
        return any(window.covers(wall) for window in self.windows)


@dataclass(frozen=True)
class Change:
    """At `at` (UTC) the active day-parts become `active` (ids)."""

    at: datetime
    active: frozenset[int]


def overlapping(windows: Iterable[Window]) -> tuple[int, int] | None:
    """The positions of the first two windows that share a minute of the week, if any."""
    spans = [(span, i) for i, window in enumerate(windows) for span in window.week_spans()]
    for a, (span_a, i) in enumerate(spans):
        for span_b, j in spans[a + 1 :]:
            if i != j and span_a[0] < span_b[1] and span_b[0] < span_a[1]:
                return i, j
    return None


def wall_clock(instant: datetime, tz: ZoneInfo) -> datetime:
    """What the venue's clock reads at `instant` (naive local time)."""
    return instant.astimezone(tz).replace(tzinfo=None)


def staff_time(instant: str | None, tz: ZoneInfo, now: datetime) -> str:
    """An instant (ISO 8601) as staff say it: "16:00" today, "Fri 16:00" this week, else the
    date ("" for none)."""
    if instant is None:
        return ""
    local = datetime.fromisoformat(instant).astimezone(tz)
    today = now.astimezone(tz).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if (local.date() - today).days < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%d %b %H:%M}"


def active_at(parts: Iterable[DayPart], tz: ZoneInfo, instant: datetime) -> frozenset[int]:
    """The ids of the day-parts active at `instant` (an aware datetime)."""
    wall = wall_clock(instant, tz)
    return frozenset(part.id for part in parts if part.covers(wall))


def _clock_changes(tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """The instants in (start, end] at which the zone's offset changes (its clocks jump),
    found by asking zoneinfo for the offset and bisecting to the second."""
    probe = start
    while probe < end:
        after = min(probe + _PROBE, end)
        if probe.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            low, high = probe, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            yield high.replace(microsecond=0)
        probe = after


def _candidates(
    parts: Iterable[DayPart], tz: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """Every instant in (start, end] at which the active set may change: each window edge
    as the clock reads it (both readings of a repeated time), and each clock jump (a window
    edge in a skipped hour takes effect there)."""
    found = set(_clock_changes(tz, start, end))
    first = wall_clock(start, tz).date() - timedelta(days=1)
    last = wall_clock(end, tz).date() + timedelta(days=1)
    edges = {(w.start, w.days) for part in parts for w in part.windows}
    edges |= {
        (w.end, frozenset(d % 7 + 1 for d in w.days) if w.crosses_midnight else w.days)
        for part in parts
        for w in part.windows
    }
    day = first
    while day <= last:
        for moment, days in edges:
            if day.isoweekday() in days:
                wall = datetime.combine(day, moment)
                for fold in (0, 1):
                    instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
                    if start < instant <= end:
                        found.add(instant)
        day += timedelta(days=1)
    return sorted(found)


def changes(
    parts: Iterable[DayPart], tz: ZoneInfo, after: datetime, *, limit: int = 8
) -> list[Change]:
    """The next `limit` changes of the active set after `after`, within HORIZON of it (a
    schedule that never changes, e.g. none, has none)."""
    parts = list(parts)
    after = after.astimezone(UTC)
    state = active_at(parts, tz, after)
    found: list[Change] = []
    start = after
    while len(found) < limit:
        end = start + HORIZON
        before = len(found)
        for instant in _candidates(parts, tz, start, end):
            active = active_at(parts, tz, instant)
            if active != state:
                found.append(Change(instant, active))
                state = active
                if len(found) == limit:
                    break
        if len(found) == before:
            break  # a whole horizon without a change: the schedule never changes
        start = end
    return found


def next_change(parts: Iterable[DayPart], tz: ZoneInfo, after: datetime) -> Change | None:
    """The first instant after `after` at which the active day-parts change, or None."""
    found = changes(parts, tz, after, limit=1)
    return found[0] if found else None
