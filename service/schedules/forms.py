"""What valid day-parts and planned changes look like (the JSON API and the editor alike).

Checks that need the database (ids in the venue, an entry's priced sizes) are in
`schedules.service`; everything that can be told from the input alone is here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from chalkboard.http.forms import FormErrors, field_message, text
from chalkboard.menus.forms import EntryPatchFields, Id, Name, Price, Strict, unsent
from chalkboard.schedules.clock import Window, overlapping

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Shows = Literal["only", "hidden"]
CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _clock(value: str) -> str:
    if CLOCK.fullmatch(value) is None:
        raise ValueError("Give a time of day as HH:MM on a 24-hour clock, like 16:00.")
    return value


ClockTime = Annotated[str, AfterValidator(_clock)]


class WindowIn(Strict):
    """Weekly: from `start` to `end` on each of `days`; `overnight` when it ends the next
    day (22:00 to 02:00)."""

    days: Annotated[list[Day], Field(min_length=1, max_length=7)]
    start: ClockTime
    end: ClockTime
    overnight: bool = False

    @field_validator("days")
    @classmethod
    def _distinct(cls, days: list[Day]) -> list[Day]:
        if len(set(days)) != len(days):
            raise ValueError("Name each day once.")
        return sorted(days, key=DAYS.index)

    @model_validator(mode="after")
    def _ends_after_start(self) -> WindowIn:
        if self.start == self.end:
            raise ValueError("The end is the same as the start: a window needs some length.")
        if not self.overnight and self.end < self.start:
            raise ValueError(
                f"The end ({self.end}) is before the start ({self.start}). For a window that"
                " runs past midnight, set overnight to true."
            )
        if self.overnight and self.end > self.start:
            raise ValueError(
                f"An overnight window ends the next day, at or before its start ({self.start});"
                f" {self.end} is after it. Set overnight to false."
            )
        return self

    def window(self) -> Window:
        return window_of(self.model_dump())


def window_of(stored: dict[str, Any]) -> Window:
    """A stored (or validated) window as the clock reads it."""
    return Window(
        days=frozenset(DAYS.index(day) + 1 for day in stored["days"]),
        start=time.fromisoformat(stored["start"]),
        end=time.fromisoformat(stored["end"]),
    )


class EntryEffect(Strict):
    """What a day-part changes about one entry: its price for some serving sizes, and/or
    whether it shows only during the day-part or is hidden during it."""

    entry_id: Id
    prices: Annotated[dict[Id, Price], Field(max_length=20, default_factory=dict)]
    shows: Shows | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> EntryEffect:
        if not self.prices and self.shows is None:
            raise ValueError("Give prices, or shows (only or hidden), or leave this entry out.")
        return self


class SectionEffect(Strict):
    section_id: Id
    shows: Shows


class DayPartIn(Strict):
    name: Annotated[str, text(40, 1)]
    windows: Annotated[list[WindowIn], Field(min_length=1, max_length=14)]
    entries: Annotated[list[EntryEffect], Field(max_length=500, default_factory=list)]
    sections: Annotated[list[SectionEffect], Field(max_length=100, default_factory=list)]

    @field_validator("windows")
    @classmethod
    def _no_overlap(cls, windows: list[WindowIn]) -> list[WindowIn]:
        clash = overlapping(w.window() for w in windows)
        if clash is not None:
            first, second = clash
            raise ValueError(
                f"Windows {first + 1} and {second + 1} overlap; one day-part cannot be on twice"
                " at once. Join them into one window or move one."
            )
        return windows

    @field_validator("entries")
    @classmethod
    def _entries_once(cls, entries: list[EntryEffect]) -> list[EntryEffect]:
        if len({e.entry_id for e in entries}) != len(entries):
            raise ValueError("Name each entry once.")
        return entries

    @field_validator("sections")
    @classmethod
    def _sections_once(cls, sections: list[SectionEffect]) -> list[SectionEffect]:
        if len({s.section_id for s in sections}) != len(sections):
            raise ValueError("Name each section once.")
        return sections


class PlannedPatch(EntryPatchFields):
    """An entry's fields as PATCH /entries/{id} takes them, except `prices`: only the sizes
    named change (the others keep the price they have when the change runs), and a size
    sent as null loses its price."""

    prices: Annotated[
        dict[Id, Price | None],
        Field(
            max_length=50,
            description="Serving size id to its new price in minor units, or null to remove"
            " that size's price; sizes left out keep their price as it is when the change runs.",
        ),
    ] = unsent()


class PlannedIn(Strict):
    """A change to make at `run_at` (with its UTC offset, e.g. 2026-03-01T17:00:00-05:00):
    either `entry_id` with `patch` (an entry's fields as PATCH /entries/{id} takes them;
    its `prices` name only the sizes that change), or `rename` (the menu's new name)."""

    run_at: datetime
    entry_id: Id | None = None
    patch: PlannedPatch | None = None
    rename: Name | None = None

    @field_validator("run_at")
    @classmethod
    def _aware_and_ahead(cls, run_at: datetime) -> datetime:
        if run_at.tzinfo is None:
            raise ValueError("Give the time with its UTC offset, like 2026-03-01T17:00:00-05:00.")
        if run_at <= datetime.now(UTC):
            raise ValueError("This time has passed: plan the change for a time still ahead.")
        return run_at

    @model_validator(mode="after")
    def _one_change(self) -> PlannedIn:
        entry = self.entry_id is not None or self.patch is not None
        if entry == (self.rename is not None):
            raise ValueError("Give either entry_id and patch, or rename.")
        if entry and (self.entry_id is None or not self.patch or not self.patch.model_fields_set):
            raise ValueError("Give both entry_id and patch (the fields to change).")
        return self

    def change(self) -> dict[str, Any]:
        """What is stored and applied later."""
        if self.rename is not None:
            return {"rename": self.rename}
        assert self.patch is not None
        patch = self.patch.model_dump(mode="json", include=self.patch.model_fields_set)
        return {"entry_id": self.entry_id, "patch": patch}


def nested_errors(exc: ValidationError) -> FormErrors:
    """One message per field, named by its full path (`windows.1`, `entries.0.prices`), so
    a person knows which window or entry to fix."""
    errors = FormErrors()
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "__all__"
        errors.setdefault(field, field_message(error))
    return errors
