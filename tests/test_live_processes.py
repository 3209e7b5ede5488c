"""Live push across real server processes sharing one database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from chalkboard.accounts import queries as accounts
from chalkboard.accounts.sessions import new_api_token
from chalkboard.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.test_live import TIMEOUT, closed_with, connected, new_tv, receive, tv_socket

STARTUP_SECONDS = 60
Server = tuple[str, subprocess.Popen[bytes]]  # its URL and its process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def serve(
    settings: Settings, tmp_path: Path
) -> AsyncIterator[Callable[[], Awaitable[Server]]]:
    """Starts `chalkboard serve` processes on the suite's database; stops them after the test."""
    started: list[subprocess.Popen[bytes]] = []

    async def start() -> Server:
        assert settings.database_url is not None
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url.reveal(),
            "SECRET_KEY": TEST_SECRET_KEY,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PUBLIC_BASE_URL": url,
            "SHUTDOWN_DRAIN_SECONDS": "1",
        }
        with (tmp_path / f"serve-{port}.log").open("wb") as log:
            process = subprocess.Popen(  # noqa: ASYNC220 (starts it; never waits here)
                [sys.executable, "-m", "chalkboard", "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).parent.parent,
            )
        started.append(process)
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(STARTUP_SECONDS * 10):
                assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return url, process
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{url} did not become ready")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=TIMEOUT)


@pytest.mark.slow
async def test_an_edit_through_one_process_reaches_a_tv_on_another(
    serve: Callable[[], Awaitable[Server]], db: asyncpg.Pool
) -> None:
    """A menu saved through process A's API is pushed to a TV connected to process B; on
    SIGTERM, B closes the TV with 1012 and exits cleanly."""
    (a, _), (b, process_b) = await serve(), await serve()
    tv = await new_tv(db)
    slug = await db.fetchval("SELECT slug FROM venues WHERE id = $1", tv.venue_id)
    secret, token_hash = new_api_token()
    async with db.acquire() as conn:
        await accounts.create_api_token(
            conn,
            venue_id=tv.venue_id,
            name="POS",
            token_hash=token_hash,
            scope="write",
            created_by=None,
        )
    ws, version = await connected(lambda: tv_socket(b), tv)

    async with httpx.AsyncClient(
        base_url=f"{a}/api/v1/venues/{slug}/", headers={"Authorization": f"Bearer {secret}"}
    ) as api:
        saved = await api.patch(
            f"menus/{tv.menu_id}", json={"name": "Via A"}, headers={"If-Match": f'"{version}"'}
        )
    assert saved.status_code == 200, saved.text
    board = await receive(ws)
    assert (board["version"], board["board"]["menu"]["name"]) == (version + 1, "Via A")

    process_b.send_signal(signal.SIGTERM)
    assert await closed_with(ws) == 1012
    # uvicorn re-raises the SIGTERM it handled once it is done: that is a clean exit too.
    assert await asyncio.to_thread(process_b.wait, TIMEOUT) in (0, -signal.SIGTERM)
