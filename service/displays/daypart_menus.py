"""Which menu a display shows, by day-part ("the lunch menu on the food TV 11-15").

A display has its usual menu (`displays.menu_id`) and, in order, rules "during <day-part>
show <menu>" (`display_daypart_menus`). At an instant it shows the menu of the first rule
whose day-part is on (the venue's clock, `schedules/clock.py`), else its usual menu. Pure
functions: the live hub resolves each display when it reads it (`queries.showing_from`),
and is woken at the next switch (`schedules/boundaries.py`) to read it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalkboard.schedules.clock import DayPart, active_at, changes
from chalkboard.schedules.forms import window_of

# Day-part changes looked through for the next switch of menu; past them the hub looks again.
LOOK_AHEAD = 16


@dataclass(frozen=True)
class MenuRule:
    """During `daypart_id` the display shows `menu_id` (at `version` when read)."""

    daypart_id: int
    daypart: str
    menu_id: int
    menu: str
    version: int
    windows: list[dict[str, Any]]


@dataclass(frozen=True)
class Switch:
    """At `at` the display goes to `menu_id` (`rule` None: its usual menu). When no switch
    is in sight, the last change looked at, with the same menu: a time to look again."""

    at: datetime
    menu_id: int | None
    rule: MenuRule | None


def rules_from(rows: Sequence[dict[str, Any]]) -> list[MenuRule]:
    return [MenuRule(**row) for row in rows]


def _parts(rules: Sequence[MenuRule]) -> list[DayPart]:
    return [
        DayPart(rule.daypart_id, rule.daypart, tuple(window_of(w) for w in rule.windows))
        for rule in rules
    ]


def rule_during(rules: Sequence[MenuRule], active: frozenset[int]) -> MenuRule | None:
    """The rule in force while exactly the day-parts `active` are on (a preview picks one)."""
    return next((rule for rule in rules if rule.daypart_id in active), None)


def rule_at(rules: Sequence[MenuRule], tz: ZoneInfo, at: datetime) -> MenuRule | None:
    """The rule in force at `at` (None: the display shows its usual menu)."""
    if not rules:
        return None
    return rule_during(rules, active_at(_parts(rules), tz, at))


def next_switch(
    rules: Sequence[MenuRule], usual_menu_id: int | None, tz: ZoneInfo, at: datetime
) -> Switch | None:
    """When, after `at`, the display next shows another menu (None: never, no rules)."""
    if not rules:
        return None
    now = rule_at(rules, tz, at)
    shown = now.menu_id if now else usual_menu_id
    found = changes(_parts(rules), tz, at, limit=LOOK_AHEAD)
    for change in found:
        rule = rule_during(rules, change.active)
        menu_id = rule.menu_id if rule else usual_menu_id
        if menu_id != shown:
            return Switch(change.at, menu_id, rule)
    return Switch(found[-1].at, shown, now) if found else None
