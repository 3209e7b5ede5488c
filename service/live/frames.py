"""Pre-framed pushes: a board is framed once, and the same bytes are written to every TV.

Through ASGI, every `websocket.send` is framed again for each socket, behind several awaits,
so a push needs a task per TV. At 10,000 TVs that per-socket work was most of a push
(docs/decisions/0003-pre-framed-pushes.md). `FramesProtocol` is uvicorn's sans-I/O
WebSocket protocol plus one ASGI extension, `chalkboard.frames`, that writes an already
framed message straight to the socket's transport, synchronously. Everything else (the
handshake, receiving, closing) stays uvicorn's, except that a closed TV which does not
answer within CLOSE_TIMEOUT_SECONDS is cut off rather than waited for.
"""

from __future__ import annotations

from typing import Protocol, cast

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode

EXTENSION = "chalkboard.frames"
# How long a closed TV has to answer the close before its connection is cut off.
CLOSE_TIMEOUT_SECONDS = 10


def frame(text: str) -> bytes:
    """`text` as one WebSocket text frame from a server: unmasked, and without extensions
    (permessage-deflate is off), so the same bytes are right for every socket."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class Framed(Protocol):
    """What the extension offers a TV's socket."""

    def write(self, frame: bytes) -> None: ...
    def buffered(self) -> int: ...
    def abort(self) -> None: ...


class FramesProtocol(WebSocketsSansIOProtocol):
    """uvicorn's protocol, offering `write`, `buffered` and `abort` in scope["extensions"]."""

    async def run_asgi(self) -> None:
        extensions = cast(dict[str, object], self.scope["extensions"])
        extensions[EXTENSION] = _Writer(self)
        await super().run_asgi()

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A denial response (a draining task's 503) answers the handshake too; uvicorn
            # would log each one as "returned without completing handshake", an ERROR.
            self.handshake_complete = True
        if message["type"] == "websocket.close" and self.close_timer is not None:
            # uvicorn's timer then closes gracefully, which waits for the unsent bytes to go:
            # a TV that reads nothing would keep its connection (and our buffer) for as long
            # as its network stack acknowledges. Cut it off instead.
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(CLOSE_TIMEOUT_SECONDS, self.transport.abort)

    def write_frame(self, frame: bytes) -> None:
        # Once the handshake is done and until a close frame is sent, whole data frames may
        # go out at any time; after that, a message is dropped, as a late send would fail.
        if (
            self.handshake_complete
            and not self.close_sent
            and not self.disconnected
            and not self.transport.is_closing()
        ):
            self.transport.write(frame)


class _Writer:
    __slots__ = ("abort", "buffered", "write")

    def __init__(self, protocol: FramesProtocol) -> None:
        self.write = protocol.write_frame
        # Bytes written but not yet taken by the kernel: the TV is that far behind.
        self.buffered = protocol.transport.get_write_buffer_size
        # Drop the connection now, unsent bytes and all (a close waits for them to go).
        self.abort = protocol.transport.abort


def framed(scope_extensions: dict[str, object] | None) -> Framed:
    """The extension from a WebSocket scope; loud if the server is not FramesProtocol."""
    writer = (scope_extensions or {}).get(EXTENSION)
    if writer is None:
        raise RuntimeError(
            "TV sockets need chalkboard's WebSocket protocol: run `chalkboard serve` "
            "(or pass ws=chalkboard.live.frames.FramesProtocol to uvicorn)"
        )
    return cast(Framed, writer)
