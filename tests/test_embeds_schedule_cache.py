"""Public menus are not cached past the schedule's next change (a day-part's start or end)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from chalkboard.schedules import answers
from tests import test_menu_api
from tests.conftest import Browser
from tests.test_menu_api import Venue, answer, make_menu
from tests.test_schedules_api import ending_soon

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


def cached_for(cache_control: str) -> tuple[int, int]:
    """max-age and stale-while-revalidate of a Cache-Control header."""
    found = dict(re.findall(r"([a-z-]+)=(\d+)", cache_control))
    return int(found["max-age"]), int(found["stale-while-revalidate"])


async def test_public_answers_are_cached_at_most_until_the_next_boundary(
    venue: Venue, db: asyncpg.Pool, new_browser: Callable[[], Browser]
) -> None:
    """Under 75 s before a happy hour ends, the public JSON, /m/ and the embed may be kept
    (max-age, then stale-while-revalidate) only until that end; without day-parts, 15 + 60."""
    menu = await make_menu(venue.api)
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu.id)
    visitor = new_browser()
    urls = [f"/api/v1/public/menus/{public_id}", f"/m/{public_id}", f"/embed/{public_id}"]
    for url in urls:
        response = await visitor.get(url)
        assert response.status_code == 200, url
        assert cached_for(response.headers["cache-control"]) == (15, 60)
    body, boundary = ending_soon("Europe/London", menu.entry_id, menu.size_id)
    answer(answers.DayPart, await venue.api.post("dayparts", json=body), 201)
    for url in urls:
        left = (boundary - datetime.now(UTC)).total_seconds()  # at least as long as then
        response = await visitor.get(url)
        assert 0 < left < 75  # the old 15 + 60 would outlive the boundary
        max_age, stale = cached_for(response.headers["cache-control"])
        assert max_age <= 15, url
        assert max_age + stale <= left, (url, response.headers["cache-control"], left)
        assert max_age + stale >= left - 2, url  # cached as long as it is right
