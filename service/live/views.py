"""The TVs' WebSocket endpoint (docs/protocol.md)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pydantic
from starlette.routing import BaseRoute
from starlette.websockets import WebSocket

from chalkboard.http.routing import SocketRoute
from chalkboard.live import protocol
from chalkboard.live.hub import Hub
from chalkboard.live.protocol import Hello, Ping
from chalkboard.live.sockets import TvSocket

if TYPE_CHECKING:
    from chalkboard.app import Services

HELLO_TIMEOUT_SECONDS = 10
# The TV pings every 25 s: a minute of silence means it is gone (or not following protocol).
IDLE_TIMEOUT_SECONDS = 60


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def tv_socket(websocket: WebSocket) -> None:
    services: Services = websocket.state.services
    # Browsers send Origin on every WebSocket handshake: another site's page cannot open one.
    if websocket.headers.get("origin", "").lower() != origin(services.settings.public_base_url):
        await websocket.close(code=1008)  # before accept: uvicorn answers 403
        return
    await websocket.accept()
    tv = services.hub.connect(websocket)
    try:
        if services.draining.is_set():
            tv.close(protocol.RESTARTING)
        await converse(services.hub, tv)
    finally:
        await services.hub.disconnect(tv)


async def converse(hub: Hub, tv: TvSocket) -> None:
    """Read the TV's messages until it goes; any breach of the protocol closes it."""
    greeted = False
    while True:
        timeout = IDLE_TIMEOUT_SECONDS if greeted else HELLO_TIMEOUT_SECONDS
        try:
            async with asyncio.timeout(timeout):
                message = await tv.websocket.receive()
        except TimeoutError:
            tv.close(protocol.PROTOCOL_ERROR)
            continue  # to hear the disconnect that follows our close
        if message["type"] == "websocket.disconnect":
            return
        if tv.close_code is not None:
            continue
        text = message.get("text")
        if text is None:
            tv.close(protocol.PROTOCOL_ERROR)  # a binary frame
        elif len(text.encode()) > protocol.MAX_MESSAGE_BYTES:
            tv.close(protocol.TOO_LARGE)
        else:
            try:
                parsed = protocol.parse(text)
            except pydantic.ValidationError:
                tv.close(protocol.PROTOCOL_ERROR)
                continue
            if isinstance(parsed, Hello) and not greeted:
                greeted = True
                await hub.hello(tv, parsed)
            elif isinstance(parsed, Ping) and greeted:
                tv.send(protocol.PONG)
                await hub.heartbeat(tv)
            else:
                tv.close(protocol.PROTOCOL_ERROR)  # hello not first, or twice


routes: list[BaseRoute] = [SocketRoute("/tv/ws", tv_socket)]
