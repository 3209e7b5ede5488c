"""One connected TV: its socket, a bounded outbox drained by its own writer, what it shows."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from chalkboard.displays.queries import Display
from chalkboard.live import protocol
from chalkboard.live.boards import BoardMessage

# Messages waiting for a TV. A TV this far behind cannot keep up: it is dropped and resyncs.
OUTBOX_SIZE = 8
CLOSE_TIMEOUT_SECONDS = 10


class TvSocket:
    """Sending never waits for the TV: `send` queues, and the writer task does the waiting,
    so a slow TV never delays the hub or the other TVs."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.display: Display | None = None
        self.version: int | None = None  # of the board the TV shows of display.menu_id
        self.pairing: asyncio.Task[None] | None = None
        self.seen_at = 0.0  # monotonic time last_seen_at was last written for this TV
        self.close_code: int | None = None
        self._outbox: asyncio.Queue[str] = asyncio.Queue(OUTBOX_SIZE)
        self._writer = asyncio.create_task(self._write())
        self._closer: asyncio.Task[None] | None = None

    @property
    def menu_id(self) -> int | None:
        return self.display.menu_id if self.display else None

    def send(self, message: str) -> None:
        if self.close_code is not None:
            return
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            self.close(protocol.TOO_SLOW)

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
        self._writer.cancel()
        self._closer = asyncio.create_task(self._close(code))

    async def finish(self) -> None:
        """The endpoint is done with this TV: stop its tasks, let the close frame go out."""
        if self.pairing is not None:
            self.pairing.cancel()
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await self._writer
        if self._closer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closer, CLOSE_TIMEOUT_SECONDS)

    async def _write(self) -> None:
        while True:
            await self.websocket.send_text(await self._outbox.get())

    async def _close(self, code: int) -> None:
        # The TV may be gone already, or have closed first: then there is nothing to say.
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self.websocket.close(code)
