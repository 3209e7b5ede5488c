"""Issue 12: what happens around the push path — a busy or absent database, slow clients,
a hello racing a change, and a task told to stop — against the real server and Postgres."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chalkboard import tokens
from chalkboard.accounts import queries as accounts
from chalkboard.app import Services
from chalkboard.http import bodies
from chalkboard.live.hub import Hub
from chalkboard.serve import Server
from chalkboard.settings import Settings
from tests.conftest import RunningServer, start_server
from tests.test_live import Tv, connected, hello, new_tv, receive, rename, tv_socket

TIMEOUT = 10


@dataclass
class Running:
    server: Server
    url: str

    @property
    def services(self) -> Services:
        services: Services = self.server.lifespan.state["services"]
        return services


@asynccontextmanager
async def running(settings: Settings, **changes: Any) -> AsyncIterator[Running]:
    """A server of its own (in this process, so a test can reach its hub) with `changes`."""
    server, task, live = await start_server(replace(settings, **changes))
    try:
        yield Running(server, live.url)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def api_token(db: asyncpg.Pool, tv: Tv) -> str:
    token, token_hash = tokens.new_token("cbt_")
    async with db.acquire() as conn:
        await accounts.create_api_token(
            conn,
            venue_id=tv.venue_id,
            name="test",
            token_hash=token_hash,
            scope="write",
            created_by=None,
        )
    return token


async def rename_over_api(url: str, db: asyncpg.Pool, tv: Tv, name: str) -> httpx.Response:
    slug = await db.fetchval("SELECT slug FROM venues WHERE id = $1", tv.venue_id)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await client.patch(
            f"/api/v1/venues/{slug}/menus/{tv.menu_id}",
            json={"name": name},
            headers={"Authorization": f"Bearer {await api_token(db, tv)}"},
        )


@asynccontextmanager
async def menu_row_locked(db: asyncpg.Pool, tv: Tv) -> AsyncIterator[None]:
    """Holds the menu's row lock, so every write to that menu waits inside its statement."""
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("SELECT 1 FROM menus WHERE id = $1 FOR UPDATE", tv.menu_id)
        yield


async def backends_waiting_on_locks(db: asyncpg.Pool, count: int) -> list[int]:
    for _ in range(TIMEOUT * 20):
        pids: list[int] = [
            row["pid"]
            for row in await db.fetch(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'chalkboard' "
                "AND datname = current_database() AND wait_event_type = 'Lock'"
            )
        ]
        if len(pids) >= count:
            return pids
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} requests came to wait on the lock")


async def test_a_cancelled_statement_is_a_503_with_retry_after(
    live: RunningServer, db: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    """When Postgres cancels a statement (a statement timeout), the caller gets 503 with
    Retry-After and a sentence to act on, nothing is saved, and the log has a WARNING, not an
    ERROR with a traceback."""
    tv = await new_tv(db)
    async with menu_row_locked(db, tv):
        saving = asyncio.create_task(rename_over_api(live.url, db, tv, "Never saved"))
        [pid] = await backends_waiting_on_locks(db, 1)
        await db.execute("SELECT pg_cancel_backend($1)", pid)
        answer = await asyncio.wait_for(saving, TIMEOUT)
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"]
    assert "nothing was saved" in answer.json()["error"]["message"]
    assert await db.fetchval("SELECT name FROM menus WHERE id = $1", tv.menu_id) != "Never saved"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r for r in caplog.records if r.levelno == logging.WARNING and "busy" in r.message]


async def test_an_exhausted_pool_is_a_prompt_503_while_tvs_and_readyz_still_answer(
    settings: Settings, db: asyncpg.Pool
) -> None:
    """With every pooled connection busy, a request waits a bounded time for one, then gets
    503 with Retry-After; meanwhile a TV's hello gets its board and /readyz answers 200,
    because neither queues behind editor requests."""
    tv, newcomer = await new_tv(db), await new_tv(db)
    async with running(settings, db_pool_min=1, db_pool_max=2, db_acquire_seconds=1) as server:
        async with menu_row_locked(db, tv):
            stuck = [
                asyncio.create_task(rename_over_api(server.url, db, tv, f"Stuck {n}"))
                for n in range(2)
            ]
            await backends_waiting_on_locks(db, 2)
            started = time.monotonic()
            refused = await rename_over_api(server.url, db, tv, "Refused")
            waited = time.monotonic() - started
            async with tv_socket(server.url) as ws:
                await hello(ws, newcomer.token)
                assert (await receive(ws))["type"] == "display"
                assert (await receive(ws))["type"] == "board"
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert (await client.get("/readyz")).status_code == 200
        assert [(await s).status_code for s in stuck] == [200, 200]
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"]
    assert waited < TIMEOUT


async def stalled_post(url: str, path: str, address: str) -> socket.socket:
    """A POST that promises 60,000 bytes of body, sends 8, then stalls (a raw socket)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {address}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"
        "email=a@".encode()
    )
    return sock


def answer_of(sock: socket.socket) -> str:
    sock.settimeout(TIMEOUT)
    return sock.recv(65536).decode("latin-1")


async def test_stalled_bodies_hold_no_connection_and_are_cut_off_with_408(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies that stall hold a socket, never a pooled connection: with more stalled sign-ins
    than the pool has connections, pages that need the database still answer at once. A body
    that stays stalled past its time is answered 408."""
    monkeypatch.setattr(bodies, "GRACE_SECONDS", 2.0)
    async with running(settings, db_pool_min=1, db_pool_max=2, db_acquire_seconds=1) as server:
        stalled = [await stalled_post(server.url, "/login", f"10.9.0.{n}") for n in range(6)]
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
            page = await client.get("/login")
        answers = await asyncio.gather(*(asyncio.to_thread(answer_of, s) for s in stalled))
        for sock in stalled:
            sock.close()
    assert page.status_code == 200
    assert all(a.startswith("HTTP/1.1 408") for a in answers), answers[0][:200]


async def test_one_address_cannot_hold_many_unfinished_bodies(live: RunningServer) -> None:
    """Past MAX_ARRIVING_PER_ADDRESS unfinished bodies from one address, the next is refused
    at once with 429; another address is unaffected."""
    stalled = [
        await stalled_post(live.url, "/login", "10.8.7.6")
        for _ in range(bodies.MAX_ARRIVING_PER_ADDRESS)
    ]
    await asyncio.sleep(0.2)  # let the server start reading each of them
    one_more = await stalled_post(live.url, "/login", "10.8.7.6")
    other = await stalled_post(live.url, "/login", "10.8.7.7")
    try:
        refused = await asyncio.to_thread(answer_of, one_more)
        assert refused.startswith("HTTP/1.1 429"), refused[:200]
        other.settimeout(0.5)
        with pytest.raises(TimeoutError):
            other.recv(1)  # still waiting for its body, not refused
    finally:
        for sock in [*stalled, one_more, other]:
            sock.close()


async def test_a_change_committed_during_a_hello_still_reaches_the_tv(
    settings: Settings, db: asyncpg.Pool
) -> None:
    """The hello reads the menu's version before the TV is subscribed: a change committed and
    announced in between (forced here) still reaches the TV."""
    tv = await new_tv(db)
    async with running(settings) as server:
        hub: Hub = server.services.hub
        heard: set[int] = set()
        news = asyncio.Event()
        latest = 0
        real_showing, real_changed = hub.greetings.showing, hub._menu_changed

        async def menu_changed(menu_id: int, version: int) -> None:
            await real_changed(menu_id, version)
            if menu_id == tv.menu_id:
                heard.add(version)
                news.set()

        async def showing_then_a_change(token_hash: bytes) -> Any:
            nonlocal latest
            found = await real_showing(token_hash)  # the version the hello will show
            latest = await rename(db, tv, "Changed during the hello")
            async with asyncio.timeout(TIMEOUT):
                while latest not in heard:  # announced, with no TV subscribed to tell
                    news.clear()
                    await news.wait()
            return found

        hub._menu_changed = menu_changed  # type: ignore[method-assign]
        hub.greetings.showing = showing_then_a_change  # type: ignore[method-assign]
        async with tv_socket(server.url) as ws:
            await hello(ws, tv.token)
            assert (await receive(ws))["type"] == "display"
            versions = [(await receive(ws))["version"]]
            while versions[-1] < latest:
                versions.append((await receive(ws))["version"])
    assert versions[-1] == latest


async def test_an_older_change_heard_during_a_hello_does_not_overtake_its_board(
    settings: Settings, db: asyncpg.Pool
) -> None:
    """An older version's NOTIFY that arrives while a hello reads the newest board (forced
    here) sends the TV nothing: it gets the newest board, once, and nothing stale before it."""
    tv = await new_tv(db)
    newest = await rename(db, tv, "Newest")
    async with running(settings) as server:
        hub: Hub = server.services.hub
        real_get = hub.boards.get
        late = [newest - 1]  # the older version, announced late once

        async def get_after_a_late_notice(**key: Any) -> Any:
            if late:
                await hub._menu_changed(tv.menu_id, late.pop())  # the TV is subscribed by now
            return await real_get(**key)

        hub.boards.get = get_after_a_late_notice  # type: ignore[method-assign]
        async with tv_socket(server.url) as ws:
            await hello(ws, tv.token)
            assert (await receive(ws))["type"] == "display"
            board = await receive(ws)
            await ws.send(json.dumps({"type": "ping"}))
            after = await receive(ws)
    assert not late
    assert (board["type"], board["version"]) == ("board", newest)
    assert after["type"] == "pong"


class TaskMetadata:
    """A stand-in for ECS's task metadata endpoint v4 (`GET $URI/task`), on a real port."""

    def __init__(self) -> None:
        self.desired = "RUNNING"

        async def task(request: Request) -> JSONResponse:
            return JSONResponse({"DesiredStatus": self.desired, "KnownStatus": "RUNNING"})

        self.app = Starlette(routes=[Route("/v4/abc/task", task)])


async def test_a_task_ecs_is_stopping_drains_its_tvs_before_sigterm(
    settings: Settings, db: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    """When the task metadata says DesiredStatus STOPPED (a deploy or scale-in deregistering
    the task), the task fails /readyz and moves its TVs away with 1012 in batches, before any
    SIGTERM; new TVs are refused 503 — and none of it logs an ERROR."""
    metadata = TaskMetadata()
    endpoint, endpoint_task, endpoint_live = await start_server_for(metadata.app)
    tv = await new_tv(db)
    try:
        async with running(
            settings,
            ecs_metadata_uri=f"{endpoint_live}/v4/abc",
            shutdown_drain_seconds=2,
        ) as server:
            sockets = [(await connected(lambda: tv_socket(server.url), tv))[0] for _ in range(8)]
            metadata.desired = "STOPPED"
            codes = await asyncio.gather(*(closed_code(ws) for ws in sockets))
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert (await client.get("/readyz")).status_code == 503
            with pytest.raises(Exception, match="503"):
                await tv_socket(server.url)
            assert not server.server.should_exit  # nobody sent SIGTERM
    finally:
        endpoint.should_exit = True
        await endpoint_task
    assert codes == [1012] * 8
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def closed_code(ws: Any) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    except Exception as closed:
        rcvd = getattr(closed, "rcvd", None)
        return rcvd.code if rcvd else None


async def start_server_for(app: Any) -> tuple[Any, asyncio.Task[None], str]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn signals no event)
        await asyncio.sleep(0.02)
    return server, task, f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_tvs_per_task_and_database_health_are_logged_as_cloudwatch_metrics(
    settings: Settings, db: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each task logs a CloudWatch embedded-metric line: its TV sockets (the scaling signal),
    and whether the database and the LISTEN connection answer (for alarms)."""
    tv = await new_tv(db)
    async with running(settings, metrics_log_seconds=1) as server:
        await connected(lambda: tv_socket(server.url), tv)
        await asyncio.sleep(2.5)
    records = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert records
    last = records[-1]
    directive = last["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Chalkboard"
    assert directive["Dimensions"] == [["Service"]]
    assert {m["Name"] for m in directive["Metrics"]} == {"TvSockets", "DatabaseUp", "ListenerUp"}
    assert last["TvSockets"] >= 1
    assert (last["DatabaseUp"], last["ListenerUp"]) == (1, 1)
