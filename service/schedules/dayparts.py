"""Saving and deleting day-parts: checked against the venue's menus, then every menu gets a
new version (its board carries the day-parts), so TVs and embeds pick the change up."""

from __future__ import annotations

from chalkboard.db import Conn
from chalkboard.displays import queries as displays
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import Invalid
from chalkboard.schedules import queries
from chalkboard.schedules.forms import DayPartIn
from chalkboard.schedules.queries import DayPartRow
from chalkboard.schedules.sizes import size_errors


async def _check(conn: Conn, venue_id: int, form: DayPartIn, other_than: int | None) -> None:
    """Ids another venue owns (or nobody) are a 404; fixable input is a 422 per field."""
    errors = await size_errors(
        conn,
        venue_id,
        {f"entries.{i}.prices": (e.entry_id, e.prices) for i, e in enumerate(form.entries)},
        usual_only=True,
    )
    section_ids = [s.section_id for s in form.sections]
    found = await queries.existing_sections(conn, venue_id=venue_id, section_ids=section_ids)
    unknown = sorted(set(section_ids) - found)
    if unknown:
        raise operations.NotFound(f"No such section in this venue: {unknown}.")
    if await queries.name_taken(conn, venue_id=venue_id, name=form.name, other_than=other_than):
        errors["name"] = f"There is already a day-part called {form.name}: choose another name."
    if errors:
        raise Invalid.fields(errors)


async def _tell_displays(conn: Conn, venue_id: int, display_ids: list[int]) -> None:
    """Displays that show another menu during a day-part look at it again (its windows
    moved, or it is gone: then they show their usual menu)."""
    for display_id in display_ids:
        await displays.notify_display_changed(conn, display_id=display_id, event="updated")


async def _touch_menus(conn: Conn, venue_id: int, actor: operations.Actor, summary: str) -> None:
    for menu_id in await menus.all_menu_ids(conn, venue_id=venue_id):
        await operations.change_menu(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            based_on=None,
            actor=actor,
            edit=_summary(summary),
        )


def _summary(text: str) -> operations.Edit:
    async def edit() -> str:
        return text

    return edit


async def save_daypart(
    conn: Conn,
    *,
    venue_id: int,
    daypart_id: int | None,
    form: DayPartIn,
    actor: operations.Actor,
) -> DayPartRow:
    """Create (`daypart_id` None) or replace a day-part with its windows and effects."""
    if daypart_id is not None and (
        await queries.get_daypart(conn, venue_id=venue_id, daypart_id=daypart_id) is None
    ):
        raise operations.NotFound("No such day-part in this venue.")
    await _check(conn, venue_id, form, daypart_id)
    windows = [w.model_dump() for w in form.windows]
    if daypart_id is None:
        daypart_id = await queries.create_daypart(
            conn, venue_id=venue_id, name=form.name, windows=windows
        )
        summary = f"Added day-part {form.name}"
    else:
        await queries.update_daypart(
            conn, venue_id=venue_id, daypart_id=daypart_id, name=form.name, windows=windows
        )
        summary = f"Changed day-part {form.name}"
    await queries.replace_effects(
        conn,
        venue_id=venue_id,
        daypart_id=daypart_id,
        prices=[
            (e.entry_id, size, price) for e in form.entries for size, price in e.prices.items()
        ],
        entries={e.entry_id: e.shows for e in form.entries if e.shows is not None},
        sections={s.section_id: s.shows for s in form.sections},
    )
    await _touch_menus(conn, venue_id, actor, summary)
    await _tell_displays(
        conn,
        venue_id,
        await displays.displays_on_daypart(conn, venue_id=venue_id, daypart_id=daypart_id),
    )
    saved = await queries.get_daypart(conn, venue_id=venue_id, daypart_id=daypart_id)
    assert saved is not None
    return saved


async def delete_daypart(
    conn: Conn, *, venue_id: int, daypart_id: int, actor: operations.Actor
) -> None:
    found = await queries.get_daypart(conn, venue_id=venue_id, daypart_id=daypart_id)
    showing = await displays.displays_on_daypart(conn, venue_id=venue_id, daypart_id=daypart_id)
    if found is None or not await queries.delete_daypart(
        conn, venue_id=venue_id, daypart_id=daypart_id
    ):
        raise operations.NotFound("No such day-part in this venue.")
    await _touch_menus(conn, venue_id, actor, f"Removed day-part {found.name}")
    await _tell_displays(conn, venue_id, showing)


async def shown_as(conn: Conn, *, venue_id: int, daypart_id: int | None) -> frozenset[int] | None:
    """The day-parts a preview "as <day-part> shows it" takes as on: exactly the one picked
    (`effective(..., as_if=)`); None, when none is picked: as now. Another venue's is a 404."""
    if daypart_id is None:
        return None
    if await queries.get_daypart(conn, venue_id=venue_id, daypart_id=daypart_id) is None:
        raise operations.NotFound("No such day-part in this venue.")
    return frozenset({daypart_id})
