"""One connected TV: its socket, what it shows, and the messages on their way to it.

A process holds thousands of these for months, so each is kept small: no task of its own
while nothing is on its way (a writer exists only while messages wait), and what the TV
shows is kept as the few ids the hub routes by, not the whole display.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from chalkboard.live import protocol
from chalkboard.live.boards import BoardMessage

# Messages waiting for a TV. A TV this far behind cannot keep up: it is dropped and resyncs.
OUTBOX_SIZE = 8
CLOSE_TIMEOUT_SECONDS = 10


class TvSocket:
    """Sending never waits for the TV: `send` queues, and a writer task does the waiting,
    so a slow TV never delays the hub or the other TVs."""

    __slots__ = (
        "_closer",
        "_outbox",
        "_writer",
        "close_code",
        "display_id",
        "display_text",
        "greeted",
        "heard_at",
        "menu_id",
        "pairing",
        "seen_at",
        "venue_id",
        "version",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, now: float) -> None:
        self.websocket = websocket
        # What the TV shows: set once it is paired and has said hello.
        self.display_id: int | None = None
        self.venue_id = 0
        self.menu_id: int | None = None
        self.display_text = ""  # the `display` message it was sent last
        self.version: int | None = None  # of the board it shows of menu_id
        self.pairing: asyncio.Task[None] | None = None
        self.greeted = False
        self.heard_at = now  # monotonic time of its last message
        self.seen_at = 0.0  # monotonic time its last_seen_at was last queued for writing
        self.close_code: int | None = None
        self._outbox: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    def send(self, message: str) -> None:
        if self.close_code is not None:
            return
        if len(self._outbox) >= OUTBOX_SIZE:
            self.close(protocol.TOO_SLOW)
            return
        self._outbox.append(message)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    def offer_board(self, board: BoardMessage) -> None:
        """Send `board` unless the TV already has it or a newer one (pushes can race)."""
        if self.version is None or board.version > self.version:
            self.version = board.version
            self.send(board.text)

    def close(self, code: int) -> None:
        """Close with `code` (once); the endpoint then sees the disconnect and cleans up."""
        if self.close_code is not None:
            return
        self.close_code = code
        self._outbox.clear()
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.create_task(self._close(code))

    async def finish(self) -> None:
        """The endpoint is done with this TV: stop its tasks, let the close frame go out."""
        if self.pairing is not None:
            self.pairing.cancel()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self._closer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closer, CLOSE_TIMEOUT_SECONDS)

    async def _write(self) -> None:
        try:
            while self._outbox:
                await self.websocket.send_text(self._outbox.pop(0))
        except (WebSocketDisconnect, RuntimeError):
            self._outbox.clear()  # gone: the endpoint hears the disconnect and cleans up
        finally:
            self._writer = None

    async def _close(self, code: int) -> None:
        # The TV may be gone already, or have closed first: then there is nothing to say.
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self.websocket.close(code)
