"""--observe's numbers from the database and the request counters."""

from __future__ import annotations

import asyncpg
import pytest

from chalkboard.cost import observe, queries
from chalkboard.cost.workload import load_profile
from chalkboard.media import queries as media
from tests.conftest import Browser


def variant(width: int, size: int, alternates: list[int]) -> dict[str, object]:
    key = f"media/1/{'c' * 64}-{width}.jpg"
    return {
        "width": width,
        "height": width,
        "bytes": size,
        "key": key,
        "url": f"/{key}",
        "content_type": "image/jpeg",
        "alternates": [
            {"content_type": "image/webp", "bytes": b, "key": key, "url": f"/{key}"}
            for b in alternates
        ],
    }


async def test_image_bytes_by_width_count_the_smallest_format_stored(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A 480 px variant of 10,000 bytes with a 4,000-byte WebP counts 4,000; without, its own."""
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", owner[1])
    async with db.acquire() as conn:
        before = (await queries.usage(conn)).image_bytes_by_width.get(480, (0, 0))
        for n, alternates in enumerate(([4_000], [])):
            await media.create_image(
                conn,
                venue_id=venue_id,
                sha256=f"{n}" * 64,
                name="x.jpg",
                format="jpeg",
                width=480,
                height=480,
                upload_bytes=20_000,
                stored_bytes=10_000 + sum(alternates),
                variants=[variant(480, 10_000, alternates)],
            )
        after = (await queries.usage(conn)).image_bytes_by_width[480]
    assert (after[0] - before[0], after[1] - before[1]) == (2, 4_000 + 10_000)


def test_request_counters_become_views_a_day() -> None:
    """Counters over half a day from a process's start: twice the count a day, by route kind."""
    now = 1_000_000.0
    samples = [
        ("process_start_time_seconds", {}, now - 43_200),
        ("chalkboard_http_requests_total", {"route": "/embed/{public_id}", "status": "200"}, 50),
        ("chalkboard_http_requests_total", {"route": "/embed/{public_id}", "status": "304"}, 50),
        ("chalkboard_http_requests_total", {"route": "/embed/{public_id}", "status": "404"}, 9),
        ("chalkboard_http_requests_total", {"route": "/m/{public_id}", "status": "200"}, 10),
        ("chalkboard_http_requests_total", {"route": "/api/v1/venues/{slug}", "status": "200"}, 3),
        ("chalkboard_http_requests_total", {"route": "/v/{slug}", "status": "200"}, 4),
    ]
    traffic = observe.traffic(samples, now=now)
    assert traffic.days == pytest.approx(0.5)
    assert (traffic.embed_views, traffic.phone_views) == (200, 20)
    assert (traffic.api_requests, traffic.editor_requests) == (6, 8)
    workload = observe.observed(
        load_profile("small")[0],
        queries.Usage(3, 7, 5, 4, 70, 0, 0, 2**30, {}),
        traffic,
    )
    assert (workload.venues, workload.tvs, workload.edits_per_day) == (3, 7, 10)
    assert workload.embed_views_per_day == 200
    assert "tv_online_hours_per_day" in workload.observed
