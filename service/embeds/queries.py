"""All SQL for embeds: menus by public id, rotating that id, the venue's framing allowlist.

A public id stands for a menu *and* its venue: it is the one lookup here that does not
start from a venue_id, because the caller is anyone on the internet. Everything it returns
is what the public may see (names, currency, the allowlist), never an internal id that a
view would then trust without the venue.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalkboard.db import Conn
from chalkboard.media.pictures import picture

# 16 random bytes, URL-safe base64: 22 characters (the migration's default has the same shape).
PUBLIC_ID_BYTES = 16


@dataclass(frozen=True)
class Published:
    """A menu as the public reaches it: by its public id, with what pages need of its venue."""

    public_id: str
    menu_id: int
    venue_id: int
    version: int
    venue_name: str
    currency: str
    volume_unit: str
    # Normalized origins allowed to frame the embed; empty: any site.
    frame_origins: tuple[str, ...]
    logo_url: str = ""  # the venue's logo (about 480 px wide), "" for none
    # A digest of the menu's keg levels now: pours make no version, so pages and their
    # ETags are keyed by this too.
    levels: str = ""


SELECT_PUBLISHED = """
SELECT m.id AS menu_id, m.venue_id, m.version, v.name, v.currency, v.volume_unit,
       v.embed_origins, logo.variants AS logo_variants,
       (SELECT left(md5(coalesce(string_agg(
                  concat_ws(':', e.id, e.keg_percent, e.keg_remaining_ml), ',' ORDER BY e.id
               ), '')), 16)
        FROM menu_entries e
        JOIN menu_sections s ON s.venue_id = e.venue_id AND s.id = e.section_id
        WHERE s.venue_id = m.venue_id AND s.menu_id = m.id) AS levels
FROM menus m JOIN venues v ON v.id = m.venue_id
LEFT JOIN images logo ON logo.venue_id = v.id AND logo.id = v.logo_image_id
WHERE m.public_id = $1
"""
SELECT_PUBLIC_ID = "SELECT public_id FROM menus WHERE venue_id = $1 AND id = $2"
ROTATE_PUBLIC_ID = (
    "UPDATE menus SET public_id = $3 WHERE venue_id = $1 AND id = $2 RETURNING public_id"
)
SELECT_FRAME_ORIGINS = "SELECT embed_origins FROM venues WHERE id = $1"
UPDATE_FRAME_ORIGINS = "UPDATE venues SET embed_origins = $2 WHERE id = $1"


async def get_published(conn: Conn, *, public_id: str) -> Published | None:
    row = await conn.fetchrow(SELECT_PUBLISHED, public_id)
    if row is None:
        return None
    return Published(
        public_id,
        row["menu_id"],
        row["venue_id"],
        row["version"],
        row["name"],
        row["currency"].strip(),
        row["volume_unit"],
        tuple(row["embed_origins"]),
        (picture(row["logo_variants"]) or {}).get("url", ""),
        row["levels"],
    )


async def get_public_id(conn: Conn, *, venue_id: int, menu_id: int) -> str | None:
    public_id: str | None = await conn.fetchval(SELECT_PUBLIC_ID, venue_id, menu_id)
    return public_id


async def rotate_public_id(conn: Conn, *, venue_id: int, menu_id: int) -> str | None:
    """Give the menu a new random public id; every link with the old one stops working."""
    public_id: str | None = await conn.fetchval(
        ROTATE_PUBLIC_ID, venue_id, menu_id, secrets.token_urlsafe(PUBLIC_ID_BYTES)
    )
    return public_id


async def get_frame_origins(conn: Conn, *, venue_id: int) -> list[str]:
    origins: list[str] | None = await conn.fetchval(SELECT_FRAME_ORIGINS, venue_id)
    return list(origins or [])


async def set_frame_origins(conn: Conn, *, venue_id: int, origins: list[str]) -> None:
    await conn.execute(UPDATE_FRAME_ORIGINS, venue_id, origins)
