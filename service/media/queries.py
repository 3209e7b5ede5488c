"""All SQL for images and where they are used. Every query takes venue_id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from chalkboard.db import Conn, fetch_one


@dataclass(frozen=True)
class Image:
    id: int
    name: str
    format: str
    width: int
    height: int
    upload_bytes: int
    stored_bytes: int
    # width, height, bytes, key, url, content_type, and alternates: the same pixels in modern
    # formats ([{content_type, bytes, key, url}], possibly none); narrowest first.
    variants: list[dict[str, Any]]
    created_at: datetime

    def _files(self) -> list[dict[str, Any]]:
        return [f for v in self.variants for f in (v, *v.get("alternates", ()))]

    @property
    def keys(self) -> list[str]:
        return [f["key"] for f in self._files()]

    @property
    def urls(self) -> list[str]:
        return [f["url"] for f in self._files()]


@dataclass(frozen=True)
class Usage:
    """Where an image is used; empty lists mean nowhere."""

    beverages: list[str]
    displays: list[str]
    venue_logo: bool
    slides: list[str]  # promo slides (promos/), by title

    def __bool__(self) -> bool:
        return bool(self.beverages or self.displays or self.venue_logo or self.slides)

    def describe(self) -> str:
        places = []
        if self.venue_logo:
            places.append("the venue's logo")
        if self.beverages:
            places.append("beverages " + ", ".join(self.beverages))
        if self.displays:
            places.append("the theme of TVs " + ", ".join(self.displays))
        if self.slides:
            places.append("promo slides " + ", ".join(self.slides))
        return "; ".join(places)


IMAGE_COLUMNS = "id, name, format, width, height, upload_bytes, stored_bytes, variants, created_at"


def image_from(row: asyncpg.Record) -> Image:
    return Image(
        row["id"],
        row["name"],
        row["format"],
        row["width"],
        row["height"],
        row["upload_bytes"],
        row["stored_bytes"],
        list(row["variants"]),
        row["created_at"],
    )


INSERT_IMAGE = f"""
INSERT INTO images
    (venue_id, sha256, name, format, width, height, upload_bytes, stored_bytes, variants)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING {IMAGE_COLUMNS}
"""
SELECT_IMAGE = f"SELECT {IMAGE_COLUMNS} FROM images WHERE venue_id = $1 AND id = $2"
SELECT_IMAGE_BY_HASH = f"SELECT {IMAGE_COLUMNS} FROM images WHERE venue_id = $1 AND sha256 = $2"
SELECT_IMAGES = f"""
SELECT {IMAGE_COLUMNS} FROM images WHERE venue_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2
"""
DELETE_IMAGE = "DELETE FROM images WHERE venue_id = $1 AND id = $2"
# Uploads to one venue check the quota one at a time (the lock is held to commit).
LOCK_VENUE_STORAGE = "SELECT id FROM venues WHERE id = $1 FOR UPDATE"
SELECT_STORED_BYTES = "SELECT coalesce(sum(stored_bytes), 0) FROM images WHERE venue_id = $1"
# Keys of other images of the venue (two uploads can re-encode to the same bytes).
SELECT_KEYS_IN_USE = """
SELECT DISTINCT f->>'key' AS key
FROM images i, jsonb_array_elements(i.variants) v,
     jsonb_array_elements(jsonb_build_array(v) || coalesce(v->'alternates', '[]')) f
WHERE i.venue_id = $1 AND i.id <> $2 AND f->>'key' = ANY($3::text[])
"""
SELECT_BEVERAGES_USING = """
SELECT name FROM beverages WHERE venue_id = $1 AND image_id = $2 ORDER BY lower(name), id
"""
SELECT_SLIDES_USING = """
SELECT CASE WHEN title = '' THEN 'without a title' ELSE title END AS title
FROM promo_slides WHERE venue_id = $1 AND image_id = $2 ORDER BY id
"""
SELECT_DISPLAYS_USING = """
SELECT name FROM displays
WHERE venue_id = $1 AND revoked_at IS NULL
  AND (theme->>'background_image' = ANY($2::text[]) OR theme->>'logo_image' = ANY($2::text[]))
ORDER BY lower(name), id
"""
# Images with a variant pages draw that predates AVIF/WebP alternates (no `alternates` key;
# an empty list means they were tried and none was smaller). Every venue: an operator's job.
SELECT_IMAGES_WITHOUT_ALTERNATES = f"""
SELECT venue_id, {IMAGE_COLUMNS} FROM images
WHERE EXISTS (
  SELECT 1 FROM jsonb_array_elements(variants) v
  WHERE (v->>'width')::int <= $1 AND NOT v ? 'alternates'
)
ORDER BY id
LIMIT $2
"""
UPDATE_VARIANTS = """
UPDATE images SET variants = $3, stored_bytes = $4 WHERE venue_id = $1 AND id = $2 RETURNING id
"""
SELECT_IS_VENUE_LOGO = "SELECT logo_image_id = $2 FROM venues WHERE id = $1"
SET_VENUE_LOGO = "UPDATE venues SET logo_image_id = $2 WHERE id = $1"
SELECT_VENUE_LOGO = f"""
SELECT {", ".join("i." + c for c in IMAGE_COLUMNS.split(", "))}
FROM venues v JOIN images i ON i.venue_id = v.id AND i.id = v.logo_image_id
WHERE v.id = $1
"""


async def create_image(
    conn: Conn,
    *,
    venue_id: int,
    sha256: str,
    name: str,
    format: str,
    width: int,
    height: int,
    upload_bytes: int,
    stored_bytes: int,
    variants: list[dict[str, Any]],
) -> Image:
    row = await fetch_one(
        conn,
        INSERT_IMAGE,
        venue_id,
        sha256,
        name[:200],
        format,
        width,
        height,
        upload_bytes,
        stored_bytes,
        variants,
    )
    return image_from(row)


async def get_image(conn: Conn, *, venue_id: int, image_id: int) -> Image | None:
    row = await conn.fetchrow(SELECT_IMAGE, venue_id, image_id)
    return image_from(row) if row else None


async def image_by_hash(conn: Conn, *, venue_id: int, sha256: str) -> Image | None:
    row = await conn.fetchrow(SELECT_IMAGE_BY_HASH, venue_id, sha256)
    return image_from(row) if row else None


async def list_images(conn: Conn, *, venue_id: int, limit: int = 200) -> list[Image]:
    return [image_from(r) for r in await conn.fetch(SELECT_IMAGES, venue_id, limit)]


async def delete_image(conn: Conn, *, venue_id: int, image_id: int) -> bool:
    return await conn.execute(DELETE_IMAGE, venue_id, image_id) == "DELETE 1"


async def lock_storage(conn: Conn, *, venue_id: int) -> None:
    await conn.execute(LOCK_VENUE_STORAGE, venue_id)


async def stored_bytes(conn: Conn, *, venue_id: int) -> int:
    return int(await conn.fetchval(SELECT_STORED_BYTES, venue_id))


async def keys_in_use(conn: Conn, *, venue_id: int, image_id: int, keys: list[str]) -> set[str]:
    """Of `keys`, those another image of the venue also uses."""
    return {r["key"] for r in await conn.fetch(SELECT_KEYS_IN_USE, venue_id, image_id, keys)}


async def usage(conn: Conn, *, venue_id: int, image: Image) -> Usage:
    beverages = await conn.fetch(SELECT_BEVERAGES_USING, venue_id, image.id)
    displays = await conn.fetch(SELECT_DISPLAYS_USING, venue_id, image.urls)
    logo = await conn.fetchval(SELECT_IS_VENUE_LOGO, venue_id, image.id)
    slides = await conn.fetch(SELECT_SLIDES_USING, venue_id, image.id)
    return Usage(
        [r["name"] for r in beverages],
        [r["name"] for r in displays],
        bool(logo),
        [r["title"] for r in slides],
    )


async def set_venue_logo(conn: Conn, *, venue_id: int, image_id: int | None) -> None:
    await conn.execute(SET_VENUE_LOGO, venue_id, image_id)


async def venue_logo(conn: Conn, *, venue_id: int) -> Image | None:
    row = await conn.fetchrow(SELECT_VENUE_LOGO, venue_id)
    return image_from(row) if row else None


async def images_without_alternates(
    conn: Conn, *, max_width: int, limit: int
) -> list[tuple[int, Image]]:
    """(venue id, image) for images whose drawn widths have no alternates yet."""
    rows = await conn.fetch(SELECT_IMAGES_WITHOUT_ALTERNATES, max_width, limit)
    return [(row["venue_id"], image_from(row)) for row in rows]


async def set_variants(
    conn: Conn, *, venue_id: int, image_id: int, variants: list[dict[str, Any]], stored_bytes: int
) -> bool:
    """False when the image is gone (deleted meanwhile)."""
    return (
        await conn.fetchval(UPDATE_VARIANTS, venue_id, image_id, variants, stored_bytes) is not None
    )
