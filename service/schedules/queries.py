"""All SQL for day-parts and planned changes. Every query takes venue_id, except the
runner's claim, which takes whichever venue's change is due first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalkboard.db import Conn, fetch_one

# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPartRow:
    id: int
    name: str
    windows: list[dict[str, Any]]
    # entry id -> {size id -> price}; entry id -> 'only' | 'hidden'; section id -> ditto
    prices: dict[int, dict[int, int]]
    entries: dict[int, str]
    sections: dict[int, str]


@dataclass(frozen=True)
class Planned:
    id: int
    venue_id: int
    menu_id: int
    run_at: datetime
    change: dict[str, Any]
    planned_by: str
    actor_user_id: int | None
    actor_token_id: int | None
    state: str
    applied_version: int | None
    outcome: str
    applied_at: datetime | None


@dataclass(frozen=True)
class EntrySizes:
    """An entry's serving sizes: those it has a price for, and those its section prices by."""

    beverage: str
    section: str
    priced: frozenset[int]
    usable: frozenset[int]


def _int_keys(mapping: dict[str, Any]) -> dict[int, Any]:
    return {int(key): value for key, value in mapping.items()}


def _daypart(row: Any) -> DayPartRow:
    return DayPartRow(
        id=row["id"],
        name=row["name"],
        windows=row["windows"],
        prices={int(k): _int_keys(v) for k, v in row["prices"].items()},
        entries=_int_keys(row["entries"]),
        sections=_int_keys(row["sections"]),
    )


# --- day-parts -----------------------------------------------------------------------------

# Effects are limited to one menu's entries and sections when $2 is set (a board's rules).
DAYPARTS = """
SELECT d.id, d.name, d.windows,
  coalesce((
    SELECT jsonb_object_agg(x.entry_id::text, x.prices) FROM (
      SELECT p.entry_id, jsonb_object_agg(p.serving_size_id::text, p.price_minor) AS prices
      FROM daypart_prices p
      JOIN menu_entries e ON e.venue_id = p.venue_id AND e.id = p.entry_id
      JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
      WHERE p.daypart_id = d.id AND ($2::bigint IS NULL OR s.menu_id = $2)
      GROUP BY p.entry_id
    ) x
  ), '{}') AS prices,
  coalesce((
    SELECT jsonb_object_agg(v.entry_id::text, v.shows)
    FROM daypart_visibility v
    JOIN menu_entries e ON e.venue_id = v.venue_id AND e.id = v.entry_id
    JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
    WHERE v.daypart_id = d.id AND ($2::bigint IS NULL OR s.menu_id = $2)
  ), '{}') AS entries,
  coalesce((
    SELECT jsonb_object_agg(v.section_id::text, v.shows)
    FROM daypart_visibility v
    JOIN menu_sections s ON s.venue_id = v.venue_id AND s.id = v.section_id
    WHERE v.daypart_id = d.id AND ($2::bigint IS NULL OR s.menu_id = $2)
  ), '{}') AS sections
FROM dayparts d
WHERE d.venue_id = $1 AND ($3::bigint IS NULL OR d.id = $3)
ORDER BY d.id
"""


async def list_dayparts(
    conn: Conn, *, venue_id: int, menu_id: int | None = None
) -> list[DayPartRow]:
    """The venue's day-parts; with `menu_id`, only their effects on that menu."""
    return [_daypart(r) for r in await conn.fetch(DAYPARTS, venue_id, menu_id, None)]


async def get_daypart(conn: Conn, *, venue_id: int, daypart_id: int) -> DayPartRow | None:
    row = await conn.fetchrow(DAYPARTS, venue_id, None, daypart_id)
    return None if row is None else _daypart(row)


async def venue_timezone(conn: Conn, *, venue_id: int) -> str:
    timezone: str = await conn.fetchval("SELECT timezone FROM venues WHERE id = $1", venue_id)
    return timezone


async def name_taken(conn: Conn, *, venue_id: int, name: str, other_than: int | None) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM dayparts WHERE venue_id = $1 AND lower(name) = lower($2)"
        " AND id IS DISTINCT FROM $3)",
        venue_id,
        name,
        other_than,
    )
    return found


async def create_daypart(
    conn: Conn, *, venue_id: int, name: str, windows: list[dict[str, Any]]
) -> int:
    row = await fetch_one(
        conn,
        "INSERT INTO dayparts (venue_id, name, windows) VALUES ($1, $2, $3) RETURNING id",
        venue_id,
        name,
        windows,
    )
    daypart_id: int = row["id"]
    return daypart_id


async def update_daypart(
    conn: Conn, *, venue_id: int, daypart_id: int, name: str, windows: list[dict[str, Any]]
) -> bool:
    status = await conn.execute(
        "UPDATE dayparts SET name = $3, windows = $4, updated_at = now()"
        " WHERE venue_id = $1 AND id = $2",
        venue_id,
        daypart_id,
        name,
        windows,
    )
    return bool(status == "UPDATE 1")


async def delete_daypart(conn: Conn, *, venue_id: int, daypart_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM dayparts WHERE venue_id = $1 AND id = $2", venue_id, daypart_id
    )
    return bool(status == "DELETE 1")


async def replace_effects(
    conn: Conn,
    *,
    venue_id: int,
    daypart_id: int,
    prices: list[tuple[int, int, int]],
    entries: dict[int, str],
    sections: dict[int, str],
) -> None:
    """Set what the day-part changes: (entry, size, price) overrides and who shows when."""
    await conn.execute(
        "DELETE FROM daypart_prices WHERE venue_id = $1 AND daypart_id = $2", venue_id, daypart_id
    )
    await conn.execute(
        "DELETE FROM daypart_visibility WHERE venue_id = $1 AND daypart_id = $2",
        venue_id,
        daypart_id,
    )
    await conn.executemany(
        "INSERT INTO daypart_prices (venue_id, daypart_id, entry_id, serving_size_id,"
        " price_minor) VALUES ($1, $2, $3, $4, $5)",
        [(venue_id, daypart_id, *price) for price in prices],
    )
    await conn.executemany(
        "INSERT INTO daypart_visibility (venue_id, daypart_id, section_id, entry_id, shows)"
        " VALUES ($1, $2, $3, $4, $5)",
        [(venue_id, daypart_id, None, entry, shows) for entry, shows in entries.items()]
        + [(venue_id, daypart_id, section, None, shows) for section, shows in sections.items()],
    )


# A section with its own sizes prices by those; otherwise by all of the venue's.
ENTRY_SIZES = """
SELECT e.id, b.name AS beverage, s.name AS section,
       ARRAY(SELECT p.serving_size_id FROM entry_prices p
             WHERE p.venue_id = $1 AND p.entry_id = e.id) AS priced,
       CASE WHEN s.own_sizes
            THEN ARRAY(SELECT ss.serving_size_id FROM section_sizes ss
                       WHERE ss.venue_id = $1 AND ss.section_id = s.id)
            ELSE ARRAY(SELECT z.id FROM serving_sizes z WHERE z.venue_id = $1)
       END AS usable
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
JOIN beverages b ON b.venue_id = e.venue_id AND b.id = e.beverage_id
WHERE e.venue_id = $1 AND e.id = ANY($2::bigint[])
"""


async def entry_sizes(conn: Conn, *, venue_id: int, entry_ids: list[int]) -> dict[int, EntrySizes]:
    """For each of these entries that is in the venue: its priced and usable serving sizes."""
    rows = await conn.fetch(ENTRY_SIZES, venue_id, entry_ids)
    return {
        r["id"]: EntrySizes(
            r["beverage"], r["section"], frozenset(r["priced"]), frozenset(r["usable"])
        )
        for r in rows
    }


async def existing_sections(conn: Conn, *, venue_id: int, section_ids: list[int]) -> set[int]:
    rows = await conn.fetch(
        "SELECT id FROM menu_sections WHERE venue_id = $1 AND id = ANY($2::bigint[])",
        venue_id,
        section_ids,
    )
    return {r["id"] for r in rows}


# --- planned changes -----------------------------------------------------------------------

PLANNED_COLUMNS = (
    "id, venue_id, menu_id, run_at, change, planned_by, actor_user_id, actor_token_id, state,"
    " applied_version, outcome, applied_at"
)


def _planned(row: Any) -> Planned:
    return Planned(**dict(row))


async def create_planned(
    conn: Conn,
    *,
    venue_id: int,
    menu_id: int,
    run_at: datetime,
    change: dict[str, Any],
    planned_by: str,
    actor_user_id: int | None,
    actor_token_id: int | None,
) -> Planned:
    row = await fetch_one(
        conn,
        "INSERT INTO planned_changes (venue_id, menu_id, run_at, change, planned_by,"
        " actor_user_id, actor_token_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        f" RETURNING {PLANNED_COLUMNS}",
        venue_id,
        menu_id,
        run_at,
        change,
        planned_by,
        actor_user_id,
        actor_token_id,
    )
    return _planned(row)


async def list_planned(conn: Conn, *, venue_id: int, menu_id: int | None = None) -> list[Planned]:
    """Pending changes first (soonest first), then the latest 50 applied or failed."""
    rows = await conn.fetch(
        f"(SELECT {PLANNED_COLUMNS} FROM planned_changes WHERE venue_id = $1"
        " AND ($2::bigint IS NULL OR menu_id = $2) AND state = 'pending' ORDER BY run_at, id)"
        f" UNION ALL (SELECT {PLANNED_COLUMNS} FROM planned_changes WHERE venue_id = $1"
        " AND ($2::bigint IS NULL OR menu_id = $2) AND state <> 'pending'"
        " ORDER BY applied_at DESC, id DESC LIMIT 50)",
        venue_id,
        menu_id,
    )
    return [_planned(r) for r in rows]


async def get_planned(
    conn: Conn, *, venue_id: int, planned_id: int, lock: bool = False
) -> Planned | None:
    row = await conn.fetchrow(
        f"SELECT {PLANNED_COLUMNS} FROM planned_changes WHERE venue_id = $1 AND id = $2"
        + (" FOR UPDATE" if lock else ""),
        venue_id,
        planned_id,
    )
    return None if row is None else _planned(row)


async def update_planned(
    conn: Conn, *, venue_id: int, planned_id: int, run_at: datetime, change: dict[str, Any]
) -> Planned | None:
    """Change a pending planned change; None when it is not pending (any more)."""
    row = await conn.fetchrow(
        "UPDATE planned_changes SET run_at = $3, change = $4, updated_at = now()"
        " WHERE venue_id = $1 AND id = $2 AND state = 'pending'"
        f" RETURNING {PLANNED_COLUMNS}",
        venue_id,
        planned_id,
        run_at,
        change,
    )
    return None if row is None else _planned(row)


async def cancel_planned(conn: Conn, *, venue_id: int, planned_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM planned_changes WHERE venue_id = $1 AND id = $2 AND state = 'pending'",
        venue_id,
        planned_id,
    )
    return bool(status == "DELETE 1")


async def claim_due(conn: Conn) -> Planned | None:
    """The earliest pending change that is due, locked for this transaction; rows another
    task holds are skipped, so two tasks never apply one change."""
    row = await conn.fetchrow(
        f"SELECT {PLANNED_COLUMNS} FROM planned_changes"
        " WHERE state = 'pending' AND run_at <= now() ORDER BY run_at, id"
        " LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    return None if row is None else _planned(row)


async def next_due_at(conn: Conn) -> datetime | None:
    """When the earliest pending change is due (in the past when one is overdue)."""
    due: datetime | None = await conn.fetchval(
        "SELECT min(run_at) FROM planned_changes WHERE state = 'pending'"
    )
    return due


async def finish_planned(
    conn: Conn, *, venue_id: int, planned_id: int, state: str, version: int | None, outcome: str
) -> None:
    await conn.execute(
        "UPDATE planned_changes SET state = $3, applied_version = $4, outcome = $5,"
        " applied_at = now(), updated_at = now() WHERE venue_id = $1 AND id = $2",
        venue_id,
        planned_id,
        state,
        version,
        outcome[:500],
    )
