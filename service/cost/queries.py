"""What the database knows about the workload: counts across all venues (operator view)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

USAGE = """
SELECT
  (SELECT count(*) FROM venues) AS venues,
  (SELECT count(*) FROM displays) AS displays,
  (SELECT count(*) FROM displays WHERE last_seen_at > now() - interval '1 day') AS displays_seen,
  (SELECT count(*) FROM menus) AS menus,
  (SELECT count(*) FROM menu_revisions WHERE created_at > now() - interval '7 days')
    AS revisions_week,
  (SELECT count(*) FROM images) AS images,
  (SELECT coalesce(sum(stored_bytes), 0)::bigint FROM images) AS media_bytes,
  pg_database_size(current_database()) AS database_bytes
"""

# Bytes per variant width, across every image, as a browser that takes AVIF or WebP
# downloads them: the smallest of the JPEG/PNG and its alternates (media/images.py).
IMAGE_BYTES_BY_WIDTH = """
SELECT (v->>'width')::int AS width, count(*) AS variants,
       sum(least((v->>'bytes')::bigint, (
         SELECT min((a->>'bytes')::bigint)
         FROM jsonb_array_elements(coalesce(v->'alternates', '[]')) AS a
       )))::bigint AS bytes
FROM images, jsonb_array_elements(variants) AS v
GROUP BY 1
ORDER BY 1
"""


@dataclass(frozen=True)
class Usage:
    venues: int
    displays: int
    displays_seen: int  # reported in within the last day
    menus: int
    revisions_week: int
    images: int
    media_bytes: int
    database_bytes: int
    # width → (variants at that width, their bytes)
    image_bytes_by_width: dict[int, tuple[int, int]]


async def usage(conn: asyncpg.Connection) -> Usage:
    row = await conn.fetchrow(USAGE)
    assert row is not None
    widths = {
        r["width"]: (r["variants"], r["bytes"]) for r in await conn.fetch(IMAGE_BYTES_BY_WIDTH)
    }
    return Usage(**dict(row), image_bytes_by_width=widths)
