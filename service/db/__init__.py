"""Postgres: where the server is, the pool, and the schema's migrations."""

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What query functions take: a connection of their own (CLI) or one lent by the pool.
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


async def ping(conn: Conn) -> None:
    """A round trip to the server: raises when the database does not answer."""
    await conn.fetchval("SELECT 1")


async def fetch_one(conn: Conn, query: str, *args: object) -> asyncpg.Record:
    """The row a statement always returns (an aggregate, an INSERT ... RETURNING)."""
    row = await conn.fetchrow(query, *args)
    if row is None:
        raise RuntimeError(f"expected a row from: {query.strip().splitlines()[0]}")
    return row
