"""Embeds in real Chromium: a bar's site on another origin embeds the menu with the script
snippet; the frame fits its content and follows edits; framing obeys the allowlist."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
import uvicorn
from playwright.async_api import Browser, Frame, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from chalkboard.menus import operations
from tests.conftest import Browser as HttpBrowser
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_foundation import no_horizontal_scroll
from tests.test_embeds import add, published_menu, rename

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class HostSite:
    """Someone else's website (another port, another host name: another origin)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.sock = sock
        self.origin = f"http://localhost:{sock.getsockname()[1]}"

        async def page(request: Request) -> HTMLResponse:
            return HTMLResponse(self.pages[request.path_params["name"]])

        config = uvicorn.Config(
            Starlette(routes=[Route("/{name}", page)]), log_config=None, access_log=False
        )
        self.server = uvicorn.Server(config)

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.task.done():
                self.task.result()  # raises what stopped it from starting
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def host_site() -> AsyncIterator[HostSite]:
    site = HostSite()
    await site.start()
    yield site
    await site.stop()


def wrap(body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Our bar</title></head>"
        f"<body><h1>The Tap Room</h1>{body}<footer id='after'>Open daily</footer></body></html>"
    )


async def frame_of(page: Page, path: str) -> Frame:
    for _ in range(100):
        for frame in page.frames:
            if path in frame.url:
                return frame
        await asyncio.sleep(0.05)
    raise AssertionError(f"no frame for {path}")


async def blocked(page: Page, url: str) -> bool:
    """Chromium refused to show `url` in a frame (CSP frame-ancestors / X-Frame-Options)."""
    for _ in range(100):
        frames = [f for f in page.frames if f != page.main_frame]
        if frames:
            frame = frames[0]
            if frame.url.startswith("chrome-error://"):
                return True
            if frame.url == url:
                try:
                    if await frame.locator("body *").count():
                        return False
                except Exception:
                    return True
        await asyncio.sleep(0.05)
    raise AssertionError(f"the frame for {url} neither loaded nor failed")


async def test_the_script_snippet_embeds_a_live_menu_that_fits_its_content(
    chromium: Browser,
    live: RunningServer,
    host_site: HostSite,
    owner: tuple[HttpBrowser, str],
    db: asyncpg.Pool,
) -> None:
    """On another origin: the menu renders, the frame is as tall as the menu (no inner
    scrollbar), and an edit shows without reloading the host page."""
    ids = await published_menu(db, owner[1])
    path = f"/embed/{ids['public_id']}?ibu=1"
    host_site.pages["menu"] = wrap(
        f'<script src="{live.url}/embed.js" data-chalkboard="{path.replace("&", "&amp;")}" '
        'data-title="Our taps" async></script>'
    )
    context = await chromium.new_context(viewport={"width": 420, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(f"{host_site.origin}/menu")
        await page.evaluate("window.stillTheSamePage = true")
        iframe = page.locator("iframe[title='Our taps']")
        await expect(iframe).to_have_count(1)
        frame = await frame_of(page, f"/embed/{ids['public_id']}")
        await expect(frame.locator("h1.menu-name")).to_have_text("Draft")
        await expect(frame.locator(".entry .name").first).to_contain_text("Visible IPA")

        async def fits() -> bool:
            outer = await iframe.evaluate("f => f.getBoundingClientRect().height")
            inner: dict[str, float] = await frame.evaluate(
                "() => ({h: document.documentElement.getBoundingClientRect().height,"
                " scroll: document.documentElement.scrollHeight,"
                " client: document.documentElement.clientHeight})"
            )
            return abs(outer - inner["h"]) <= 1 and inner["scroll"] <= inner["client"] + 1

        for _ in range(100):
            if await fits():
                break
            await asyncio.sleep(0.05)
        assert await fits()
        first_height = await iframe.evaluate("f => f.getBoundingClientRect().height")
        assert 100 < first_height < 600  # sized to the menu, not the loader's 600 px default

        await rename(db, ids, "Tonight's taps")
        await expect(frame.locator("h1.menu-name")).to_have_text("Tonight's taps", timeout=3000)
        assert await page.evaluate("window.stillTheSamePage") is True
        # A longer menu: the frame grows with it.
        async with db.acquire() as conn, conn.transaction():
            for n in range(6):
                await add(
                    conn,
                    ids["venue_id"],
                    ids["menu_id"],
                    ids["section_id"],
                    f"New beer {n}",
                    tap_label=str(20 + n),
                )
        await expect(frame.locator(".entry")).to_have_count(8, timeout=3000)
        for _ in range(100):
            grown = await iframe.evaluate("f => f.getBoundingClientRect().height")
            if grown > first_height and await fits():
                break
            await asyncio.sleep(0.05)
        assert grown > first_height
        assert await fits()
    finally:
        await context.close()


async def test_framing_follows_the_allowlist_and_editor_pages_are_never_framed(
    chromium: Browser,
    live: RunningServer,
    host_site: HostSite,
    owner: tuple[HttpBrowser, str],
    new_browser: Callable[[], HttpBrowser],
    db: asyncpg.Pool,
) -> None:
    """The embed shows on any site by default, then only on listed sites; the editor, never."""
    boss, slug = owner
    ids = await published_menu(db, slug)
    embed_url = f"{live.url}/embed/{ids['public_id']}"
    editor_url = f"{live.url}/v/{slug}/menus/{ids['menu_id']}"
    context = await chromium.new_context()
    try:
        # The editor, framed by a signed-in owner's browser on another site: refused.
        cookies: list[Any] = [
            {"name": name, "value": value, "url": live.url} for name, value in boss.cookies.items()
        ]
        await context.add_cookies(cookies)
        page = await context.new_page()
        for name, url in [("editor", editor_url), ("login", f"{live.url}/login")]:
            host_site.pages[name] = wrap(f'<iframe src="{url}" width="600" height="400"></iframe>')
            await page.goto(f"{host_site.origin}/{name}")
            assert await blocked(page, url), name

        async def framed(step: int) -> bool:
            # A new address each step: the browser caches the embed (max-age), headers too.
            url = f"{embed_url}?utm_step={step}"
            host_site.pages[f"embed{step}"] = wrap(f'<iframe src="{url}" width="600"></iframe>')
            await page.goto(f"{host_site.origin}/embed{step}")
            return not await blocked(page, url)

        assert await framed(1)
        await boss.page(f"/v/{slug}/embeds")
        listed = await boss.submit(f"/v/{slug}/embeds", {"origins": "https://elsewhere.example"})
        assert listed.status_code == 303
        assert not await framed(2)
        allowed = await boss.submit(
            f"/v/{slug}/embeds", {"origins": f"https://elsewhere.example\n{host_site.origin}"}
        )
        assert allowed.status_code == 303
        assert await framed(3)
    finally:
        await context.close()


async def test_the_builder_updates_preview_and_snippets_as_options_change(
    chromium: Browser,
    live: RunningServer,
    owner: tuple[HttpBrowser, str],
    db: asyncpg.Pool,
) -> None:
    """Unticking "Tap numbers" changes both snippets, the QR link and the live preview at once."""
    boss, slug = owner
    ids = await published_menu(db, slug)
    context = await chromium.new_context()
    try:
        await context.add_cookies(
            [
                {"name": name, "value": value, "url": live.url}
                for name, value in boss.cookies.items()
            ]
        )
        page = await context.new_page()
        await page.goto(f"{live.url}/v/{slug}/menus/{ids['menu_id']}/embed")
        preview = await frame_of(page, f"/embed/{ids['public_id']}")
        await expect(preview.locator(".tap").first).to_have_text("2")
        await page.get_by_label("Tap numbers").uncheck()
        await expect(page.locator("#snippet-script")).to_have_value(
            f'<script src="{live.url}/embed.js" data-chalkboard="/embed/{ids["public_id"]}'
            '?tap=0" data-title="Draft" async></script>'
        )
        await expect(page.locator("#snippet-iframe")).to_have_value(
            re.compile(r"/embed/\S+\?tap=0\"")
        )
        await expect(page.locator('[data-link="page"]')).to_have_text(
            f"{live.url}/m/{ids['public_id']}?tap=0"
        )
        await expect(page.locator("#embed-preview")).to_have_attribute(
            "src", f"/embed/{ids['public_id']}?tap=0"
        )
        preview = await frame_of(page, f"/embed/{ids['public_id']}?tap=0")
        await expect(preview.locator(".entry").first).to_be_visible()
        await expect(preview.locator(".tap")).to_have_count(0)
    finally:
        await context.close()


async def test_the_phone_page_follows_pours_without_reloading(
    chromium: Browser, live: RunningServer, owner: tuple[HttpBrowser, str], db: asyncpg.Pool
) -> None:
    """At 390 x 844: a pour moves the keg level shown on the QR menu in about a second, the
    page not reloaded and no version made; the page fits the phone and passes axe."""
    ids = await published_menu(db, owner[1])
    await db.execute(
        "UPDATE menu_entries SET keg_size_ml = 20000, keg_remaining_ml = 20000, keg_percent = 100"
        " WHERE id = $1",
        ids["entry_id"],
    )
    version = await db.fetchval("SELECT version FROM menus WHERE id = $1", ids["menu_id"])
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        page = await context.new_page()
        await page.goto(f"{live.url}/m/{ids['public_id']}")
        level = page.locator(".entry .level", has_text="left")
        await expect(level).to_have_text("100% left")
        await page.evaluate("window.stillTheSamePage = true")
        await page.wait_for_timeout(300)  # the live stream connects
        async with db.acquire() as conn, conn.transaction():
            await operations.record_pour(
                conn, venue_id=ids["venue_id"], menu_id=ids["menu_id"],
                entry_id=ids["entry_id"], volume_ml=7000, actor=operations.Actor(),
            )  # fmt: skip
        await expect(level).to_have_text("65% left", timeout=4000)
        assert await page.evaluate("window.stillTheSamePage") is True
        await no_horizontal_scroll(page)
        assert await serious_violations(page) == []
        assert await db.fetchval("SELECT version FROM menus WHERE id = $1", ids["menu_id"]) == (
            version
        )
    finally:
        await context.close()
