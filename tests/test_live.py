"""The TV protocol (docs/protocol.md) against the real app: sockets, pushes, pairing, drains."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from chalkboard import tokens
from chalkboard.db.pool import init_connection
from chalkboard.displays import queries as displays
from chalkboard.live import frames, hub, pairing, sockets
from chalkboard.live.frames import framed
from chalkboard.live.greetings import Greetings
from chalkboard.live.hub import LISTENER_NAME
from chalkboard.menus import operations
from chalkboard.settings import Settings
from tests.conftest import RunningServer, start_server
from tests.test_menu_operations import ACTOR, new_venue

TIMEOUT = 10  # generous: the machine is shared; a healthy push takes milliseconds


@dataclass
class Tv:
    """A paired display of a fresh venue, and its token."""

    venue_id: int
    menu_id: int
    display_id: int
    token: str


async def new_tv(db: asyncpg.Pool, *, with_menu: bool = True, entries: int = 0) -> Tv:
    venue = await new_venue(db, entries)
    token, token_hash = tokens.new_token("cbd_")
    async with db.acquire() as conn, conn.transaction():
        display = await displays.create_display(
            conn,
            venue_id=venue["venue_id"],
            name="Bar TV",
            menu_id=venue["menu_id"] if with_menu else None,
        )
        await conn.execute(
            "UPDATE displays SET token_hash = $1 WHERE id = $2", token_hash, display.id
        )
    return Tv(venue["venue_id"], venue["menu_id"], display.id, token)


def tv_socket(url: str, origin: str | None = None, **options: Any) -> connect:
    """A TV's connection to the server at `url` (sending that server's Origin by default)."""
    return connect(
        url.replace("http", "ws", 1) + "/tv/ws",
        origin=Origin(origin or url),
        proxy=None,
        open_timeout=TIMEOUT,
        **options,
    )


@pytest.fixture
async def open_socket(live: RunningServer) -> AsyncIterator[Any]:
    """Opens TV sockets (to the live server by default); closes them after the test."""
    opened: list[ClientConnection] = []

    async def open_(url: str = live.url, origin: str | None = None) -> ClientConnection:
        opened.append(ws := await tv_socket(url, origin))
        return ws

    yield open_
    for ws in opened:
        await ws.close()


async def send(ws: ClientConnection, **message: Any) -> None:
    await ws.send(json.dumps(message))


async def hello(ws: ClientConnection, token: str | None, **fields: Any) -> None:
    await send(ws, type="hello", token=token, app="test/1", screen={"w": 1920, "h": 1080}, **fields)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    return message


async def closed_with(ws: ClientConnection) -> int | None:
    """The code the server closed the socket with (messages before it are skipped)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def connected(open_socket: Any, tv: Tv) -> tuple[ClientConnection, int]:
    """A TV socket past hello, showing the current board: (socket, its version)."""
    ws = await open_socket()
    await hello(ws, tv.token, menu=None, version=None)
    assert (await receive(ws))["type"] == "display"
    board = await receive(ws)
    assert board["type"] == "board"
    return ws, board["version"]


async def rename(db: asyncpg.Pool, tv: Tv, name: str) -> int:
    """Commit an edit of the TV's menu; its new version."""
    async with db.acquire() as conn, conn.transaction():
        board = await operations.rename_menu(
            conn,
            venue_id=tv.venue_id,
            menu_id=tv.menu_id,
            based_on=None,
            name=name,
            actor=ACTOR,
        )
    version: int = board["menu"]["version"]
    return version


async def test_hellos_that_arrive_together_share_one_query(
    database_url: str, db: asyncpg.Pool
) -> None:
    """Hellos arriving at once (a reconnect storm) are looked up in one query; each gets its
    own display, and an unknown or revoked token gets nothing."""
    tvs = [await new_tv(db) for _ in range(6)]
    revoked = tvs.pop()
    async with db.acquire() as conn:
        await displays.revoke_display(
            conn, venue_id=revoked.venue_id, display_id=revoked.display_id
        )
    lookups: list[str] = []

    async def init(conn: asyncpg.Connection) -> None:
        await init_connection(conn)
        conn.add_query_logger(lambda logged: lookups.append(logged.query))

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=init)
    assert pool is not None
    try:
        greetings = Greetings(pool)
        asked = [tokens.hash_token(tv.token) for tv in (*tvs, revoked)] * 3
        asked.append(tokens.hash_token("cbd_unknown"))
        shown = await asyncio.gather(*(greetings.showing(h) for h in asked))
    finally:
        await pool.close()
    assert len([q for q in lookups if "token_hash = ANY" in q]) == 1
    expected = [tv.display_id for tv in tvs] + [None]
    assert [s.display.id if s else None for s in shown] == expected * 3 + [None]


async def test_a_paired_tv_gets_its_display_then_its_board(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """hello with a valid token → `display`, then `board` with its venue; the visit is recorded."""
    tv = await new_tv(db)
    ws = await open_socket()
    await hello(ws, tv.token, menu=None, version=None)
    display = await receive(ws)
    assert display == {
        "type": "display",
        "display": {"id": tv.display_id, "name": "Bar TV", "orientation": "landscape", "theme": {}},
    }
    board = await receive(ws)
    assert board["type"] == "board"
    assert board["board"]["menu"]["id"] == tv.menu_id
    assert board["version"] == board["board"]["menu"]["version"]
    assert board["venue"] == {"name": "Ops", "currency": "USD", "volume_unit": "oz"}
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        seen = await db.fetchrow(
            "SELECT app_version, screen FROM displays WHERE id = $1", tv.display_id
        )
        if dict(seen) == {"app_version": "test/1", "screen": "1920x1080"}:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the visit was not recorded: {dict(seen)}")


async def test_a_tv_showing_the_current_version_is_up_to_date(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """hello with the menu and version it shows, when current → `up_to_date`, not the board."""
    tv = await new_tv(db)
    _, version = await connected(open_socket, tv)
    ws = await open_socket()
    await hello(ws, tv.token, menu=tv.menu_id, version=version)
    assert (await receive(ws))["type"] == "display"
    assert await receive(ws) == {"type": "up_to_date", "version": version}
    await send(ws, type="ping")
    pong = await receive(ws)
    assert pong["type"] == "pong"
    assert isinstance(pong["server_time"], int)


async def test_the_same_version_of_another_menu_still_gets_the_board(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """A TV whose display was moved to another menu gets its board even at an equal version."""
    tv = await new_tv(db)
    ws = await open_socket()
    await hello(ws, tv.token, menu=tv.menu_id + 1_000_000, version=1)
    assert (await receive(ws))["type"] == "display"
    assert (await receive(ws))["type"] == "board"


async def test_a_display_without_a_menu_is_told_so(open_socket: Any, db: asyncpg.Pool) -> None:
    """hello for a display with no menu → `display`, then `no_menu`."""
    tv = await new_tv(db, with_menu=False)
    ws = await open_socket()
    await hello(ws, tv.token, menu=None, version=None)
    assert (await receive(ws))["type"] == "display"
    assert await receive(ws) == {"type": "no_menu"}


async def test_an_edit_reaches_every_tv_on_that_menu(open_socket: Any, db: asyncpg.Pool) -> None:
    """A committed edit is pushed to each TV showing the menu, with the new version."""
    tv = await new_tv(db)
    (first, version), (second, _) = (
        await connected(open_socket, tv),
        await connected(open_socket, tv),
    )
    new_version = await rename(db, tv, "Tonight")
    assert new_version > version
    for ws in (first, second):
        board = await receive(ws)
        assert (board["type"], board["version"]) == ("board", new_version)
        assert board["board"]["menu"]["name"] == "Tonight"


async def test_display_changes_are_pushed(open_socket: Any, db: asyncpg.Pool) -> None:
    """Staff renaming the display → `display`; moving it to another menu → `display` and that
    menu's board; asking for a reload → `reload`."""
    tv = await new_tv(db)
    ws, _ = await connected(open_socket, tv)
    async with db.acquire() as conn, conn.transaction():
        await displays.update_display(
            conn,
            venue_id=tv.venue_id,
            display_id=tv.display_id,
            name="Back bar",
            menu_id=tv.menu_id,
            orientation="portrait",
            theme={"columns": 2},
        )
        await displays.notify_display_changed(conn, display_id=tv.display_id, event="updated")
    assert await receive(ws) == {
        "type": "display",
        "display": {
            "id": tv.display_id,
            "name": "Back bar",
            "orientation": "portrait",
            "theme": {"columns": 2},
        },
    }
    async with db.acquire() as conn, conn.transaction():
        second = await operations.create_menu(
            conn, venue_id=tv.venue_id, name="Bottles", actor=ACTOR
        )
        await displays.update_display(
            conn,
            venue_id=tv.venue_id,
            display_id=tv.display_id,
            name="Back bar",
            menu_id=second["menu"]["id"],
            orientation="portrait",
            theme={"columns": 2},
        )
        await displays.notify_display_changed(conn, display_id=tv.display_id, event="updated")
    board = await receive(ws)
    assert (board["type"], board["board"]["menu"]["id"]) == ("board", second["menu"]["id"])
    async with db.acquire() as conn, conn.transaction():
        await displays.notify_display_changed(conn, display_id=tv.display_id, event="reload")
    assert await receive(ws) == {"type": "reload"}


async def test_pairing_gives_the_tv_a_token_it_can_come_back_with(
    open_socket: Any, db: asyncpg.Pool, live: RunningServer
) -> None:
    """hello with no token → a code; staff claim it → `paired` with a token whose hash is
    stored, then `display` and `board`; the token works on the next connection."""
    tv = await new_tv(db)
    ws = await open_socket()
    await hello(ws, None, menu=None, version=None)
    pairing = await receive(ws)
    code = pairing["code"]
    assert pairing["type"] == "pairing"
    assert len(code) == 6
    assert not set(code) & set("IO01")
    assert pairing["claim_url"] == f"{live.url}/pair?code={code}"
    assert pairing["qr_url"] == f"/tv/qr/{code}.svg"
    async with db.acquire() as conn, conn.transaction():
        display = await displays.create_display(
            conn, venue_id=tv.venue_id, name="Patio", menu_id=tv.menu_id
        )
        assert await displays.claim_pairing_code(
            conn, code=code, venue_id=tv.venue_id, display_id=display.id
        )
        await displays.notify_display_paired(conn, code=code, display_id=display.id)
    paired = await receive(ws)
    assert paired["type"] == "paired"
    stored = await db.fetchval("SELECT token_hash FROM displays WHERE id = $1", display.id)
    assert stored == tokens.hash_token(paired["token"])
    assert (await receive(ws))["display"]["name"] == "Patio"
    assert (await receive(ws))["type"] == "board"

    again = await open_socket()
    await hello(again, paired["token"], menu=None, version=None)
    assert (await receive(again))["display"]["id"] == display.id


async def test_an_unknown_token_is_closed_4001(open_socket: Any) -> None:
    """hello with a token that matches no display → closed with 4001."""
    ws = await open_socket()
    await hello(ws, "cbd_not-a-token")
    assert await closed_with(ws) == 4001


async def test_a_revoked_display_is_closed_4001(open_socket: Any, db: asyncpg.Pool) -> None:
    """Revoking a display closes its TVs with 4001 within 5 s, and its token stops working."""
    tv = await new_tv(db)
    ws, _ = await connected(open_socket, tv)
    async with db.acquire() as conn, conn.transaction():
        assert await displays.revoke_display(conn, venue_id=tv.venue_id, display_id=tv.display_id)
        await displays.notify_display_changed(conn, display_id=tv.display_id, event="revoked")
    started = time.monotonic()
    assert await closed_with(ws) == 4001
    assert time.monotonic() - started < 5
    again = await open_socket()
    await hello(again, tv.token)
    assert await closed_with(again) == 4001


async def test_another_sites_page_cannot_open_a_socket(open_socket: Any) -> None:
    """A handshake whose Origin is not PUBLIC_BASE_URL's is refused with 403."""
    with pytest.raises(InvalidStatus) as refused:
        await open_socket(origin="https://evil.example")
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{not json", 4002),
        ('{"type": "shout"}', 4002),
        ('{"type": "ping"}', 4002),  # before hello
        ('{"type": "hello", "token": 7}', 4002),
        ('{"type": "hello", "token": null, "pad": "' + "x" * 5000 + '"}', 1009),
        ("x" * 70_000, 1009),  # past uvicorn's own frame limit
        (b"binary", 4002),
    ],
    ids=["malformed", "unknown-type", "ping-first", "bad-field", "over-4k", "over-64k", "binary"],
)
async def test_protocol_errors_close_the_socket(
    open_socket: Any, message: str | bytes, code: int
) -> None:
    """Malformed, unknown, out-of-order or oversized messages close the socket (4002/1009)."""
    ws = await open_socket()
    await ws.send(message)
    assert await closed_with(ws) == code


async def test_a_tv_that_says_no_hello_is_closed_4002(
    open_socket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hello within the hello timeout → closed with 4002."""
    monkeypatch.setattr(hub, "HELLO_TIMEOUT_SECONDS", 0.3)
    ws = await open_socket()
    assert await closed_with(ws) == 4002


async def test_a_tv_silent_for_too_long_is_closed_4002(
    open_socket: Any, db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TV that sends nothing (not even ping) for the idle timeout after hello → 4002."""
    monkeypatch.setattr(hub, "IDLE_TIMEOUT_SECONDS", 0.3)
    ws, _ = await connected(open_socket, await new_tv(db))
    assert await closed_with(ws) == 4002


async def test_an_expired_pairing_code_is_replaced(
    open_socket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a TV's pairing code expires unclaimed, it is sent a fresh one."""
    monkeypatch.setattr(pairing, "PAIRING_VALID_FOR", timedelta(seconds=0.5))
    monkeypatch.setattr(pairing, "PAIRING_GRACE_SECONDS", 0)
    ws = await open_socket()
    await hello(ws, None)
    first, second = await receive(ws), await receive(ws)
    assert first["type"] == second["type"] == "pairing"
    assert first["code"] != second["code"]


@contextlib.asynccontextmanager
async def stuck_tv(
    live: RunningServer, db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ClientConnection]:
    """A TV that stopped reading (small window, paused transport) and has been pushed more
    than the kernel's buffers hold, while a second TV of its menu got every push in time."""
    monkeypatch.setattr(sockets, "MAX_BUFFERED_BYTES", 1)  # any backlog beyond the kernel's
    tv = await new_tv(db, entries=4)
    async with db.acquire() as conn:  # a board of about 18 KB
        await conn.execute(
            "UPDATE beverages SET description = repeat('Hazy. ', 333) WHERE venue_id = $1",
            tv.venue_id,
        )
    url = urlsplit(live.url)
    stuck_sock = socket.socket()
    stuck_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    stuck_sock.connect((url.hostname, url.port))
    async with tv_socket(live.url, sock=stuck_sock) as stuck, tv_socket(live.url) as keeping_up:
        for ws in (stuck, keeping_up):
            await hello(ws, tv.token, menu=None, version=None)
            assert [(await receive(ws))["type"] for _ in "ab"] == ["display", "board"]
        stuck.transport.pause_reading()
        for n in range(400):  # 7 MB: the kernel holds about 2 MB for a stalled socket
            version = await rename(db, tv, f"Edit {n}")
            while (await receive(keeping_up))["version"] != version:
                pass
        yield stuck


async def test_a_tv_that_cannot_keep_up_is_closed_4008(
    live: RunningServer, db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TV that falls behind is closed with 4008 once what it has not read passes the limit
    (it reconnects and resyncs); sending to it never held up the other TV."""
    monkeypatch.setattr(frames, "CLOSE_TIMEOUT_SECONDS", 60)  # however slow the pushes were
    async with stuck_tv(live, db, monkeypatch) as stuck:
        stuck.transport.resume_reading()
        assert await closed_with(stuck) == 4008


async def test_a_tv_that_reads_nothing_is_cut_off(
    live: RunningServer, db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TV that does not even read its close is cut off after the close timeout (its
    connection and unsent bytes do not linger): it then finds its connection reset."""
    monkeypatch.setattr(frames, "CLOSE_TIMEOUT_SECONDS", 0.5)
    async with stuck_tv(live, db, monkeypatch) as stuck:
        await asyncio.sleep(1)
        stuck.transport.resume_reading()
        assert await closed_with(stuck) is None  # reset: no close frame ever arrived


async def test_a_token_shows_only_its_own_venues_board(open_socket: Any, db: asyncpg.Pool) -> None:
    """A TV of venue A never receives venue B's board, even while B's menu changes."""
    ours, theirs = await new_tv(db), await new_tv(db)
    ws, _ = await connected(open_socket, ours)
    await rename(db, theirs, "Not yours")
    version = await rename(db, ours, "Yours")
    board = await receive(ws)
    assert (board["board"]["menu"]["id"], board["version"]) == (ours.menu_id, version)


async def test_tvs_converge_when_the_listener_connection_is_killed(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """An edit committed while the LISTEN connection is down still reaches the TV: the hub
    reconnects and re-reads every version its TVs show."""
    tv = await new_tv(db)
    ws, _ = await connected(open_socket, tv)
    async with db.acquire() as conn, conn.transaction():
        killed = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            LISTENER_NAME,
        )
        assert killed >= 1
        board = await operations.rename_menu(
            conn, venue_id=tv.venue_id, menu_id=tv.menu_id, based_on=None, name="X", actor=ACTOR
        )
    latest = board["menu"]["version"]
    while (pushed := await receive(ws))["version"] < latest:
        pass
    assert pushed["version"] == latest


async def test_a_display_revoked_while_the_listener_is_down_is_closed(
    open_socket: Any, db: asyncpg.Pool
) -> None:
    """A revoke committed while the LISTEN connection is down (its NOTIFY lost) still closes
    the TV with 4001, and a TV on another display keeps its socket: the re-read after the
    reconnect covers every display."""
    revoked, kept = await new_tv(db), await new_tv(db)
    revoked_ws, _ = await connected(open_socket, revoked)
    kept_ws, _ = await connected(open_socket, kept)
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            LISTENER_NAME,
        )
        assert await displays.revoke_display(
            conn, venue_id=revoked.venue_id, display_id=revoked.display_id
        )
    assert await closed_with(revoked_ws) == 4001
    await send(kept_ws, type="ping")
    assert (await receive(kept_ws))["type"] == "pong"


async def test_connected_tvs_are_counted(
    open_socket: Any, db: asyncpg.Pool, live: RunningServer
) -> None:
    """/metrics reports the TV sockets open on the process."""
    tv = await new_tv(db)
    await connected(open_socket, tv)
    async with httpx.AsyncClient(base_url=live.url) as client:
        metrics = (await client.get("/metrics")).text
    count = next(
        float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("chalkboard_tv_sockets ")
    )
    assert count >= 1


async def test_a_shutdown_drains_tvs_in_batches_over_the_window(
    settings: Settings, open_socket: Any, db: asyncpg.Pool
) -> None:
    """On exit the server fails /readyz, then closes every TV with 1012 in batches spread
    over SHUTDOWN_DRAIN_SECONDS (not all at once), refusing new TVs with 503, then stops."""
    window = 2.0
    server, task, running = await start_server(replace(settings, shutdown_drain_seconds=window))
    url = running.url
    tv = await new_tv(db)
    sockets = []
    for _ in range(20):
        ws = await open_socket(url)
        await hello(ws, tv.token)
        assert (await receive(ws))["type"] == "display"
        sockets.append(ws)

    async def close_time(ws: ClientConnection) -> tuple[int | None, float]:
        code = await closed_with(ws)
        return code, time.monotonic()

    readiness: list[int] = []
    refused: list[int] = []

    async def poll_readyz() -> None:
        async with httpx.AsyncClient(base_url=url) as client:
            while not task.done():
                try:
                    readiness.append((await client.get("/readyz")).status_code)
                except httpx.TransportError:
                    return  # the listening socket is closed: the drain is over
                if readiness[-1] == 503 and not refused:
                    try:
                        await open_socket(url)
                    except InvalidStatus as error:
                        refused.append(error.response.status_code)
                await asyncio.sleep(0.05)

    closes = [asyncio.create_task(close_time(ws)) for ws in sockets]
    poller = asyncio.create_task(poll_readyz())
    server.should_exit = True
    results = await asyncio.gather(*closes)
    await asyncio.wait_for(task, TIMEOUT + window)
    await poller
    assert {code for code, _ in results} == {1012}
    assert refused == [503]
    times = sorted(at for _, at in results)
    assert times[-1] - times[0] > window / 2, "the closes were not spread over the window"
    assert 503 in readiness


async def test_pings_keep_a_connected_tv_online(
    open_socket: Any, db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paired TV's pings refresh last_seen_at, so the editor keeps calling it online."""
    monkeypatch.setattr(hub, "SEEN_EVERY_SECONDS", 0)
    tv = await new_tv(db)
    ws, _ = await connected(open_socket, tv)
    await db.execute(
        "UPDATE displays SET last_seen_at = now() - interval '1 hour' WHERE id = $1",
        tv.display_id,
    )
    await send(ws, type="ping")
    assert (await receive(ws))["type"] == "pong"
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        age = await db.fetchval(
            "SELECT now() - last_seen_at FROM displays WHERE id = $1", tv.display_id
        )
        if age.total_seconds() < 60:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("last_seen_at was not refreshed by the ping")


async def test_deleting_a_menu_tells_its_tvs(open_socket: Any, db: asyncpg.Pool) -> None:
    """A TV whose menu is deleted hears about it at once: its display has no menu now."""
    tv = await new_tv(db)
    ws, _ = await connected(open_socket, tv)
    async with db.acquire() as conn, conn.transaction():
        await operations.delete_menu(conn, venue_id=tv.venue_id, menu_id=tv.menu_id)
    assert (await receive(ws))["type"] == "no_menu"


def test_tv_sockets_refuse_to_run_without_the_frames_protocol() -> None:
    """Served by another ASGI server (no `chalkboard.frames` extension), a TV socket fails
    loudly and says what to run, instead of pushing nothing."""
    with pytest.raises(RuntimeError, match="chalkboard serve"):
        framed({"websocket.http.response": {}})
