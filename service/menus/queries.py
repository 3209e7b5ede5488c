"""All SQL for beverages, serving sizes and menus. Every query filters on venue_id."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from chalkboard.db import Conn, fetch_one


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
    description: str
    tags: list[str]


@dataclass(frozen=True)
class MenuSummary:
    id: int
    name: str
    version: int


@dataclass
class Entry:
    id: int
    position: int
    tap_label: str
    status: str
    keg_percent: Decimal | None
    note: str
    beverage: Beverage
    prices: dict[int, int] = field(default_factory=dict)  # serving size id -> minor units


@dataclass
class Section:
    id: int
    name: str
    kind: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Board:
    """A menu as a TV, an embed or the editor shows it."""

    menu: MenuSummary
    sizes: list[ServingSize]
    sections: list[Section]


INSERT_SERVING_SIZE = """
INSERT INTO serving_sizes (venue_id, name, volume_ml, position)
VALUES ($1, $2, $3, (SELECT count(*) FROM serving_sizes WHERE venue_id = $1))
RETURNING id, name, volume_ml
"""
INSERT_BEVERAGE = """
INSERT INTO beverages (venue_id, name, producer, style, kind, abv, ibu, description, tags)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id, name, producer, style, kind, abv, ibu, description, tags
"""
INSERT_MENU = """
INSERT INTO menus (venue_id, name, position)
VALUES ($1, $2, (SELECT count(*) FROM menus WHERE venue_id = $1))
RETURNING id, name, version
"""
INSERT_SECTION = """
INSERT INTO menu_sections (venue_id, menu_id, name, kind, position)
VALUES ($1, $2, $3, $4, (SELECT count(*) FROM menu_sections WHERE venue_id = $1 AND menu_id = $2))
RETURNING id
"""
INSERT_ENTRY = """
INSERT INTO menu_entries
    (venue_id, section_id, beverage_id, tap_label, status, keg_percent, note, position)
VALUES ($1, $2, $3, $4, $5, $6, $7,
        (SELECT count(*) FROM menu_entries WHERE venue_id = $1 AND section_id = $2))
RETURNING id
"""
UPSERT_PRICE = """
INSERT INTO entry_prices (venue_id, entry_id, serving_size_id, price_minor)
VALUES ($1, $2, $3, $4)
ON CONFLICT (entry_id, serving_size_id) DO UPDATE SET price_minor = EXCLUDED.price_minor
"""
SELECT_MENUS = """
SELECT id, name, version FROM menus WHERE venue_id = $1 ORDER BY position, id
"""
SELECT_MENU = "SELECT id, name, version FROM menus WHERE venue_id = $1 AND id = $2"
SELECT_SERVING_SIZES = """
SELECT id, name, volume_ml FROM serving_sizes WHERE venue_id = $1 ORDER BY position
"""
# One row per (section, entry); sections without entries come through with NULL entry.
SELECT_BOARD_ROWS = """
SELECT s.id AS section_id, s.name AS section_name, s.kind AS section_kind,
       e.id AS entry_id, e.position, e.tap_label, e.status, e.keg_percent, e.note,
       b.id AS beverage_id, b.name, b.producer, b.style, b.kind, b.abv, b.ibu, b.description,
       b.tags,
       (SELECT coalesce(jsonb_object_agg(p.serving_size_id::text, p.price_minor), '{}')
        FROM entry_prices p WHERE p.venue_id = $1 AND p.entry_id = e.id) AS prices
FROM menu_sections s
LEFT JOIN menu_entries e ON e.venue_id = s.venue_id AND e.section_id = s.id
LEFT JOIN beverages b ON b.venue_id = e.venue_id AND b.id = e.beverage_id
WHERE s.venue_id = $1 AND s.menu_id = $2
ORDER BY s.position, e.position
"""


def _beverage(row: asyncpg.Record, id_column: str = "id") -> Beverage:
    return Beverage(
        row[id_column],
        row["name"],
        row["producer"],
        row["style"],
        row["kind"],
        row["abv"],
        row["ibu"],
        row["description"],
        list(row["tags"]),
    )


async def create_serving_size(
    conn: Conn, *, venue_id: int, name: str, volume_ml: Decimal | None
) -> ServingSize:
    row = await fetch_one(conn, INSERT_SERVING_SIZE, venue_id, name, volume_ml)
    return ServingSize(row["id"], row["name"], row["volume_ml"])


async def create_beverage(
    conn: Conn,
    *,
    venue_id: int,
    name: str,
    producer: str = "",
    style: str = "",
    kind: str = "beer",
    abv: Decimal | None = None,
    ibu: int | None = None,
    description: str = "",
    tags: list[str] | None = None,
) -> Beverage:
    row = await fetch_one(
        conn,
        INSERT_BEVERAGE,
        venue_id,
        name,
        producer,
        style,
        kind,
        abv,
        ibu,
        description,
        tags or [],
    )
    return _beverage(row)


async def create_menu(conn: Conn, *, venue_id: int, name: str) -> MenuSummary:
    row = await fetch_one(conn, INSERT_MENU, venue_id, name)
    return MenuSummary(row["id"], row["name"], row["version"])


async def create_section(conn: Conn, *, venue_id: int, menu_id: int, name: str, kind: str) -> int:
    section_id: int = await conn.fetchval(INSERT_SECTION, venue_id, menu_id, name, kind)
    return section_id


async def create_entry(
    conn: Conn,
    *,
    venue_id: int,
    section_id: int,
    beverage_id: int,
    tap_label: str = "",
    status: str = "on_tap",
    keg_percent: Decimal | None = None,
    note: str = "",
) -> int:
    entry_id: int = await conn.fetchval(
        INSERT_ENTRY, venue_id, section_id, beverage_id, tap_label, status, keg_percent, note
    )
    return entry_id


async def set_price(
    conn: Conn,
    *,
    venue_id: int,
    entry_id: int,
    serving_size_id: int,
    price_minor: int,
) -> None:
    await conn.execute(UPSERT_PRICE, venue_id, entry_id, serving_size_id, price_minor)


async def list_menus(conn: Conn, *, venue_id: int) -> list[MenuSummary]:
    rows = await conn.fetch(SELECT_MENUS, venue_id)
    return [MenuSummary(r["id"], r["name"], r["version"]) for r in rows]


async def get_board(conn: Conn, *, venue_id: int, menu_id: int) -> Board | None:
    """The whole menu in two queries, or None when the venue has no such menu."""
    row = await conn.fetchrow(SELECT_MENU, venue_id, menu_id)
    if row is None:
        return None
    sizes = [
        ServingSize(r["id"], r["name"], r["volume_ml"])
        for r in await conn.fetch(SELECT_SERVING_SIZES, venue_id)
    ]
    sections: dict[int, Section] = {}
    for r in await conn.fetch(SELECT_BOARD_ROWS, venue_id, menu_id):
        section = sections.setdefault(
            r["section_id"], Section(r["section_id"], r["section_name"], r["section_kind"])
        )
        if r["entry_id"] is not None:
            section.entries.append(
                Entry(
                    r["entry_id"],
                    r["position"],
                    r["tap_label"],
                    r["status"],
                    r["keg_percent"],
                    r["note"],
                    _beverage(r, "beverage_id"),
                    {int(k): v for k, v in r["prices"].items()},
                )
            )
    return Board(
        MenuSummary(row["id"], row["name"], row["version"]), sizes, list(sections.values())
    )
