"""A real TV page and the real editor, on two server processes, through network and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import signal
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from tests.conftest import PASSWORD, ServerProcess, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Reconnects back off with jitter up to 30 s; a TV must be back well within a minute.
RECONNECT_MS = 60_000


class NetworkCut:
    """The TV's network: a TCP proxy to a server that can drop every connection and refuse
    new ones (a pulled cable, as the TV sees it), then come back on the same address."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def connect(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers.update((writer, up_writer))

        async def copy(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    target.write(data)
                    await target.drain()
            target.transport.abort()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
        self.writers.difference_update((writer, up_writer))


async def staff_with_a_tap_list(page: Page, server: str, db: asyncpg.Pool) -> tuple[str, int]:
    """Sign up and create a venue through the pages; its menu has taps 1 and 2 and a beer on
    deck for tap 2. Returns (slug, menu id)."""
    await page.goto(f"{server}/signup")
    await page.fill("#f-email", f"staff-{secrets.token_hex(4)}@example.com")
    await page.fill("#f-password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.fill("#f-name", f"Live Taproom {secrets.token_hex(3)}")
    await page.click("main button[type=submit]")
    await expect(page.locator("#new-menu")).to_be_visible()
    slug = page.url.rsplit("/", 1)[1]
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    actor = operations.Actor()
    async with db.acquire() as conn, conn.transaction():
        board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=actor)
        menu_id = board["menu"]["id"]
        _, section_id = await operations.add_section(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            based_on=None,
            name="On Tap",
            kind="taps",
            actor=actor,
        )
        for name, tap, status in (
            ("Foghorn Pils", "1", "on_tap"),
            ("Night Shift", "2", "on_tap"),
            ("Big Sky Red", "2", "on_deck"),
        ):
            beverage = await menus.create_beverage(conn, venue_id=venue_id, name=name)
            await operations.add_entry(
                conn,
                venue_id=venue_id,
                menu_id=menu_id,
                section_id=section_id,
                beverage_id=beverage.id,
                fields={"tap_label": tap, "status": status},
                prices={},
                position=None,
                based_on=None,
                actor=actor,
            )
    return slug, menu_id


async def test_a_tv_paired_and_edited_from_another_process_rides_out_outages(
    serve: Callable[..., Awaitable[ServerProcess]], chromium: Browser, db: asyncpg.Pool
) -> None:
    """A TV page on server B is paired from the editor on server A; a kick in A's editor
    shows on the TV; with the TV's network cut the board stays under a stale badge; B
    restarts, and the TV reconnects and catches up with an edit made while it was away."""
    b_port = free_port()
    network = NetworkCut(b_port)
    (a, _), (_, process_b) = await serve(), await serve(b_port, public_url=network.url)
    await network.connect()
    staff_context = await chromium.new_context(viewport={"width": 375, "height": 740})
    tv_context = await chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        staff = await staff_context.new_page()
        slug, menu_id = await staff_with_a_tap_list(staff, a, db)

        tv = await tv_context.new_page()
        errors: list[Exception] = []
        tv.on("pageerror", lambda error: errors.append(error))
        await tv.goto(f"{network.url}/tv")
        code_shown = tv.locator(".pairing-code")
        await expect(code_shown).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
        code = (await code_shown.text_content() or "").strip()

        # Paired from A's editor: the token reaches the TV through B's socket.
        await staff.goto(f"{a}/v/{slug}/displays/pair?code={code}")
        await staff.fill("#pair-name", "Bar left")
        await staff.click("main button[type=submit]")
        beverages = tv.locator("#board .beverage")
        await expect(beverages).to_contain_text(["Foghorn Pils", "Night Shift"])
        assert await tv.evaluate("localStorage.getItem('chalkboard.tv.token')")

        # A kick saved through A's editor reaches the TV on B.
        await staff.goto(f"{a}/v/{slug}/menus/{menu_id}")
        await staff.get_by_role("button", name="Kick Night Shift: the keg is empty").click()
        await expect(beverages).to_contain_text(["Foghorn Pils", "Big Sky Red"])
        await expect(tv.locator("#board .beverage", has_text="Night Shift")).to_have_count(0)

        # The TV's network goes: the board stays, marked stale; it comes back live.
        await network.cut()
        await expect(tv.locator("#badge")).to_be_visible(timeout=RECONNECT_MS)
        await expect(tv.locator("#badge")).to_contain_text("as of")
        await expect(beverages).to_contain_text(["Foghorn Pils", "Big Sky Red"])
        await network.connect()
        await expect(tv.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)

        # B restarts; meanwhile the kick is undone through A. The TV catches up.
        process_b.send_signal(signal.SIGTERM)
        # uvicorn re-raises the SIGTERM it handled once it has drained: a clean exit too.
        assert await asyncio.to_thread(process_b.wait, 60) in (0, -signal.SIGTERM)
        await staff.click("text=Undo last change")
        await expect(staff.locator(".toast")).to_contain_text("Undid")
        await serve(b_port, public_url=network.url)
        await expect(tv.locator("#board .beverage", has_text="Night Shift")).to_have_count(
            1, timeout=RECONNECT_MS
        )
        await expect(tv.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)
        assert errors == []
    finally:
        await staff_context.close()
        await tv_context.close()
        await network.cut()
