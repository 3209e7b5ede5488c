"""The asyncpg pool: one per process, JSON codecs installed on every connection."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import asyncpg
import orjson

from chalkboard.db import server
from chalkboard.settings import Settings

# Per-connection guards: a runaway query or a forgotten transaction cannot hold locks for long.
SERVER_SETTINGS = {
    "application_name": "chalkboard",
    "statement_timeout": "15s",
    "idle_in_transaction_session_timeout": "60s",
}


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")


async def keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: the app keeps no session
    state on pooled connections (no SET, LISTEN, cursor or advisory lock; the hub LISTENs on
    its own connection), and asyncpg still rolls back an open transaction itself. asyncpg's
    default reset is a round trip on every release."""


async def create_pool(url: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        reset=keep_session,
        server_settings=SERVER_SETTINGS,
        # Recycle idle connections so an RDS failover or a proxy reset does not leave stale ones.
        max_inactive_connection_lifetime=300,
        command_timeout=30,
    )
    assert pool is not None
    return pool


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """One connection for a command-line verb (migrate, demo, user create, ...)."""
    url = await anyio.to_thread.run_sync(server.database_url, settings)
    conn = await asyncpg.connect(url, server_settings={"application_name": "chalkboard-cli"})
    await init_connection(conn)
    try:
        yield conn
    finally:
        await conn.close()
