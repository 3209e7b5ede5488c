"""Reading a request body with limits: its size, the time it may take, and how many bodies
one client address may have arriving at once (DESIGN.md, convention 19).

A body is read whole before the request takes a database connection, so a client that
sends slowly (a phone on bad Wi-Fi, or an attacker who sends 8 bytes of 60,000 and waits)
holds a socket, never a pooled connection; these limits bound what it holds even so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

# A body gets this long, plus a second for every MIN_BYTES_PER_SECOND it carries: a 15 MB
# upload over a slow phone connection still arrives, a stalled one is cut off quickly.
GRACE_SECONDS = 10.0
MIN_BYTES_PER_SECOND = 16 * 1024
# Bodies one address may have arriving at once. A bar's staff share one public address, and
# a page sends a few requests at a time; an attacker opening hundreds is refused.
MAX_ARRIVING_PER_ADDRESS = 16


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"The request is too large (limit {limit // 1024} KiB).")


def limited(receive: Receive, scope: Scope, max_bytes: int) -> Receive:
    """`receive` that fails with 413 once the body passes `max_bytes` (chunked or not), and
    with 408 when the body arrives slower than GRACE_SECONDS + MIN_BYTES_PER_SECOND allow."""
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    loop = asyncio.get_running_loop()
    started = loop.time()
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        deadline = started + GRACE_SECONDS + seen / MIN_BYTES_PER_SECOND
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise HTTPException(
                408,
                "The request took too long to arrive, so nothing was saved. Check the "
                "connection and try again.",
                headers={"Connection": "close"},
            ) from None
        seen += len(message.get("body", b""))
        if seen > max_bytes:
            raise too_large(max_bytes)
        return message

    return receive_limited


class Arrivals:
    """Counts, per client address, the request bodies still arriving."""

    def __init__(self, per_address: int = MAX_ARRIVING_PER_ADDRESS) -> None:
        self.per_address = per_address
        self._arriving: dict[str, int] = {}

    @contextlib.contextmanager
    def arriving(self, scope: Scope) -> Iterator[None]:
        address = (scope.get("client") or ("", 0))[0]
        count = self._arriving.get(address, 0)
        if count >= self.per_address:
            raise HTTPException(
                429,
                "Too many unfinished requests from your address. Wait for them to finish, "
                "then try again.",
                headers={"Retry-After": "5"},
            )
        self._arriving[address] = count + 1
        try:
            yield
        finally:
            if self._arriving[address] == 1:
                del self._arriving[address]
            else:
                self._arriving[address] -= 1
