"""Pairing: a TV without a token shows a short code until staff claim it, then gets its token.

Codes live in Postgres (any task may hold the TV whose code is claimed); the claim's NOTIFY
(`display_paired`) reaches every task, and the one holding that TV mints the token.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

from chalkboard import tokens
from chalkboard.db import Conn
from chalkboard.displays import queries as displays
from chalkboard.displays.queries import Showing
from chalkboard.live import protocol
from chalkboard.live.sockets import TvSocket
from chalkboard.settings import Settings

PAIRING_VALID_FOR = timedelta(minutes=10)
# A claim committed just as the code expired still finds its TV.
PAIRING_GRACE_SECONDS = 15
# Unambiguous on a TV across the room: no I, O, 0 or 1.
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

Show = Callable[[list[TvSocket], Showing], Awaitable[None]]


class Pairings:
    """The codes this process's unpaired TVs show. `show` brings a newly paired TV to its
    display, as a hello would (the hub's)."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, show: Show) -> None:
        self.pool = pool
        self.settings = settings
        self.show = show
        self.by_code: dict[str, TvSocket] = {}

    async def offer_codes(self, tv: TvSocket) -> None:
        """Show a fresh code until one is claimed (then `claimed` cancels this)."""
        while True:
            code = await self._new_code()
            self.by_code[code.code] = tv
            try:
                tv.send(protocol.pairing(code, public_base_url=self.settings.public_base_url))
                await asyncio.sleep(PAIRING_VALID_FOR.total_seconds() + PAIRING_GRACE_SECONDS)
            finally:
                del self.by_code[code.code]

    async def _new_code(self) -> displays.PairingCode:
        async with self.pool.acquire() as conn:
            while True:
                code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(6))
                made = await displays.create_pairing_code(
                    conn, code=code, valid_for=PAIRING_VALID_FOR
                )
                if made is not None:
                    return made

    async def claimed(self, code: str) -> None:
        """Staff claimed `code`: if its TV is here, mint its token and show its display.
        The token goes only to the TV; the database keeps its hash."""
        tv = self.by_code.get(code)
        if tv is None:
            return
        token, token_hash = tokens.new_token("cbd_")
        async with self.pool.acquire() as conn, conn.transaction():
            display_id = await displays.set_display_token(conn, code=code, token_hash=token_hash)
            if display_id is None:
                return  # delivered already
            showing = await displays.showing_by_id(conn, display_id=display_id)
        if showing is None:
            return
        if tv.pairing is not None:
            tv.pairing.cancel()
        tv.send(protocol.paired(token))
        await self.show([tv], showing)

    async def claimed_meanwhile(self, conn: Conn) -> list[str]:
        """The codes shown here that were claimed while this task was not listening."""
        claimed = []
        for code in list(self.by_code):
            pairing = await displays.get_pairing_code(conn, code=code)
            if pairing is not None and pairing.display_id is not None:
                claimed.append(code)
        return claimed
