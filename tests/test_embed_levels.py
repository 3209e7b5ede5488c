"""Embeds, the phone page and the public JSON follow keg levels: pours make no version, yet
what the public sees (and its ETag) moves with them, and live pages hear of them, throttled."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import httpx

from chalkboard.live.levels import LEVELS_EVERY_SECONDS
from tests.conftest import Browser
from tests.test_embeds import anyone, menu, next_event
from tests.test_menu_api import api_client, new_token

__all__ = ["anyone", "menu"]  # fixtures, used by name

KEG_ML = 20000


async def keg(db: asyncpg.Pool, menu: dict[str, Any]) -> None:
    """The on-tap entry gets a 20 l keg, full."""
    await db.execute(
        "UPDATE menu_entries SET keg_size_ml = $2, keg_remaining_ml = $2, keg_percent = 100 "
        "WHERE id = $1",
        menu["entry_id"],
        KEG_ML,
    )


async def level_shown(anyone: httpx.AsyncClient, menu: dict[str, Any], percent: float) -> Any:
    """The public JSON once it shows the on-tap keg at `percent` (pours reach it in ~1 s)."""
    path = f"/api/v1/public/menus/{menu['public_id']}"
    for _ in range(50):
        found = await anyone.get(path)
        entries = [e for s in found.json()["sections"] for e in s["entries"]]
        if next(e for e in entries if e["id"] == menu["entry_id"])["keg_percent"] == percent:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the public JSON never showed {percent}%: {found.text[:400]}")


async def test_a_pour_moves_the_public_json_and_pages_without_a_version(
    owner: tuple[Browser, str], anyone: httpx.AsyncClient, menu: dict[str, Any], db: asyncpg.Pool
) -> None:
    """A pour through the API: the public JSON and the phone page show the new level with a
    new ETag (the old one is no longer a 304), and the menu's version has not moved."""
    boss, slug = owner
    await keg(db, menu)
    version = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"])
    before = await level_shown(anyone, menu, 100.0)
    phone_path = f"/m/{menu['public_id']}"
    phone = await anyone.get(phone_path)
    assert "100% left" in phone.text

    async with api_client(boss, slug, await new_token(boss, slug, "write")) as api:
        poured = await api.post(
            f"menus/{menu['menu_id']}/entries/{menu['entry_id']}/pours", json={"volume_ml": 5000}
        )
        assert poured.status_code in (200, 201), poured.text

    after = await level_shown(anyone, menu, 75.0)
    assert after.headers["etag"] != before.headers["etag"]
    stale = await anyone.get(
        f"/api/v1/public/menus/{menu['public_id']}",
        headers={"If-None-Match": before.headers["etag"]},
    )
    assert stale.status_code == 200, "the old ETag no longer matches"
    assert after.json()["menu"]["version"] == version, "a pour makes no version"
    phone_after = await anyone.get(phone_path)
    assert "75% left" in phone_after.text
    assert phone_after.headers["etag"] != phone.headers["etag"]
    assert await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"]) == version
    revisit = await anyone.get(phone_path, headers={"If-None-Match": phone_after.headers["etag"]})
    assert revisit.status_code == 304, "unchanged levels still answer 304"


async def test_live_pages_hear_of_pours_at_most_about_once_a_second(
    owner: tuple[Browser, str], anyone: httpx.AsyncClient, menu: dict[str, Any], db: asyncpg.Pool
) -> None:
    """A burst of pours: the live stream sends `levels` events (no `version`), a few, not
    one per pour; the last names the levels the page then shows."""
    boss, slug = owner
    await keg(db, menu)
    page = await anyone.get(f"/embed/{menu['public_id']}")
    shown = re.search(r'data-levels="([0-9a-f]*)"', page.text)
    assert shown
    version = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"])
    live = f"/embed/{menu['public_id']}/live?v={version}&lv={shown[1]}"
    async with (
        api_client(boss, slug, await new_token(boss, slug, "write")) as api,
        anyone.stream("GET", live) as stream,
    ):
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("retry: ")
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(12):
            poured = await api.post(
                f"menus/{menu['menu_id']}/entries/{menu['entry_id']}/pours",
                json={"volume_ml": 100},
            )
            assert poured.status_code in (200, 201), poured.text
        poured_for = loop.time() - started
        events = []
        end = loop.time() + poured_for + 2.5 * LEVELS_EVERY_SECONDS
        while (left := end - loop.time()) > 0:
            try:
                events.append(await asyncio.wait_for(next_event(lines), left))
            except TimeoutError:
                break
    assert events, "the stream said the levels moved"
    assert {e["event"] for e in events} == {"levels"}, events
    assert "id" not in events[-1], "Last-Event-ID stays the version"
    assert len(events) <= poured_for / LEVELS_EVERY_SECONDS + 2, (len(events), poured_for)
    now = await anyone.get(f"/embed/{menu['public_id']}?v={version}&lv={events[-1]['data']}")
    assert f'data-levels="{events[-1]["data"]}"' in now.text
    assert "94% left" in now.text  # 20 l less 1.2 l
