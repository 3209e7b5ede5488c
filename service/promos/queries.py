"""All SQL for promo slides. Every query takes venue_id.

A change tells each display it touches (before and after) with `display_changed`
'<id>:updated', so the live hub sends those TVs their display again, slides included
(displays/queries.py reads a display's slides with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from chalkboard.db import Conn, fetch_one
from chalkboard.displays.queries import notify_display_changed


@dataclass(frozen=True)
class Slide:
    id: int
    title: str
    body: str
    image_id: int | None
    image_name: str
    seconds: int
    starts_on: date | None
    ends_on: date | None
    display_ids: list[int]


SLIDE_COLUMNS = """
s.id, s.title, s.body, s.image_id, coalesce(i.name, '') AS image_name, s.seconds, s.starts_on,
s.ends_on,
array(SELECT d.display_id FROM promo_slide_displays d WHERE d.slide_id = s.id ORDER BY 1)
  AS display_ids
"""
SELECT_SLIDES = f"""
SELECT {SLIDE_COLUMNS} FROM promo_slides s
LEFT JOIN images i ON i.venue_id = s.venue_id AND i.id = s.image_id
WHERE s.venue_id = $1 ORDER BY s.starts_on NULLS FIRST, s.id
"""
INSERT_SLIDE = """
INSERT INTO promo_slides (venue_id, title, body, image_id, seconds, starts_on, ends_on)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
"""
# Only the venue's own live displays: another venue's id, or a revoked TV, is dropped here
# too (the form already refused it).
INSERT_SLIDE_DISPLAYS = """
INSERT INTO promo_slide_displays (venue_id, slide_id, display_id)
SELECT $1, $2, d.id FROM displays d
WHERE d.venue_id = $1 AND d.revoked_at IS NULL AND d.id = ANY($3::bigint[])
"""
SELECT_SLIDE_DISPLAYS = """
SELECT display_id FROM promo_slide_displays WHERE venue_id = $1 AND slide_id = $2
"""
DELETE_SLIDE = "DELETE FROM promo_slides WHERE venue_id = $1 AND id = $2"


def slide_from(row: asyncpg.Record) -> Slide:
    return Slide(
        row["id"],
        row["title"],
        row["body"],
        row["image_id"],
        row["image_name"],
        row["seconds"],
        row["starts_on"],
        row["ends_on"],
        list(row["display_ids"]),
    )


async def list_slides(conn: Conn, *, venue_id: int) -> list[Slide]:
    return [slide_from(r) for r in await conn.fetch(SELECT_SLIDES, venue_id)]


async def create_slide(
    conn: Conn,
    *,
    venue_id: int,
    title: str,
    body: str,
    image_id: int | None,
    seconds: int,
    starts_on: date | None,
    ends_on: date | None,
    display_ids: list[int],
) -> int:
    row = await fetch_one(
        conn, INSERT_SLIDE, venue_id, title, body, image_id, seconds, starts_on, ends_on
    )
    slide_id: int = row["id"]
    await conn.execute(INSERT_SLIDE_DISPLAYS, venue_id, slide_id, display_ids)
    await _tell(conn, display_ids)
    return slide_id


async def delete_slide(conn: Conn, *, venue_id: int, slide_id: int) -> bool:
    """Delete; False when the venue has no such slide."""
    shown_on = [
        r["display_id"] for r in await conn.fetch(SELECT_SLIDE_DISPLAYS, venue_id, slide_id)
    ]
    if await conn.execute(DELETE_SLIDE, venue_id, slide_id) == "DELETE 0":
        return False
    await _tell(conn, shown_on)
    return True


async def _tell(conn: Conn, display_ids: list[int]) -> None:
    for display_id in sorted(set(display_ids)):
        await notify_display_changed(conn, display_id=display_id, event="updated")
