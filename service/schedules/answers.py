"""What the schedules API answers, for its OpenAPI description (and the tests' checks)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from chalkboard.schedules.forms import EntryEffect, SectionEffect, WindowIn


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DayPartRules(Answer):
    id: int
    name: str
    windows: list[WindowIn]
    prices: dict[str, dict[str, int]] = Field(
        description="Entry id -> serving size id -> price (minor units) while it is active."
    )
    entries: dict[str, str] = Field(description="Entry id -> 'only' or 'hidden'.")
    sections: dict[str, str] = Field(description="Section id -> 'only' or 'hidden'.")


class ScheduleRules(Answer):
    """The venue's day-parts and their effects on this menu: what a screen needs to show the
    board at any instant by itself."""

    timezone: str
    parts: list[DayPartRules]


class Current(Answer):
    id: int
    name: str


class Upcoming(Answer):
    at: datetime
    current: list[int] = Field(description="The day-parts active from `at` (ids).")


class Schedule(Answer):
    """The board's day-parts at the instant it was shown, and when that changes next."""

    current: list[Current]
    next_change_at: datetime | None
    next_label: str | None = Field(description='"Happy hour", or "End of Happy hour".')
    upcoming: list[Upcoming]


class DayPart(Answer):
    id: int
    name: str
    windows: list[WindowIn]
    entries: list[EntryEffect]
    sections: list[SectionEffect]


class DayPartList(Answer):
    dayparts: list[DayPart]


class PlannedChange(Answer):
    id: int
    menu_id: int
    run_at: datetime
    change: dict[str, object] = Field(
        description='{"entry_id": 12, "patch": {...}} or {"rename": "Summer menu"}.'
    )
    planned_by: str
    state: str = Field(description="pending, done or failed.")
    applied_version: int | None
    outcome: str = Field(description="What it did, or why it could not be applied.")
    applied_at: datetime | None


class PlannedChangeList(Answer):
    planned_changes: list[PlannedChange]
