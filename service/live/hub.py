"""The live hub: one per process. It LISTENs on one dedicated connection and pushes to its TVs.

NOTIFY is only a hint (DESIGN.md, convention 8): a payload names what changed, and the hub
reads the truth from the database. When the LISTEN connection drops, the hub reconnects
with backoff and re-reads the state of everything its TVs show, so no TV misses a change.
Nothing here holds a pooled connection for longer than one operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Coroutine, Iterable
from datetime import datetime
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.websockets import WebSocket

from chalkboard import tokens
from chalkboard.db import Conn
from chalkboard.displays import queries as displays
from chalkboard.displays.queries import Display, Showing
from chalkboard.live import protocol
from chalkboard.live.boards import BoardMessage, Boards
from chalkboard.live.feeds import MenuFeeds
from chalkboard.live.greetings import Greetings
from chalkboard.live.levels import LevelPushes
from chalkboard.live.next_menus import NextMenus
from chalkboard.live.pairing import Pairings
from chalkboard.live.protocol import Hello
from chalkboard.live.sockets import TvSocket
from chalkboard.menus import queries as menus
from chalkboard.settings import Settings

log = logging.getLogger("chalkboard.live")

LISTENER_NAME = "chalkboard-listener"
CHANNELS = ("menu_changed", "display_changed", "display_paired", "keg_levels")
# A half-open TCP connection delivers nothing and raises nothing: probe it now and then.
LISTENER_PROBE_SECONDS = 30
# While the database is down the listener retries about every second (a refused connect costs
# it nothing), so the first edit after it is back reaches every TV within a second or two,
# however long the outage. The jitter keeps a fleet's retries from landing together.
RECONNECT_MAX_SECONDS = 1.0
# Menus whose latest version the hub remembers, whether or not it has TVs on them: a hello
# that read a version just before a change lands catches up from here (see `_show`).
LATEST_REMEMBERED = 10_000
# A drain closes a batch of TVs every half second, whatever the window: each comes back
# within 0.5 s, so the other tasks take them at an even rate however many this task held.
DRAIN_BATCH_SECONDS = 0.5
# How often a connected TV refreshes last_seen_at (the editor calls it online for 90 s).
SEEN_EVERY_SECONDS = 60
# last_seen_at is written for all TVs at once, so a reconnect storm costs a few statements.
SEEN_WRITE_SECONDS = 1
# A TV says hello first, within 10 s; then it pings every 25 s, so a minute of silence means
# it is gone (or not following the protocol). One sweep a second checks them all.
HELLO_TIMEOUT_SECONDS = 10
IDLE_TIMEOUT_SECONDS = 60
SWEEP_SECONDS = 1


class Hub:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, registry: CollectorRegistry) -> None:
        self.pool = pool
        self.settings = settings
        self.boards = Boards(pool)
        self.greetings = Greetings(pool)
        self.feeds = MenuFeeds()  # live embeds: they follow menus outside the TV protocol
        self.tvs: set[TvSocket] = set()
        self.by_menu: dict[int, set[TvSocket]] = {}
        self.by_display: dict[int, set[TvSocket]] = {}
        self.pairings = Pairings(pool, settings, self._show)
        self.pushed: dict[int, int] = {}  # menu id → the latest version pushed to its TVs
        self.latest: dict[int, int] = {}  # menu id → the latest version heard of (bounded)
        # Menu id → when the board its TVs were last sent next changes by the schedule (#16),
        # and of which version. Kept here, per menu shown, not in a cache: a boundary must
        # never be forgotten. `upcoming`: the board from then on, built shortly before.
        self.changes_at: dict[int, tuple[datetime, int]] = {}
        self.upcoming: dict[int, BoardMessage] = {}
        # Display id → when it next shows another menu by day-part (#16; only displays here).
        self.switches: dict[int, datetime] = {}
        # ... and which menu that is: its TVs hold that menu's board ahead (`next_menus.py`).
        self.next_menus = NextMenus(self.boards, self.tvs, self.by_display)
        self.levels = LevelPushes(pool, self.boards, self.by_menu, self.upcoming, self._spawn)
        self.connected = Gauge(
            "chalkboard_tv_sockets", "TV WebSockets open on this process", registry=registry
        )
        # TV-hours online: what a TV costs is mostly how long it is connected (docs/cost.md).
        self.connected_seconds = Counter(
            "chalkboard_tv_connected_seconds",
            "Seconds TV WebSockets were open on this process, summed over the TVs",
            registry=registry,
        )
        self.registry = registry
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self.listening = False  # the LISTEN connection is up (a health signal, not a gate)
        self._chores: list[asyncio.Task[None]] = []
        # Display id → (app version, screen) it reported, or None: seen, nothing reported.
        self._seen: dict[int, tuple[str, str] | None] = {}

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, url: str) -> None:
        """Start listening; the first connection must succeed, as the pool's did."""
        self._url = url
        conn = await self._listen()
        self._listener = asyncio.create_task(self._keep_listening(conn))
        self._chores = [asyncio.create_task(self._sweep()), asyncio.create_task(self._write_seen())]

    async def stop(self) -> None:
        self.feeds.close_all()
        for task in [self._listener, *self._chores, *self._tasks]:
            if task is not None:
                task.cancel()
        await asyncio.gather(*self._tasks, *self._chores, return_exceptions=True)
        if self._listener is not None:
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._flush_seen()
        self.registry.unregister(self.connected)
        self.registry.unregister(self.connected_seconds)

    async def drain(self, seconds: float) -> None:
        """Close every TV with 1012 in batches spread over `seconds`, so that they come back
        (to the other tasks) spread out too, not as one reconnect storm."""
        self.feeds.close_all()  # a feed's follower reconnects on its own, to another task
        tvs = list(self.tvs)
        batches = min(max(1, int(seconds / DRAIN_BATCH_SECONDS)), len(tvs))
        for batch in range(batches):
            if batch:
                await asyncio.sleep(seconds / batches)
            for tv in tvs[batch::batches]:
                tv.close(protocol.RESTARTING)

    # --- the endpoint's side -----------------------------------------------------------------

    def connect(self, websocket: WebSocket) -> TvSocket:
        tv = TvSocket(websocket, asyncio.get_running_loop().time())
        self.tvs.add(tv)
        self.connected.inc()
        return tv

    def disconnect(self, tv: TvSocket) -> None:
        self.tvs.discard(tv)
        self.connected.dec()
        self._unsubscribe(tv)
        tv.finish()

    async def hello(self, tv: TvSocket, hello: Hello) -> None:
        if hello.token is None:
            tv.pairing = asyncio.create_task(self.pairings.offer_codes(tv))
            return
        showing = await self.greetings.showing(tokens.hash_token(hello.token))
        if showing is None:
            tv.close(protocol.UNAUTHORIZED)
            return
        screen = f"{hello.screen.w}x{hello.screen.h}" if hello.screen else ""
        self._seen[showing.display.id] = (hello.app, screen)
        tv.seen_at = asyncio.get_running_loop().time()
        tv.next_menu = hello.holds()
        await self._show([tv], showing, version=hello.shows(showing.display.menu_id))

    def heartbeat(self, tv: TvSocket) -> None:
        """A ping from a paired TV: refresh last_seen_at, at most once a minute per TV."""
        now = asyncio.get_running_loop().time()
        if tv.display_id is None or now - tv.seen_at < SEEN_EVERY_SECONDS:
            return
        tv.seen_at = now
        self._seen.setdefault(tv.display_id, None)

    # --- what the TVs show ---------------------------------------------------------------------

    async def _show(
        self, tvs: Iterable[TvSocket], showing: Showing, *, version: int | None = None
    ) -> None:
        """Bring TVs to a display: its settings if they changed, its menu's current board if
        they show another menu (or `up_to_date` when a TV says it has it), and the board of
        its next menu by day-part when that switch is near."""
        tvs = list(tvs)
        display_id = showing.display.id
        if showing.switch_at is None:
            self.switches.pop(display_id, None)
        else:
            self.switches[display_id] = showing.switch_at
        self.next_menus.plan(showing)
        await self._bring(tvs, showing, version)
        await self.next_menus.offer(display_id, tvs)

    async def _bring(self, tvs: list[TvSocket], showing: Showing, version: int | None) -> None:
        display = showing.display
        text = protocol.display(display)
        behind: list[TvSocket] = []
        for tv in tvs:
            if tv.close_code is not None or tv not in self.tvs:
                continue  # gone while this update was on its way
            if tv.display_text != text:
                tv.display_text = text
                tv.send(text)
            if tv.display_id is None or display.menu_id != tv.menu_id:
                self._subscribe(tv, display, version)
                behind.append(tv)
        if not behind:
            return
        if display.menu_id is None:
            for tv in behind:
                tv.send(protocol.NO_MENU)
            return
        board = None
        claimed = [tv.version for tv in behind]  # the version each TV said it shows
        if showing.menu_version is not None:
            # `showing` was read before these TVs were subscribed; a change heard in between
            # found nobody here to push to, so show the later of the two. (Changes heard
            # from now on reach them through by_menu.)
            newest = max(showing.menu_version, self.latest.get(display.menu_id, 0))
            for tv in behind:  # that board is on its way: an older push must not overtake it
                tv.version = newest
            board = await self.boards.get(
                venue_id=display.venue_id, menu_id=display.menu_id, version=newest
            )
            self._sent(display.menu_id, board)
        for tv, had in zip(behind, claimed, strict=True):
            if tv.menu_id != display.menu_id:
                continue  # moved to another menu while the board was read
            if board is None:
                tv.send(protocol.NO_MENU)  # the menu was deleted just now
            elif (tv.version or 0) > board.version:
                continue  # a newer board was pushed to it while this one was read
            elif had == board.version and not board.scheduled:
                tv.send(protocol.up_to_date(board.version))
            elif had == board.version:
                # Schedules (#16): with day-parts, the same version may show differently than
                # when the TV got it (it was offline over a boundary): send it as it is now.
                tv.send_frame(board.frame)
            else:
                tv.version = board.version
                tv.send_frame(board.frame)

    def _subscribe(self, tv: TvSocket, display: Display, version: int | None) -> None:
        self._unsubscribe(tv)
        tv.display_id, tv.venue_id, tv.menu_id = display.id, display.venue_id, display.menu_id
        tv.version = version
        self.by_display.setdefault(display.id, set()).add(tv)
        if display.menu_id is not None:
            self.by_menu.setdefault(display.menu_id, set()).add(tv)

    def _unsubscribe(self, tv: TvSocket) -> None:
        if tv.display_id is not None:
            if not _discard(self.by_display, tv.display_id, tv):
                self.switches.pop(tv.display_id, None)
                self.next_menus.drop(tv.display_id)
            if tv.menu_id is not None and not _discard(self.by_menu, tv.menu_id, tv):
                self.pushed.pop(tv.menu_id, None)
                self.changes_at.pop(tv.menu_id, None)
                self.upcoming.pop(tv.menu_id, None)

    async def _menu_changed(self, menu_id: int, version: int) -> None:
        self.next_menus.edited(menu_id, version)
        tvs = self.by_menu.get(menu_id)
        if not tvs or version <= self.pushed.get(menu_id, 0):
            return
        board = await self.boards.get(venue_id=_venue_of(tvs), menu_id=menu_id, version=version)
        if board is None or menu_id not in self.by_menu:
            return
        self.pushed[menu_id] = max(board.version, self.pushed.get(menu_id, 0))
        self._sent(menu_id, board)
        for tv in self.by_menu[menu_id]:
            tv.offer_board(board)

    # --- schedules (#16): a day-part boundary changes a board without a new version ------------

    def showing(self) -> dict[int, datetime]:
        """Menu id -> when the board its TVs have next changes by the schedule (menus whose
        board never does are left out)."""
        return {menu_id: when for menu_id, (when, _) in self.changes_at.items()}

    def _sent(self, menu_id: int, board: BoardMessage | None) -> None:
        """`board` (the newest) is on its way to the menu's TVs: note when it next changes."""
        if board is None or board.ends is None or menu_id not in self.by_menu:
            self.changes_at.pop(menu_id, None)
            self.upcoming.pop(menu_id, None)
        elif board.version >= self.pushed.get(menu_id, 0):
            noted = (board.ends, board.version)
            if self.changes_at.get(menu_id) != noted:
                self.changes_at[menu_id] = noted
                self.upcoming.pop(menu_id, None)

    async def prepare(self, menu_id: int) -> None:
        """Build the board a menu's TVs get at its next change, ahead of it: at a boundary
        shared by many venues, reading their boards then would hold every TV up."""
        noted = self.changes_at.get(menu_id)
        tvs = self.by_menu.get(menu_id)
        if noted is None or not tvs or menu_id in self.upcoming:
            return
        when, version = noted
        board = await self.boards.at(
            venue_id=_venue_of(tvs), menu_id=menu_id, version=version, when=when
        )
        if board is not None and self.changes_at.get(menu_id) == noted:
            self.upcoming[menu_id] = board

    async def reshow(self, menu_id: int) -> None:
        """Send a menu's TVs its board again, as it shows now (same version, new day-part)."""
        tvs = self.by_menu.get(menu_id)
        version = _version_of(tvs or set())
        if not tvs or version is None:
            return
        board = self.upcoming.pop(menu_id, None)
        if board is None or board.version != version:  # not built yet, or a newer version
            board = await self.boards.get(venue_id=_venue_of(tvs), menu_id=menu_id, version=version)
        self._sent(menu_id, board)
        if board is None:
            return
        for tv in self.by_menu.get(menu_id, ()):
            if tv.version == board.version:  # the others have a newer one on its way
                tv.send_frame(board.frame)

    async def reassign(self, display_ids: list[int]) -> None:
        """Bring these displays' TVs to the menu they show now, as after a change of their
        settings: read them again, and `_show` moves TVs whose menu is not that one."""
        here = [display_id for display_id in display_ids if display_id in self.by_display]
        async with self.pool.acquire() as conn:
            shown = await displays.showings_by_ids(conn, display_ids=here)
        for display_id in display_ids:
            self.switches.pop(display_id, None)
            self.next_menus.drop(display_id)
        for display_id in here:
            await self._apply(display_id, shown.get(display_id))

    async def _display_changed(self, display_id: int, event: str) -> None:
        if display_id not in self.by_display:
            return
        if event == "reload":
            for tv in self.by_display[display_id]:
                tv.send(protocol.RELOAD)
            return
        async with self.pool.acquire() as conn:
            showing = await displays.showing_by_id(conn, display_id=display_id)
        await self._apply(display_id, showing)

    async def _apply(self, display_id: int, showing: Showing | None) -> None:
        tvs = list(self.by_display.get(display_id, ()))
        if showing is None or not _valid(showing.display):
            for tv in tvs:
                tv.close(protocol.UNAUTHORIZED)
        else:
            await self._show(tvs, showing)

    # --- listening -----------------------------------------------------------------------------

    async def _listen(self) -> asyncpg.Connection:
        conn: asyncpg.Connection = await asyncpg.connect(
            self._url, server_settings={"application_name": LISTENER_NAME}
        )
        for channel in CHANNELS:
            await conn.add_listener(channel, self._notified)
        return conn

    async def _keep_listening(self, conn: asyncpg.Connection | None) -> None:
        attempt = 0
        try:
            while True:
                try:
                    if conn is None:
                        conn = await self._listen()
                        # LISTENing again: now catch up on what was said while we were not.
                        await self._resync()
                    attempt = 0
                    self.listening = True
                    await _until_lost(conn)
                    log.warning("the LISTEN connection was lost; reconnecting")
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    # The database is away: say so once, not at every retry of the outage.
                    (log.debug if attempt else log.warning)(
                        "could not LISTEN (%s: %s); retrying every second", type(exc).__name__, exc
                    )
                # Whatever went wrong, this loop must go on: without it no TV hears a change.
                except Exception:
                    log.exception("the LISTEN connection failed; reconnecting")
                self.listening = False
                if conn is not None:
                    conn.terminate()
                    conn = None
                # Jitter, so the processes of a fleet do not all hit a recovering database
                # in the same instant.
                delay = min(RECONNECT_MAX_SECONDS, 0.1 * 2**attempt)
                await asyncio.sleep(random.uniform(delay / 2, delay))  # noqa: S311 (jitter)
                attempt += 1
        finally:
            if conn is not None:
                conn.terminate()

    def _notified(self, conn: Conn, pid: int, channel: str, payload: object) -> None:
        try:
            key, _, value = str(payload).partition(":")
            if channel == "menu_changed":
                self._heard(int(key), int(value))
                self.feeds.changed(int(key), int(value))
                self._spawn(self._menu_changed(int(key), int(value)))
            elif channel == "display_changed":
                self._spawn(self._display_changed(int(key), value))
            elif channel == "display_paired":
                self._spawn(self.pairings.claimed(key))
            elif channel == "keg_levels":  # pours: a small push, throttled (live/levels.py)
                self.levels.poured(int(key))
                self.feeds.poured(int(key))  # live embeds and public pages (embeds/cache.py)
        except ValueError:
            log.warning("ignored a malformed %s notification: %r", channel, payload)

    def _heard(self, menu_id: int, version: int) -> None:
        if version <= self.latest.get(menu_id, 0):
            return
        self.latest.pop(menu_id, None)  # re-inserted last: the dict is oldest-first
        self.latest[menu_id] = version
        if len(self.latest) > LATEST_REMEMBERED:
            del self.latest[next(iter(self.latest))]

    async def _resync(self) -> None:
        """Re-read the state of every display, menu and pairing code this process's TVs show."""
        async with self.pool.acquire() as conn:
            # In one query however many displays: a process may hold thousands of TVs.
            shown = await displays.showings_by_ids(conn, display_ids=list(self.by_display))
            versions = {
                s.display.menu_id: s.menu_version
                for s in shown.values()
                if s.display.menu_id is not None and s.menu_version is not None
            }
            for menu_id, venue_id in self.feeds.followed().items():
                if menu_id not in versions:
                    menu = await menus.get_menu(conn, venue_id=venue_id, menu_id=menu_id)
                    if menu is not None:
                        versions[menu_id] = menu.version
            claimed = await self.pairings.claimed_meanwhile(conn)
        for display_id in list(self.by_display):
            await self._apply(display_id, shown.get(display_id))
        for menu_id, version in versions.items():
            self._heard(menu_id, version)
            self.feeds.changed(menu_id, version)
            await self._menu_changed(menu_id, version)
        for code in claimed:
            await self.pairings.claimed(code)

    # --- chores --------------------------------------------------------------------------------

    async def _sweep(self) -> None:
        """Close the TVs that went quiet: one timer for all of them, not one per socket."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = loop.time()
            for tv in self.tvs:
                quiet_for = IDLE_TIMEOUT_SECONDS if tv.greeted else HELLO_TIMEOUT_SECONDS
                if now - tv.heard_at > quiet_for:
                    tv.close(protocol.PROTOCOL_ERROR)

    async def _write_seen(self) -> None:
        loop = asyncio.get_running_loop()
        ticked = loop.time()
        while True:
            await asyncio.sleep(SEEN_WRITE_SECONDS)
            now = loop.time()
            self.connected_seconds.inc(len(self.tvs) * (now - ticked))
            ticked = now
            await self._flush_seen()

    async def _flush_seen(self) -> None:
        if not self._seen:
            return
        seen, self._seen = self._seen, {}
        try:
            async with self.pool.acquire() as conn:
                await displays.record_seen(conn, seen)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("could not record %d TVs as seen (will retry): %s", len(seen), exc)
            for display_id, report in seen.items():
                self._seen.setdefault(display_id, report)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a live update failed", exc_info=task.exception())


async def _until_lost(conn: asyncpg.Connection) -> None:
    lost = asyncio.Event()
    conn.add_termination_listener(lambda _: lost.set())
    while not conn.is_closed():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lost.wait(), LISTENER_PROBE_SECONDS)
            return
        await conn.fetchval("SELECT 1", timeout=LISTENER_PROBE_SECONDS)


def _discard(index: dict[int, set[TvSocket]], key: int, tv: TvSocket) -> bool:
    """Remove tv from index[key]; whether any TV is left there."""
    tvs = index.get(key)
    if tvs is None:
        return False
    tvs.discard(tv)
    if not tvs:
        del index[key]
    return bool(tvs)


def _version_of(tvs: set[TvSocket]) -> int | None:
    """The newest version the TVs of one menu were sent."""
    return max((tv.version for tv in tvs if tv.version is not None), default=None)


def _venue_of(tvs: set[TvSocket]) -> int:
    """The venue of TVs subscribed to one menu (a display shows only its venue's menus)."""
    return next(iter(tvs)).venue_id


def _valid(display: Display) -> bool:
    return display.revoked_at is None and display.paired
