"""`chalkboard media alternates`: images stored before AVIF/WebP get their alternates."""

from __future__ import annotations

import json
from collections.abc import Callable
from subprocess import CompletedProcess

import anyio
import asyncpg
import httpx

from chalkboard.settings import Settings
from tests.conftest import RunningServer
from tests.test_media import (
    jpeg,
    upload,
    venue,  # noqa: F401 (the fixture: a fresh venue with a write token)
)
from tests.test_menu_api import Venue

Cli = Callable[..., CompletedProcess[str]]
STRIP = """
UPDATE images SET
  variants = (SELECT jsonb_agg(v - 'alternates') FROM jsonb_array_elements(variants) v),
  stored_bytes = (SELECT sum((v->>'bytes')::bigint) FROM jsonb_array_elements(variants) v)
WHERE id = $1
"""


async def test_old_images_get_alternates_once(
    venue: Venue,  # noqa: F811
    live: RunningServer,
    settings: Settings,
    cli: Cli,
    db: asyncpg.Pool,
) -> None:
    """An image stored without alternates gets them (served, counted); a rerun changes nothing."""
    image = (await upload(venue.api, jpeg(1200, 800, quality=95))).json()
    await db.execute(STRIP, image["id"])
    for variant in image["variants"]:  # as if they had never been written
        for alternate in variant["alternates"]:
            await anyio.Path(settings.data_dir, alternate["url"].lstrip("/")).unlink()
    env = {"DATA_DIR": str(settings.data_dir)}
    first = cli("media", "alternates", env=env)
    assert first.returncode == 0, first.stderr
    row = await db.fetchrow("SELECT variants, stored_bytes FROM images WHERE id = $1", image["id"])
    variants = json.loads(row["variants"]) if isinstance(row["variants"], str) else row["variants"]
    drawn = [v for v in variants if v["width"] <= 960]
    assert drawn
    assert all(v["alternates"] for v in drawn)
    assert all("alternates" not in v for v in variants if v["width"] > 960)
    assert row["stored_bytes"] == sum(
        v["bytes"] + sum(a["bytes"] for a in v.get("alternates", [])) for v in variants
    )
    async with httpx.AsyncClient(base_url=live.url) as anyone:
        for v in drawn:
            for alternate in v["alternates"]:
                served = await anyone.get(alternate["url"])
                assert served.status_code == 200
                assert served.headers["content-type"] == alternate["content_type"]
    again = cli("media", "alternates", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("0 image(s)")
