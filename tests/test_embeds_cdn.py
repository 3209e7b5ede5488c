"""Embeds through a CDN (EMBED_BASE_URL): snippets point at the CDN, the pages answer with
what a shared cache needs, and their live stream stays on the app's own address (the ALB)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from chalkboard.settings import Settings, SettingsError
from tests.conftest import Browser, RunningServer, start_server
from tests.test_embeds import published_menu

CDN = "https://d111111abcdef8.cloudfront.net"


@pytest.fixture
async def menu(owner: tuple[Browser, str], db: asyncpg.Pool) -> dict[str, Any]:
    """A published menu of a fresh venue: its ids and public id."""
    return await published_menu(db, owner[1])


@pytest.fixture
async def behind_cdn(settings: Settings) -> AsyncIterator[RunningServer]:
    """The app with EMBED_BASE_URL set, as infra/ecs.tf sets it."""
    server, task, running = await start_server(replace(settings, embed_base_url=CDN))
    yield running
    server.should_exit = True
    await task


async def test_snippets_and_the_qr_page_use_the_cdn_address(
    behind_cdn: RunningServer, owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """The builder's iframe and script snippets, embed.js and the phone-page link are on the CDN."""
    boss, slug = owner
    menu = await published_menu(db, slug)
    pid = menu["public_id"]
    async with httpx.AsyncClient(base_url=behind_cdn.url, cookies=boss.cookies) as staff:
        page = await staff.get(f"/v/{slug}/menus/{menu['menu_id']}/embed")
    assert page.status_code == 200
    snippets = {
        name: html.unescape(text)
        for name, text in re.findall(r'data-snippet="(\w+)">(.*?)</textarea>', page.text, re.S)
    }
    assert snippets["iframe"].startswith(f'<iframe src="{CDN}/embed/{pid}"')
    assert snippets["script"].startswith(f'<script src="{CDN}/embed.js"')
    assert f"{CDN}/m/{pid}" in page.text
    assert f'src="/embed/{pid}"' in page.text  # the preview stays on the app's own origin


async def test_public_pages_are_cacheable_by_etag_and_set_no_cookies(
    behind_cdn: RunningServer, menu: dict[str, Any]
) -> None:
    """/embed and /m: short public max-age, an ETag that gives 304, no cookie; framing kept."""
    pid = menu["public_id"]
    async with httpx.AsyncClient(base_url=behind_cdn.url) as edge:
        for path in (f"/embed/{pid}?tap=0", f"/m/{pid}"):
            first = await edge.get(path)
            assert first.status_code == 200
            assert first.headers["cache-control"].startswith("public, max-age=15")
            assert "set-cookie" not in first.headers
            again = await edge.get(path, headers={"if-none-match": first.headers["etag"]})
            assert again.status_code == 304
        phone = await edge.get(f"/m/{pid}")
        embed = await edge.get(f"/embed/{pid}")
    assert phone.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors *" in embed.headers["content-security-policy"]


async def test_pages_on_the_cdn_follow_their_live_stream_on_the_alb(
    behind_cdn: RunningServer, menu: dict[str, Any]
) -> None:
    """The page names the stream on PUBLIC_BASE_URL; its CSP and the stream's CORS allow it."""
    pid = menu["public_id"]
    async with httpx.AsyncClient(base_url=behind_cdn.url) as edge:
        page = await edge.get(f"/embed/{pid}")
        assert f'data-live="{behind_cdn.url}/embed/{pid}/live"' in page.text
        assert f"connect-src 'self' {behind_cdn.url}" in page.headers["content-security-policy"]
        async with edge.stream("GET", f"/embed/{pid}/live") as stream:
            assert stream.status_code == 200
            assert stream.headers["access-control-allow-origin"] == "*"
            assert stream.headers["cache-control"] == "no-store"


async def test_without_a_cdn_pages_follow_their_stream_on_their_own_origin(
    live: RunningServer, menu: dict[str, Any]
) -> None:
    """With EMBED_BASE_URL unset, the live URL is relative and connect-src is 'self' alone."""
    pid = menu["public_id"]
    async with httpx.AsyncClient(base_url=live.url) as anyone:
        page = await anyone.get(f"/m/{pid}")
    assert f'data-live="/embed/{pid}/live"' in page.text
    assert "connect-src 'self';" in page.headers["content-security-policy"]


def test_embed_base_url_must_be_an_absolute_url() -> None:
    """EMBED_BASE_URL=cdn.example (no scheme) is refused, naming the variable."""
    with pytest.raises(SettingsError, match="EMBED_BASE_URL"):
        Settings.from_env({"EMBED_BASE_URL": "cdn.example", "SECRET_KEY": "x" * 40})
