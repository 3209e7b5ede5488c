"""The TV app under /tv: its page, hashed assets, service worker and pairing QR codes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from chalkboard.qr import qr_svg
from chalkboard.settings import Settings
from chalkboard.tv.views import PAIRING_QR_TITLE, tv_csp
from tests.conftest import RunningServer

ASSET = re.compile(r'(?:src|href|data-src)="(/tv/assets/[0-9a-f]{12}/([\w./-]+))"')


@pytest.fixture
async def client(live: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        yield http


def directive(csp: str, name: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {csp!r}")


async def test_tv_page_links_hashed_assets_and_allows_its_websocket(
    client: httpx.AsyncClient, live: RunningServer
) -> None:
    """/tv is the app page: hashed scripts and stylesheets, no-cache, connect-src names
    ws://host; only the site itself may frame it (the editor's preview)."""
    response = await client.get("/tv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    names = sorted(name for _, name in ASSET.findall(response.text))
    assert [name for name in names if not name.startswith("fonts/")] == [
        "board.js",
        "connection.js",
        "layout.js",
        "looks.css",
        "schedule.js",
        "theme.js",
        "tv.css",
        "tv.js",
    ]
    assert len([name for name in names if name.endswith(".woff2")]) == 12
    assert "{{" not in response.text
    csp = response.headers["content-security-policy"]
    host = live.url.removeprefix("http://")
    assert f"ws://{host}" in directive(csp, "connect-src")
    assert directive(csp, "script-src") == ["'self'"]
    assert directive(csp, "frame-ancestors") == ["'self'"]


def test_production_csp_allows_only_the_sites_own_secure_socket(settings: Settings) -> None:
    """In production connect-src is 'self' plus wss://<public host>: no dev socket override."""
    production = replace(settings, env="production", public_base_url="https://menu.example.com")
    assert directive(tv_csp(production), "connect-src") == ["'self'", "wss://menu.example.com"]


def test_the_tv_and_its_service_worker_may_fetch_images_from_the_cdn(
    settings: Settings,
) -> None:
    """With a CDN, the TV's CSP names it in connect-src (the service worker fetches and
    caches the board's images) and img-src; without one, neither names any other host."""
    cdn = replace(
        settings,
        env="production",
        public_base_url="https://menu.example.com",
        cdn_base_url="https://d111.cloudfront.net",
    )
    assert directive(tv_csp(cdn), "connect-src") == [
        "'self'",
        "wss://menu.example.com",
        "https://d111.cloudfront.net",
    ]
    assert "https://d111.cloudfront.net" in directive(tv_csp(cdn), "img-src")
    assert directive(tv_csp(replace(cdn, cdn_base_url=None)), "img-src") == [
        "'self'",
        "data:",
        "https:",
    ]


async def test_tv_assets_are_immutable_under_their_hash(client: httpx.AsyncClient) -> None:
    """Assets under today's hash are cacheable forever; an old hash gets today's file, no-cache."""
    page = (await client.get("/tv")).text
    for url, name in ASSET.findall(page):
        fresh = await client.get(url)
        assert fresh.status_code == 200
        assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
        stale = await client.get(f"/tv/assets/000000000000/{name}")
        assert stale.headers["cache-control"] == "no-cache"
        assert stale.content == fresh.content
    assert (await client.get("/tv/assets/000000000000/nope.js")).status_code == 404


async def test_service_worker_is_uncached_javascript_naming_the_shell(
    client: httpx.AsyncClient,
) -> None:
    """/tv/sw.js is no-cache JavaScript, allowed the /tv scope, listing the hashed shell."""
    response = await client.get("/tv/sw.js")
    assert (
        response.headers["content-security-policy"]
        == (await client.get("/tv")).headers["content-security-policy"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/tv"
    page = (await client.get("/tv")).text
    for url, _ in ASSET.findall(page):
        assert f'"{url}"' in response.text
    assert "{{" not in response.text


async def test_pairing_qr_is_a_cacheable_svg(
    client: httpx.AsyncClient, live: RunningServer
) -> None:
    """/tv/qr/<code>.svg is an SVG QR code of <PUBLIC_BASE_URL>/pair?code=<code>, cached 10 min."""
    response = await client.get("/tv/qr/ABC234.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "public, max-age=600"
    assert response.text.startswith("<svg")
    assert "<path" in response.text
    assert response.content == qr_svg(
        f"{live.url}/pair?code=ABC234", title=PAIRING_QR_TITLE, scale=8
    )


@pytest.mark.parametrize("code", ["abc234", "ABC123", "ABC23", "ABC2345", "ABC-34", "ABCDE%C3%89"])
async def test_pairing_qr_refuses_anything_but_a_pairing_code(
    client: httpx.AsyncClient, code: str
) -> None:
    """A code that is not six of A-Z and 2-9 (no 0/1 look-alikes) is a 404."""
    assert (await client.get(f"/tv/qr/{code}.svg")).status_code == 404
