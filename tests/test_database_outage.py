"""Issue 12: Postgres stopped for 30 s under connected TVs, then started again.

The test runs a Postgres of its own (the embedded one, in its own data directory), so it can
stop and start it without touching the suite's database.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from chalkboard.db import migrate
from chalkboard.db.pool import init_connection
from chalkboard.db.server import embedded_server
from chalkboard.settings import Secret, Settings
from tests.conftest import start_server
from tests.test_live import Tv, connected, new_tv, receive, send, tv_socket
from tests.test_resilience import api_token

OUTAGE_SECONDS = 30
TVS = 20
pytestmark = pytest.mark.slow


@pytest.fixture
def own_postgres() -> Iterator[Any]:
    home = Path(tempfile.mkdtemp(prefix="chalkboard-outage-pg-"))
    server = embedded_server(home / "data")
    yield server
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


def stop(postgres: Any) -> None:
    from pgserver._commands import pg_ctl  # loaded by embedded_server, warnings handled

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=postgres.pgdata, user=postgres.system_user)


@pytest.fixture
async def own_database(own_postgres: Any) -> str:
    url = own_postgres.get_uri()
    conn = await asyncpg.connect(url)
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    return url


async def test_tvs_ride_out_a_database_outage_and_hear_the_first_edit_after_it(
    settings: Settings, own_postgres: Any, own_database: str
) -> None:
    """With Postgres down for 30 s: TVs keep their sockets (and answer pings), writes get 503
    within a second, /readyz stays 200 (the task can serve) while /statusz says the database
    is down; once Postgres is back, the first edit reaches every TV within 2 s of the
    database answering again."""
    db = await asyncpg.create_pool(own_database, min_size=1, max_size=2, init=init_connection)
    assert db is not None
    tv: Tv = await new_tv(db)
    token = await api_token(db, tv)
    slug = await db.fetchval("SELECT slug FROM venues WHERE id = $1", tv.venue_id)
    await db.close()
    ours = replace(settings, database_url=Secret(own_database))
    server, task, live = await start_server(ours)
    api = httpx.AsyncClient(
        base_url=f"{live.url}/api/v1/venues/{slug}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    ops = httpx.AsyncClient(base_url=live.url, timeout=30)
    sockets: list[Any] = []
    try:
        for _ in range(TVS):
            ws, _ = await connected(lambda: tv_socket(live.url), tv)
            sockets.append(ws)

        stop(own_postgres)
        down_at = time.monotonic()
        started = time.monotonic()
        refused = await api.patch(f"/menus/{tv.menu_id}", json={"name": "During the outage"})
        write_seconds = time.monotonic() - started
        await asyncio.sleep(OUTAGE_SECONDS / 2)
        ready = await ops.get("/readyz")
        status = await ops.get("/statusz")
        await asyncio.sleep(OUTAGE_SECONDS - (time.monotonic() - down_at))
        for ws in sockets:  # every TV is still connected and heard
            await send(ws, type="ping")
            assert (await receive(ws))["type"] == "pong"

        own_postgres.ensure_postgres_running()
        back_at = time.monotonic()
        while True:  # the first write that gets through (a pooled connection may be stale)
            saved = await api.patch(f"/menus/{tv.menu_id}", json={"name": "After the outage"})
            if saved.status_code == 200:
                break
            assert saved.status_code == 503, saved.text
            assert time.monotonic() - back_at < 10, "writes did not resume after the outage"
        latest = saved.json()["menu"]["version"]

        async def until_latest(ws: Any) -> None:
            while (await receive(ws)).get("version") != latest:
                pass

        await asyncio.gather(*(until_latest(ws) for ws in sockets))
        reached_all = time.monotonic() - back_at
    finally:
        await api.aclose()
        await ops.aclose()
        for ws in sockets:
            await ws.close()
        server.should_exit = True
        await asyncio.wait_for(task, 30)

    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"]
    assert write_seconds < 1
    assert ready.status_code == 200
    assert status.status_code == 503
    assert status.json()["database"] is False
    assert reached_all <= 2, f"the first edit took {reached_all:.1f} s to reach every TV"
