"""All SQL for beverages, serving sizes, menus and their revisions. Every query takes venue_id.

These functions do one statement each and never commit; `menus.operations` composes them
into changes (lock, check version, edit, bump, snapshot, notify).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from chalkboard.db import Conn, fetch_one

# --- rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServingSize:
    id: int
    name: str
    volume_ml: Decimal | None


@dataclass(frozen=True)
class Beverage:
    id: int
    name: str
    producer: str
    style: str
    kind: str
    abv: Decimal | None
    ibu: int | None
    srm: Decimal | None
    description: str
    tags: list[str]
    version: int
    image_id: int | None = None


@dataclass(frozen=True)
class MenuSummary:
    id: int
    name: str
    version: int


@dataclass(frozen=True)
class Revision:
    version: int
    summary: str
    kind: str
    undone: bool
    actor: str
    created_at: datetime


BEVERAGE_FIELDS = ("name", "producer", "style", "kind", "abv", "ibu", "srm", "description", "tags")
BEVERAGE_COLUMNS = "id, " + ", ".join(BEVERAGE_FIELDS) + ", version, image_id"
ENTRY_FIELDS = (
    "tap_label",
    "status",
    "keg_percent",
    "keg_size_ml",
    "keg_remaining_ml",
    "note",
)


def beverage_from(row: asyncpg.Record | dict[str, Any]) -> Beverage:
    return Beverage(
        row["id"],
        row["name"],
        row["producer"],
        row["style"],
        row["kind"],
        row["abv"],
        row["ibu"],
        row["srm"],
        row["description"],
        list(row["tags"]),
        row["version"],
        row["image_id"],
    )


# --- serving sizes -----------------------------------------------------------------------

INSERT_SERVING_SIZE = """
INSERT INTO serving_sizes (venue_id, name, volume_ml, position)
VALUES ($1, $2, $3, (SELECT count(*) FROM serving_sizes WHERE venue_id = $1))
RETURNING id, name, volume_ml
"""
SELECT_SERVING_SIZES = """
SELECT id, name, volume_ml FROM serving_sizes WHERE venue_id = $1 ORDER BY position
"""
UPDATE_SERVING_SIZE = """
UPDATE serving_sizes SET name = $3, volume_ml = $4 WHERE venue_id = $1 AND id = $2
RETURNING id, name, volume_ml
"""
DELETE_SERVING_SIZE = "DELETE FROM serving_sizes WHERE venue_id = $1 AND id = $2 RETURNING position"
CLOSE_SERVING_SIZE_GAP = """
UPDATE serving_sizes SET position = position - 1 WHERE venue_id = $1 AND position > $2
"""


async def create_serving_size(
    conn: Conn, *, venue_id: int, name: str, volume_ml: Decimal | None
) -> ServingSize:
    row = await fetch_one(conn, INSERT_SERVING_SIZE, venue_id, name, volume_ml)
    return ServingSize(row["id"], row["name"], row["volume_ml"])


async def list_serving_sizes(conn: Conn, *, venue_id: int) -> list[ServingSize]:
    rows = await conn.fetch(SELECT_SERVING_SIZES, venue_id)
    return [ServingSize(r["id"], r["name"], r["volume_ml"]) for r in rows]


async def update_serving_size(
    conn: Conn, *, venue_id: int, size_id: int, name: str, volume_ml: Decimal | None
) -> ServingSize | None:
    row = await conn.fetchrow(UPDATE_SERVING_SIZE, venue_id, size_id, name, volume_ml)
    return ServingSize(row["id"], row["name"], row["volume_ml"]) if row else None


async def delete_serving_size(conn: Conn, *, venue_id: int, size_id: int) -> bool:
    position = await conn.fetchval(DELETE_SERVING_SIZE, venue_id, size_id)
    if position is None:
        return False
    await conn.execute(CLOSE_SERVING_SIZE_GAP, venue_id, position)
    return True


# --- beverages ---------------------------------------------------------------------------

INSERT_BEVERAGE = f"""
INSERT INTO beverages (venue_id, name, producer, style, kind, abv, ibu, srm, description, tags)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING {BEVERAGE_COLUMNS}
"""
SELECT_BEVERAGE = f"SELECT {BEVERAGE_COLUMNS} FROM beverages WHERE venue_id = $1 AND id = $2"
SEARCH_BEVERAGES = f"""
SELECT {BEVERAGE_COLUMNS} FROM beverages
WHERE venue_id = $1
  AND ($2 = '' OR name ILIKE '%' || $2 || '%' OR producer ILIKE '%' || $2 || '%'
       OR style ILIKE '%' || $2 || '%')
ORDER BY lower(name), id
LIMIT $3
"""
SELECT_BEVERAGE_NAMED = f"""
SELECT {BEVERAGE_COLUMNS} FROM beverages WHERE venue_id = $1 AND lower(name) = lower($2)
ORDER BY id LIMIT 1
"""
UPDATE_BEVERAGE = f"""
UPDATE beverages
SET name = $3, producer = $4, style = $5, kind = $6, abv = $7, ibu = $8, srm = $9,
    description = $10, tags = $11, version = version + 1, updated_at = now()
WHERE venue_id = $1 AND id = $2
RETURNING {BEVERAGE_COLUMNS}
"""
LOCK_BEVERAGE_VERSION = "SELECT version FROM beverages WHERE venue_id = $1 AND id = $2 FOR UPDATE"
DELETE_BEVERAGE = "DELETE FROM beverages WHERE venue_id = $1 AND id = $2"
# The image is the venue's own: the composite foreign key refuses any other venue's.
SET_BEVERAGE_IMAGE = f"""
UPDATE beverages SET image_id = $3, version = version + 1, updated_at = now()
WHERE venue_id = $1 AND id = $2
RETURNING {BEVERAGE_COLUMNS}
"""
SELECT_MENUS_LISTING_BEVERAGE = """
SELECT DISTINCT m.id, m.name, m.version, m.position
FROM menus m
JOIN menu_sections s ON s.venue_id = m.venue_id AND s.menu_id = m.id
JOIN menu_entries e ON e.venue_id = s.venue_id AND e.section_id = s.id
WHERE m.venue_id = $1 AND e.beverage_id = $2
ORDER BY m.position, m.id
"""


BEVERAGE_DEFAULTS: dict[str, Any] = {
    "producer": "",
    "style": "",
    "kind": "beer",
    "description": "",
    "tags": [],
}


async def beverage_named(conn: Conn, *, venue_id: int, name: str) -> Beverage | None:
    """The library's beverage of that name (any case), the oldest if there are several."""
    row = await conn.fetchrow(SELECT_BEVERAGE_NAMED, venue_id, name)
    return beverage_from(row) if row else None


async def create_beverage(conn: Conn, *, venue_id: int, **fields: Any) -> Beverage:
    values = [fields.get(name, BEVERAGE_DEFAULTS.get(name)) for name in BEVERAGE_FIELDS]
    row = await fetch_one(conn, INSERT_BEVERAGE, venue_id, *values)
    return beverage_from(row)


async def get_beverage(conn: Conn, *, venue_id: int, beverage_id: int) -> Beverage | None:
    row = await conn.fetchrow(SELECT_BEVERAGE, venue_id, beverage_id)
    return beverage_from(row) if row else None


async def search_beverages(
    conn: Conn, *, venue_id: int, text: str = "", limit: int = 50
) -> list[Beverage]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [beverage_from(r) for r in await conn.fetch(SEARCH_BEVERAGES, venue_id, escaped, limit)]


async def lock_beverage_version(conn: Conn, *, venue_id: int, beverage_id: int) -> int | None:
    version: int | None = await conn.fetchval(LOCK_BEVERAGE_VERSION, venue_id, beverage_id)
    return version


async def update_beverage(
    conn: Conn, *, venue_id: int, beverage_id: int, **fields: Any
) -> Beverage | None:
    values = [fields.get(name) for name in BEVERAGE_FIELDS]
    row = await conn.fetchrow(UPDATE_BEVERAGE, venue_id, beverage_id, *values)
    return beverage_from(row) if row else None


async def set_beverage_image(
    conn: Conn, *, venue_id: int, beverage_id: int, image_id: int | None
) -> Beverage | None:
    row = await conn.fetchrow(SET_BEVERAGE_IMAGE, venue_id, beverage_id, image_id)
    return beverage_from(row) if row else None


async def delete_beverage(conn: Conn, *, venue_id: int, beverage_id: int) -> bool:
    return await conn.execute(DELETE_BEVERAGE, venue_id, beverage_id) == "DELETE 1"


async def menus_listing_beverage(
    conn: Conn, *, venue_id: int, beverage_id: int
) -> list[MenuSummary]:
    rows = await conn.fetch(SELECT_MENUS_LISTING_BEVERAGE, venue_id, beverage_id)
    return [MenuSummary(r["id"], r["name"], r["version"]) for r in rows]


# --- menus -------------------------------------------------------------------------------

INSERT_MENU = """
INSERT INTO menus (venue_id, name, position)
VALUES ($1, $2, (SELECT count(*) FROM menus WHERE venue_id = $1))
RETURNING id, name, version
"""
SELECT_MENUS = "SELECT id, name, version FROM menus WHERE venue_id = $1 ORDER BY position, id"
SELECT_MENU = "SELECT id, name, version FROM menus WHERE venue_id = $1 AND id = $2"
# The row lock serializes changes to one menu: concurrent saves queue, then see the new version.
LOCK_MENU = "SELECT id, name, version FROM menus WHERE venue_id = $1 AND id = $2 FOR UPDATE"
BUMP_MENU_VERSION = """
UPDATE menus SET version = version + 1, updated_at = now()
WHERE venue_id = $1 AND id = $2
RETURNING version
"""
RENAME_MENU = "UPDATE menus SET name = $3 WHERE venue_id = $1 AND id = $2"
DELETE_MENU = "DELETE FROM menus WHERE venue_id = $1 AND id = $2 RETURNING position"
CLOSE_MENU_GAP = "UPDATE menus SET position = position - 1 WHERE venue_id = $1 AND position > $2"
SELECT_ALL_MENU_IDS = "SELECT id FROM menus WHERE venue_id = $1 ORDER BY position, id"


async def create_menu(conn: Conn, *, venue_id: int, name: str) -> MenuSummary:
    row = await fetch_one(conn, INSERT_MENU, venue_id, name)
    return MenuSummary(row["id"], row["name"], row["version"])


async def list_menus(conn: Conn, *, venue_id: int) -> list[MenuSummary]:
    rows = await conn.fetch(SELECT_MENUS, venue_id)
    return [MenuSummary(r["id"], r["name"], r["version"]) for r in rows]


async def get_menu(conn: Conn, *, venue_id: int, menu_id: int) -> MenuSummary | None:
    row = await conn.fetchrow(SELECT_MENU, venue_id, menu_id)
    return MenuSummary(row["id"], row["name"], row["version"]) if row else None


async def lock_menu(conn: Conn, *, venue_id: int, menu_id: int) -> MenuSummary | None:
    row = await conn.fetchrow(LOCK_MENU, venue_id, menu_id)
    return MenuSummary(row["id"], row["name"], row["version"]) if row else None


async def bump_menu_version(conn: Conn, *, venue_id: int, menu_id: int) -> int:
    return int((await fetch_one(conn, BUMP_MENU_VERSION, venue_id, menu_id))["version"])


async def rename_menu(conn: Conn, *, venue_id: int, menu_id: int, name: str) -> None:
    await conn.execute(RENAME_MENU, venue_id, menu_id, name)


async def delete_menu(conn: Conn, *, venue_id: int, menu_id: int) -> bool:
    position = await conn.fetchval(DELETE_MENU, venue_id, menu_id)
    if position is None:
        return False
    await conn.execute(CLOSE_MENU_GAP, venue_id, position)
    return True


async def all_menu_ids(conn: Conn, *, venue_id: int) -> list[int]:
    return [r["id"] for r in await conn.fetch(SELECT_ALL_MENU_IDS, venue_id)]


# --- sections ----------------------------------------------------------------------------

INSERT_SECTION = """
INSERT INTO menu_sections (venue_id, menu_id, name, kind, position)
VALUES ($1, $2, $3, $4, (SELECT count(*) FROM menu_sections WHERE venue_id = $1 AND menu_id = $2))
RETURNING id
"""
UPDATE_SECTION = """
UPDATE menu_sections SET name = $4, kind = $5 WHERE venue_id = $1 AND menu_id = $2 AND id = $3
"""
SELECT_SECTION_POSITION = """
SELECT position FROM menu_sections WHERE venue_id = $1 AND menu_id = $2 AND id = $3
"""
DELETE_SECTION = """
DELETE FROM menu_sections WHERE venue_id = $1 AND menu_id = $2 AND id = $3 RETURNING position
"""
SHIFT_SECTIONS = """
UPDATE menu_sections SET position = position + $4
WHERE venue_id = $1 AND menu_id = $2 AND position >= $3
"""
SET_SECTION_POSITION = """
UPDATE menu_sections SET position = $4 WHERE venue_id = $1 AND menu_id = $2 AND id = $3
"""
COUNT_SECTIONS = "SELECT count(*) FROM menu_sections WHERE venue_id = $1 AND menu_id = $2"
SET_OWN_SIZES = "UPDATE menu_sections SET own_sizes = $3 WHERE venue_id = $1 AND id = $2"
DELETE_SECTION_SIZES = "DELETE FROM section_sizes WHERE venue_id = $1 AND section_id = $2"
INSERT_SECTION_SIZES = """
INSERT INTO section_sizes (venue_id, section_id, serving_size_id)
SELECT $1, $2, unnest($3::bigint[])
"""


async def create_section(conn: Conn, *, venue_id: int, menu_id: int, name: str, kind: str) -> int:
    return int((await fetch_one(conn, INSERT_SECTION, venue_id, menu_id, name, kind))["id"])


async def update_section(
    conn: Conn, *, venue_id: int, menu_id: int, section_id: int, name: str, kind: str
) -> bool:
    done = await conn.execute(UPDATE_SECTION, venue_id, menu_id, section_id, name, kind)
    return bool(done == "UPDATE 1")


async def set_section_sizes(
    conn: Conn, *, venue_id: int, section_id: int, size_ids: list[int] | None
) -> None:
    """The sizes a section prices by (None: all of the venue's, including ones added later)."""
    await conn.execute(SET_OWN_SIZES, venue_id, section_id, size_ids is not None)
    await conn.execute(DELETE_SECTION_SIZES, venue_id, section_id)
    if size_ids:
        await conn.execute(INSERT_SECTION_SIZES, venue_id, section_id, size_ids)


async def section_position(
    conn: Conn, *, venue_id: int, menu_id: int, section_id: int
) -> int | None:
    position: int | None = await conn.fetchval(
        SELECT_SECTION_POSITION, venue_id, menu_id, section_id
    )
    return position


async def delete_section(conn: Conn, *, venue_id: int, menu_id: int, section_id: int) -> bool:
    position = await conn.fetchval(DELETE_SECTION, venue_id, menu_id, section_id)
    if position is None:
        return False
    await conn.execute(SHIFT_SECTIONS, venue_id, menu_id, position + 1, -1)
    return True


async def move_section(
    conn: Conn, *, venue_id: int, menu_id: int, section_id: int, to_position: int
) -> bool:
    """Move a section to a position (clamped), keeping positions dense."""
    current = await section_position(
        conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
    )
    if current is None:
        return False
    count = int(await conn.fetchval(COUNT_SECTIONS, venue_id, menu_id))
    target = max(0, min(to_position, count - 1))
    await conn.execute(SHIFT_SECTIONS, venue_id, menu_id, current + 1, -1)
    await conn.execute(SHIFT_SECTIONS, venue_id, menu_id, target, 1)
    await conn.execute(SET_SECTION_POSITION, venue_id, menu_id, section_id, target)
    return True


# --- entries -----------------------------------------------------------------------------

# An entry belongs to a menu through its section: every entry query joins to check both.
ENTRY_IN_MENU = """
SELECT e.id, e.section_id, e.position, e.tap_label, e.status, e.beverage_id
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
WHERE e.venue_id = $1 AND s.menu_id = $2 AND e.id = $3
"""
INSERT_ENTRY = """
INSERT INTO menu_entries
    (venue_id, section_id, beverage_id, tap_label, status, keg_percent, keg_size_ml,
     keg_remaining_ml, note, private_note, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        (SELECT count(*) FROM menu_entries WHERE venue_id = $1 AND section_id = $2))
RETURNING id
"""
UPDATE_ENTRY = """
UPDATE menu_entries
SET beverage_id = $3, tap_label = $4, status = $5, keg_percent = $6, keg_size_ml = $7,
    keg_remaining_ml = $8, note = $9, private_note = $10
WHERE venue_id = $1 AND id = $2
"""
SELECT_ENTRY_FIELDS = """
SELECT beverage_id, tap_label, status, keg_percent, keg_size_ml, keg_remaining_ml, note,
       private_note
FROM menu_entries WHERE venue_id = $1 AND id = $2
FOR UPDATE  -- a pour committing meanwhile must not be written over with the level read here
"""
# Staff-only notes are never part of the board (TVs and the public see the board).
SELECT_PRIVATE_NOTES = """
SELECT e.id, e.private_note
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
WHERE e.venue_id = $1 AND s.menu_id = $2 AND e.private_note <> ''
"""
DELETE_ENTRY = "DELETE FROM menu_entries WHERE venue_id = $1 AND id = $2"
SHIFT_ENTRIES = """
UPDATE menu_entries SET position = position + $4
WHERE venue_id = $1 AND section_id = $2 AND position >= $3
"""
PLACE_ENTRY = """
UPDATE menu_entries SET section_id = $3, position = $4 WHERE venue_id = $1 AND id = $2
"""
COUNT_ENTRIES = "SELECT count(*) FROM menu_entries WHERE venue_id = $1 AND section_id = $2"
# The next beverage waiting for this tap: on deck with the same tap label, else the first
# on deck with no tap label (one waiting for another tap is not taken).
SELECT_ON_DECK_FOR_TAP = """
SELECT e.id, e.section_id, e.position
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
WHERE e.venue_id = $1 AND s.menu_id = $2 AND e.status = 'on_deck' AND e.id <> $4
  AND (e.tap_label = $3 OR e.tap_label = '')
ORDER BY (e.tap_label = $3) DESC, s.position, e.position
LIMIT 1
"""
DELETE_PRICES = "DELETE FROM entry_prices WHERE venue_id = $1 AND entry_id = $2"
INSERT_PRICE = """
INSERT INTO entry_prices (venue_id, entry_id, serving_size_id, price_minor) VALUES ($1, $2, $3, $4)
"""
SELECT_PRICES = """
SELECT serving_size_id, price_minor FROM entry_prices WHERE venue_id = $1 AND entry_id = $2
"""


@dataclass(frozen=True)
class EntryPlace:
    id: int
    section_id: int
    position: int
    tap_label: str
    status: str
    beverage_id: int


async def entry_in_menu(
    conn: Conn, *, venue_id: int, menu_id: int, entry_id: int
) -> EntryPlace | None:
    row = await conn.fetchrow(ENTRY_IN_MENU, venue_id, menu_id, entry_id)
    if row is None:
        return None
    return EntryPlace(
        row["id"],
        row["section_id"],
        row["position"],
        row["tap_label"],
        row["status"],
        row["beverage_id"],
    )


async def insert_entry(
    conn: Conn, *, venue_id: int, section_id: int, beverage_id: int, **fields: Any
) -> int:
    values = [fields.get(name) for name in ENTRY_FIELDS]
    tap_label, status = values[0] or "", values[1] or "on_tap"
    note = values[5] or ""
    row = await fetch_one(
        conn,
        INSERT_ENTRY,
        venue_id,
        section_id,
        beverage_id,
        tap_label,
        status,
        values[2],
        values[3],
        values[4],
        note,
        fields.get("private_note") or "",
    )
    return int(row["id"])


async def entry_fields(conn: Conn, *, venue_id: int, entry_id: int) -> dict[str, Any]:
    row = await fetch_one(conn, SELECT_ENTRY_FIELDS, venue_id, entry_id)
    return dict(row)


async def update_entry(conn: Conn, *, venue_id: int, entry_id: int, **fields: Any) -> None:
    await conn.execute(
        UPDATE_ENTRY,
        venue_id,
        entry_id,
        fields["beverage_id"],
        fields["tap_label"],
        fields["status"],
        fields["keg_percent"],
        fields["keg_size_ml"],
        fields["keg_remaining_ml"],
        fields["note"],
        fields.get("private_note") or "",
    )


async def private_notes(conn: Conn, *, venue_id: int, menu_id: int) -> dict[int, str]:
    """Entry id → its staff-only note, for the entries of a menu that have one."""
    rows = await conn.fetch(SELECT_PRIVATE_NOTES, venue_id, menu_id)
    return {r["id"]: r["private_note"] for r in rows}


async def delete_entry(conn: Conn, *, venue_id: int, entry: EntryPlace) -> None:
    await conn.execute(DELETE_ENTRY, venue_id, entry.id)
    await conn.execute(SHIFT_ENTRIES, venue_id, entry.section_id, entry.position + 1, -1)


async def count_entries(conn: Conn, *, venue_id: int, section_id: int) -> int:
    return int(await conn.fetchval(COUNT_ENTRIES, venue_id, section_id))


async def place_entry(
    conn: Conn, *, venue_id: int, entry: EntryPlace, section_id: int, position: int
) -> None:
    """Move an entry to (section, position), closing the gap it leaves; positions stay dense."""
    # Positions are briefly duplicated here; the unique constraint is checked at commit.
    await conn.execute(SHIFT_ENTRIES, venue_id, entry.section_id, entry.position + 1, -1)
    await conn.execute(SHIFT_ENTRIES, venue_id, section_id, position, 1)
    await conn.execute(PLACE_ENTRY, venue_id, entry.id, section_id, position)


async def on_deck_for_tap(
    conn: Conn, *, venue_id: int, menu_id: int, tap_label: str, except_entry: int
) -> EntryPlace | None:
    row = await conn.fetchrow(SELECT_ON_DECK_FOR_TAP, venue_id, menu_id, tap_label, except_entry)
    if row is None:
        return None
    return await entry_in_menu(conn, venue_id=venue_id, menu_id=menu_id, entry_id=row["id"])


async def set_prices(conn: Conn, *, venue_id: int, entry_id: int, prices: dict[int, int]) -> None:
    """Replace the entry's prices: {serving size id: minor units}."""
    await conn.execute(DELETE_PRICES, venue_id, entry_id)
    if prices:
        await conn.executemany(
            INSERT_PRICE, [(venue_id, entry_id, size, price) for size, price in prices.items()]
        )


async def get_prices(conn: Conn, *, venue_id: int, entry_id: int) -> dict[int, int]:
    rows = await conn.fetch(SELECT_PRICES, venue_id, entry_id)
    return {r["serving_size_id"]: r["price_minor"] for r in rows}


# --- the board (the whole menu, as displays show it) --------------------------------------

SELECT_BOARD_ROWS = """
SELECT s.id AS section_id, s.name AS section_name, s.kind AS section_kind,
       CASE WHEN s.own_sizes THEN
           (SELECT coalesce(array_agg(z.id ORDER BY z.position), '{}')
            FROM section_sizes ss
            JOIN serving_sizes z ON z.venue_id = ss.venue_id AND z.id = ss.serving_size_id
            WHERE ss.venue_id = $1 AND ss.section_id = s.id)
       END AS section_sizes,
       e.id AS entry_id, e.tap_label, e.status, e.keg_percent, e.keg_size_ml,
       e.keg_remaining_ml, e.note,
       b.id, b.name, b.producer, b.style, b.kind, b.abv, b.ibu, b.srm, b.description, b.tags,
       b.version,
       (SELECT coalesce(jsonb_object_agg(p.serving_size_id::text, p.price_minor), '{}')
        FROM entry_prices p WHERE p.venue_id = $1 AND p.entry_id = e.id) AS prices,
       (SELECT i.variants FROM images i WHERE i.venue_id = $1 AND i.id = b.image_id)
        AS image_variants
FROM menu_sections s
LEFT JOIN menu_entries e ON e.venue_id = s.venue_id AND e.section_id = s.id
LEFT JOIN beverages b ON b.venue_id = e.venue_id AND b.id = e.beverage_id
WHERE s.venue_id = $1 AND s.menu_id = $2
ORDER BY s.position, e.position
"""


async def board_rows(conn: Conn, *, venue_id: int, menu_id: int) -> list[asyncpg.Record]:
    return list(await conn.fetch(SELECT_BOARD_ROWS, venue_id, menu_id))


# --- restoring a snapshot -------------------------------------------------------------------

# A restore puts rows back in place, under their old ids: links (editor, TVs) keep pointing at
# the same things, and what hangs off a row that stays (day-part effects, pours, staff notes)
# stays with it. A row the restore brings back is inserted (identity columns are GENERATED
# ALWAYS, hence OVERRIDING); one it leaves out is deleted, with what hangs off it.
RESTORE_SECTION = """
INSERT INTO menu_sections (id, venue_id, menu_id, name, kind, position)
OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, kind = EXCLUDED.kind, position = EXCLUDED.position
WHERE menu_sections.venue_id = EXCLUDED.venue_id AND menu_sections.menu_id = EXCLUDED.menu_id
"""
RESTORE_ENTRY = """
INSERT INTO menu_entries
    (id, venue_id, section_id, beverage_id, position, tap_label, status, keg_percent,
     keg_size_ml, keg_remaining_ml, note)
OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE
SET section_id = EXCLUDED.section_id, beverage_id = EXCLUDED.beverage_id,
    position = EXCLUDED.position, tap_label = EXCLUDED.tap_label, status = EXCLUDED.status,
    keg_percent = EXCLUDED.keg_percent, keg_size_ml = EXCLUDED.keg_size_ml,
    keg_remaining_ml = EXCLUDED.keg_remaining_ml, note = EXCLUDED.note
WHERE menu_entries.venue_id = EXCLUDED.venue_id
"""
DELETE_ENTRIES_NOT_RESTORED = """
DELETE FROM menu_entries e USING menu_sections s
WHERE e.venue_id = $1 AND s.venue_id = e.venue_id AND s.id = e.section_id AND s.menu_id = $2
  AND e.id <> ALL($3::bigint[])
"""
DELETE_SECTIONS_NOT_RESTORED = """
DELETE FROM menu_sections WHERE venue_id = $1 AND menu_id = $2 AND id <> ALL($3::bigint[])
"""
SELECT_EXISTING_BEVERAGES = (
    "SELECT id FROM beverages WHERE venue_id = $1 AND id = ANY($2::bigint[])"
)
SELECT_EXISTING_SIZES = "SELECT id FROM serving_sizes WHERE venue_id = $1"


async def restore_section(
    conn: Conn, *, venue_id: int, menu_id: int, section_id: int, name: str, kind: str, position: int
) -> None:
    await conn.execute(RESTORE_SECTION, section_id, venue_id, menu_id, name, kind, position)


async def restore_entry(
    conn: Conn,
    *,
    venue_id: int,
    section_id: int,
    entry_id: int,
    beverage_id: int,
    position: int,
    fields: dict[str, Any],
) -> None:
    await conn.execute(
        RESTORE_ENTRY,
        entry_id,
        venue_id,
        section_id,
        beverage_id,
        position,
        fields["tap_label"],
        fields["status"],
        fields["keg_percent"],
        fields["keg_size_ml"],
        fields["keg_remaining_ml"],
        fields["note"],
    )


async def delete_not_restored(
    conn: Conn, *, venue_id: int, menu_id: int, section_ids: list[int], entry_ids: list[int]
) -> None:
    """Delete the menu's entries and sections a restore did not put back."""
    await conn.execute(DELETE_ENTRIES_NOT_RESTORED, venue_id, menu_id, entry_ids)
    await conn.execute(DELETE_SECTIONS_NOT_RESTORED, venue_id, menu_id, section_ids)


async def existing_beverage_ids(conn: Conn, *, venue_id: int, ids: list[int]) -> set[int]:
    return {r["id"] for r in await conn.fetch(SELECT_EXISTING_BEVERAGES, venue_id, ids)}


async def existing_size_ids(conn: Conn, *, venue_id: int) -> set[int]:
    return {r["id"] for r in await conn.fetch(SELECT_EXISTING_SIZES, venue_id)}


# --- revisions ---------------------------------------------------------------------------

INSERT_REVISION = """
INSERT INTO menu_revisions
    (venue_id, menu_id, version, summary, kind, actor_user_id, actor_token_id, snapshot)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
SELECT_SNAPSHOT = """
SELECT snapshot FROM menu_revisions WHERE venue_id = $1 AND menu_id = $2 AND version = $3
"""
SELECT_REVISIONS = """
SELECT r.version, r.summary, r.kind, r.undone, r.created_at,
       coalesce(u.email, t.name, 'system') AS actor
FROM menu_revisions r
LEFT JOIN users u ON u.id = r.actor_user_id
LEFT JOIN api_tokens t ON t.id = r.actor_token_id
WHERE r.venue_id = $1 AND r.menu_id = $2 AND ($4::bigint IS NULL OR r.version <= $4)
ORDER BY r.version DESC
LIMIT $3
"""
# Who made the versions after one (the people or tokens a stale edit clashed with).
SELECT_EDITORS_SINCE = """
SELECT DISTINCT r.actor_user_id, r.actor_token_id, coalesce(u.email, t.name, 'system') AS actor
FROM menu_revisions r
LEFT JOIN users u ON u.id = r.actor_user_id
LEFT JOIN api_tokens t ON t.id = r.actor_token_id
WHERE r.venue_id = $1 AND r.menu_id = $2 AND r.version > $3
ORDER BY actor
"""
# The latest plain edit not yet undone, and the revision just before it (what undo restores).
SELECT_UNDO_TARGET = """
SELECT r.version AS undoes, r.summary,
       (SELECT max(p.version) FROM menu_revisions p
        WHERE p.menu_id = r.menu_id AND p.version < r.version) AS restore_version
FROM menu_revisions r
WHERE r.venue_id = $1 AND r.menu_id = $2 AND r.kind = 'edit' AND NOT r.undone
ORDER BY r.version DESC
LIMIT 1
"""
MARK_UNDONE = (
    "UPDATE menu_revisions SET undone = true WHERE venue_id = $1 AND menu_id = $2 AND version = $3"
)
# Keep the newest revisions: enough history to undo a busy night, bounded storage.
PRUNE_REVISIONS = """
DELETE FROM menu_revisions
WHERE venue_id = $1 AND menu_id = $2 AND version <= $3::bigint - $4::bigint
"""


async def insert_revision(
    conn: Conn,
    *,
    venue_id: int,
    menu_id: int,
    version: int,
    summary: str,
    kind: str,
    user_id: int | None,
    token_id: int | None,
    snapshot: dict[str, Any],
) -> None:
    await conn.execute(
        INSERT_REVISION,
        venue_id,
        menu_id,
        version,
        summary[:300],
        kind,
        user_id,
        token_id,
        snapshot,
    )


async def get_snapshot(
    conn: Conn, *, venue_id: int, menu_id: int, version: int
) -> dict[str, Any] | None:
    snapshot: dict[str, Any] | None = await conn.fetchval(
        SELECT_SNAPSHOT, venue_id, menu_id, version
    )
    return snapshot


async def list_revisions(
    conn: Conn, *, venue_id: int, menu_id: int, limit: int = 50, up_to: int | None = None
) -> list[Revision]:
    """The latest revisions (`up_to`: from that version back), newest first."""
    rows = await conn.fetch(SELECT_REVISIONS, venue_id, menu_id, limit, up_to)
    return [
        Revision(r["version"], r["summary"], r["kind"], r["undone"], r["actor"], r["created_at"])
        for r in rows
    ]


async def get_revision(conn: Conn, *, venue_id: int, menu_id: int, version: int) -> Revision | None:
    found = await list_revisions(conn, venue_id=venue_id, menu_id=menu_id, limit=1, up_to=version)
    return found[0] if found and found[0].version == version else None


async def editors_since(
    conn: Conn, *, venue_id: int, menu_id: int, version: int
) -> list[tuple[int | None, int | None, str]]:
    """(user id, token id, how History names them) of whoever made a version after `version`."""
    rows = await conn.fetch(SELECT_EDITORS_SINCE, venue_id, menu_id, version)
    return [(r["actor_user_id"], r["actor_token_id"], r["actor"]) for r in rows]


async def undo_target(conn: Conn, *, venue_id: int, menu_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(SELECT_UNDO_TARGET, venue_id, menu_id)


async def mark_undone(conn: Conn, *, venue_id: int, menu_id: int, version: int) -> None:
    await conn.execute(MARK_UNDONE, venue_id, menu_id, version)


async def prune_revisions(
    conn: Conn, *, venue_id: int, menu_id: int, latest: int, keep: int
) -> None:
    await conn.execute(PRUNE_REVISIONS, venue_id, menu_id, latest, keep)


# --- keg levels: events, not edits -------------------------------------------------------

# The entry, locked: concurrent pours on one keg queue here, not on the whole menu.
LOCK_KEG = """
SELECT e.status, e.keg_percent, e.keg_size_ml, e.keg_remaining_ml
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
WHERE e.venue_id = $1 AND s.menu_id = $2 AND e.id = $3
FOR UPDATE OF e
"""
SET_KEG_LEVEL = """
UPDATE menu_entries SET keg_percent = $3, keg_remaining_ml = $4 WHERE venue_id = $1 AND id = $2
"""
INSERT_POUR = """
INSERT INTO pours (venue_id, entry_id, volume_ml, remaining_ml, token_id, user_id)
VALUES ($1, $2, $3, $4, $5, $6)
"""
SELECT_KEG_LEVELS = """
SELECT e.id, e.status, e.keg_percent, e.keg_size_ml, e.keg_remaining_ml
FROM menu_entries e
JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
WHERE e.venue_id = $1 AND s.menu_id = $2
"""
NOTIFY_KEG_LEVELS = "SELECT pg_notify('keg_levels', $1)"


@dataclass(frozen=True)
class KegLevel:
    entry_id: int
    status: str
    keg_percent: Decimal | None
    keg_size_ml: int | None
    keg_remaining_ml: int | None


def _level(row: asyncpg.Record, entry_id: int) -> KegLevel:
    return KegLevel(
        entry_id, row["status"], row["keg_percent"], row["keg_size_ml"], row["keg_remaining_ml"]
    )


async def lock_keg(conn: Conn, *, venue_id: int, menu_id: int, entry_id: int) -> KegLevel | None:
    row = await conn.fetchrow(LOCK_KEG, venue_id, menu_id, entry_id)
    return None if row is None else _level(row, entry_id)


async def set_keg_level(
    conn: Conn, *, venue_id: int, entry_id: int, percent: Decimal | None, remaining_ml: int | None
) -> None:
    await conn.execute(SET_KEG_LEVEL, venue_id, entry_id, percent, remaining_ml)


async def insert_pour(
    conn: Conn,
    *,
    venue_id: int,
    entry_id: int,
    volume_ml: int,
    remaining_ml: int,
    token_id: int | None,
    user_id: int | None,
) -> None:
    await conn.execute(INSERT_POUR, venue_id, entry_id, volume_ml, remaining_ml, token_id, user_id)


async def keg_levels(conn: Conn, *, venue_id: int, menu_id: int) -> dict[int, KegLevel]:
    """Every entry's keg level now (the board's snapshot may be older: pours make none)."""
    rows = await conn.fetch(SELECT_KEG_LEVELS, venue_id, menu_id)
    return {r["id"]: _level(r, r["id"]) for r in rows}


async def notify_keg_levels(conn: Conn, *, menu_id: int) -> None:
    """A hint for the live hub, delivered on commit: the menu's keg levels moved."""
    await conn.execute(NOTIFY_KEG_LEVELS, str(menu_id))


# --- change notification -----------------------------------------------------------------

NOTIFY_MENU_CHANGED = "SELECT pg_notify('menu_changed', $1)"


async def notify_menu_changed(conn: Conn, *, menu_id: int, version: int) -> None:
    """Delivered to listeners when (and only if) the transaction commits."""
    await conn.execute(NOTIFY_MENU_CHANGED, f"{menu_id}:{version}")
