"""Live push across real server processes sharing one database."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from chalkboard.accounts import queries as accounts
from chalkboard.accounts.sessions import new_api_token
from tests.conftest import ServerProcess
from tests.test_live import TIMEOUT, closed_with, connected, new_tv, receive, tv_socket


@pytest.mark.slow
async def test_an_edit_through_one_process_reaches_a_tv_on_another(
    serve: Callable[..., Awaitable[ServerProcess]], db: asyncpg.Pool
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
