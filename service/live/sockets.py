"""One connected TV: its socket, what it shows, and writing to it.

A process holds thousands of these for months, so each is kept small: no task of its own,
and what the TV shows is kept as the few ids the hub routes by, not the whole display.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from chalkboard.live import frames, protocol
from chalkboard.live.boards import BoardMessage

# Bytes written to a TV that its connection has not taken yet. A TV this far behind (several
# boards) cannot keep up: it is dropped, and resyncs when it reconnects.
MAX_BUFFERED_BYTES = 256 * 1024


class TvSocket:
    """Sending never waits for the TV: a message is written to the socket's buffer at once
    (pre-framed, see live/frames.py), so a slow TV never delays the hub or the other TVs."""

    __slots__ = (
        "_closer",
        "_frames",
        "close_code",
        "display_id",
        "display_text",
        "greeted",
        "heard_at",
        "menu_id",
        "next_menu",
        "pairing",
        "seen_at",
        "venue_id",
        "version",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, now: float) -> None:
        self.websocket = websocket
        self._frames = frames.framed(websocket.scope.get("extensions"))
        # What the TV shows: set once it is paired and has said hello.
        self.display_id: int | None = None
        self.venue_id = 0
        self.menu_id: int | None = None
        self.display_text = ""  # the `display` message it was sent last
        self.version: int | None = None  # of the board it shows of menu_id
        # The display's next menu by day-part it holds (`next_menu`, said in its hello).
        self.next_menu: protocol.NextMenuKey | None = None
        self.pairing: asyncio.Task[None] | None = None
        self.greeted = False
        self.heard_at = now  # monotonic time of its last message
        self.seen_at = 0.0  # monotonic time its last_seen_at was last queued for writing
        self.close_code: int | None = None
        self._closer: asyncio.Task[None] | None = None

    def send(self, message: str) -> None:
        self.send_frame(frames.frame(message))

    def send_frame(self, message: bytes) -> None:
        if self.close_code is not None:
            return
        if self._frames.buffered() > MAX_BUFFERED_BYTES:
            self.close(protocol.TOO_SLOW)
            return
        self._frames.write(message)

    def offer_board(self, board: BoardMessage) -> None:
        """Send `board` unless the TV already has it or a newer one (pushes can race)."""
        if self.version is None or board.version > self.version:
            self.version = board.version
            self.send_frame(board.frame)

    def close(self, code: int) -> None:
        """Close with `code` (once); the endpoint then sees the disconnect and cleans up."""
        if self.close_code is not None:
            return
        self.close_code = code
        self._closer = asyncio.create_task(self._close(code))

    def finish(self) -> None:
        """The endpoint is done with this TV (it is disconnected): stop its tasks."""
        for task in (self.pairing, self._closer):
            if task is not None:
                task.cancel()

    async def _close(self, code: int) -> None:
        try:
            async with asyncio.timeout(frames.CLOSE_TIMEOUT_SECONDS):
                # The TV may be gone already, or have closed first: nothing to say then.
                with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                    await self.websocket.close(code)
        except TimeoutError:
            # Not even the close frame could be queued: the TV has read nothing for long.
            self._frames.abort()
