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


# A transaction-scoped advisory lock on a name, released when the transaction ends.
TAKE_TURN = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"


async def take_turn(conn: Conn, name: str) -> None:
    """Wait until no other transaction holds the turn `name`, then hold it until this one
    ends: what these transactions count and then write cannot race. A stray hash collision
    only makes two names take turns together."""
    await conn.execute(TAKE_TURN, name)
