"""Looking up the display behind each hello's token, many tokens per query.

After a restart thousands of TVs say hello within seconds. One query (and one pooled
connection) per hello was a good part of what a reconnect storm cost the server and the
database, so lookups are batched: while one query runs, the hellos that arrive wait for the
next, which asks for all of them at once. A lone hello still costs exactly one query, and
waits for nothing but it.
"""

from __future__ import annotations

import asyncio

import asyncpg

from chalkboard.displays import queries as displays
from chalkboard.displays.queries import Showing

# The live pool serves only TVs; a wait this long means the database is in trouble.
ACQUIRE_SECONDS = 10


class Greetings:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._waiting: dict[bytes, list[asyncio.Future[Showing | None]]] = {}
        self._looking: asyncio.Task[None] | None = None

    async def showing(self, token_hash: bytes) -> Showing | None:
        """What the display with this token shows; None for an unknown or revoked token."""
        found: asyncio.Future[Showing | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(token_hash, []).append(found)
        if self._looking is None:
            self._looking = asyncio.create_task(self._look_up())
        return await found

    async def _look_up(self) -> None:
        batch: dict[bytes, list[asyncio.Future[Showing | None]]] = {}
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    async with self.pool.acquire(timeout=ACQUIRE_SECONDS) as conn:
                        shown = await displays.showings_for_tokens(conn, token_hashes=list(batch))
                except (
                    OSError,
                    TimeoutError,
                    asyncpg.PostgresError,
                    asyncpg.InterfaceError,
                ) as exc:
                    for waiting in batch.values():
                        for found in waiting:
                            if not found.done():  # its TV may have gone meanwhile
                                found.set_exception(exc)
                else:
                    for token_hash, waiting in batch.items():
                        for found in waiting:
                            if not found.done():
                                found.set_result(shown.get(token_hash))
                batch = {}
        finally:
            self._looking = None
            # Cancelled (the hub is stopping): nobody is left to answer these.
            for waiting in (*batch.values(), *self._waiting.values()):
                for found in waiting:
                    found.cancel()
