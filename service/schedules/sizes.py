"""Which serving sizes a day-part or a planned change may price for an entry: one check for
both, so the API and the Schedules page refuse the same things in the same words."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from chalkboard.db import Conn
from chalkboard.http.forms import FormErrors
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.schedules import queries


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


async def size_errors(
    conn: Conn,
    venue_id: int,
    asked: Mapping[str, tuple[int, Collection[int]]],
    *,
    usual_only: bool,
) -> FormErrors:
    """A message per field (its key in `asked`) whose entry may not be priced in the sizes
    asked for. A day-part (`usual_only`) changes only a price the entry has; a planned change
    may price any size the entry's section prices by (not a glass of a beer). An entry not
    in the venue is a 404."""
    entry_ids = sorted({entry_id for entry_id, _ in asked.values()})
    found = await queries.entry_sizes(conn, venue_id=venue_id, entry_ids=entry_ids)
    unknown = sorted(set(entry_ids) - set(found))
    if unknown:
        raise operations.NotFound(f"No such entry in this venue: {unknown}.")
    names = {size.id: size.name for size in await menus.list_serving_sizes(conn, venue_id=venue_id)}
    errors = FormErrors()
    for field, (entry_id, sizes) in asked.items():
        entry = found[entry_id]
        allowed = entry.priced if usual_only else entry.usable
        refused = [names.get(size, f"serving size {size}") for size in sizes if size not in allowed]
        if not refused:
            continue
        if usual_only:
            errors[field] = (
                f"{entry.beverage} has no usual price for {_listed(refused)}:"
                " a day-part can only change a price it has."
            )
        else:
            usable = [name for size, name in names.items() if size in entry.usable]
            offered = f"its sizes are {_listed(usable)}." if usable else "it has no sizes."
            errors[field] = (
                f"{entry.beverage} is in {entry.section}, which is not priced by"
                f" {_listed(refused)}: {offered}"
            )
    return errors
