"""The TVs' WebSocket endpoint (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pydantic
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute
from starlette.websockets import WebSocket

from chalkboard.http.routing import SocketRoute
from chalkboard.live import protocol
from chalkboard.live.hub import Hub
from chalkboard.live.protocol import Hello, Ping
from chalkboard.live.sockets import TvSocket

if TYPE_CHECKING:
    from chalkboard.app import Services


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def tv_socket(websocket: WebSocket) -> None:
    services: Services = websocket.state.services
    # Browsers send Origin on every WebSocket handshake: another site's page cannot open one.
    if websocket.headers.get("origin", "").lower() != origin(services.settings.public_base_url):
        await websocket.close(code=1008)  # before accept: uvicorn answers 403
        return
    if services.draining.is_set():
        # Stopping: refused before the handshake, the cheapest answer, so the TVs retrying
        # here do not slow the drain. The load balancer sends them to another task.
        await websocket.send_denial_response(
            PlainTextResponse("Restarting: try again.", 503, headers={"Retry-After": "2"})
        )
        return
    await websocket.accept()
    tv = services.hub.connect(websocket)
    try:
        await converse(services.hub, tv)
    finally:
        services.hub.disconnect(tv)


async def converse(hub: Hub, tv: TvSocket) -> None:
    """Read the TV's messages until it goes. (A TV that goes quiet is closed by the hub's
    sweep.) While it idles, this frame holds nothing but the socket: it lives for months."""
    loop = asyncio.get_running_loop()
    while True:
        message = await tv.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        tv.heard_at = loop.time()
        if tv.close_code is None:
            await heed(hub, tv, message.get("text"))
        # else: closing; read on to hear the disconnect that follows


async def heed(hub: Hub, tv: TvSocket, text: str | None) -> None:
    """Act on one message from the TV; any breach of the protocol closes it."""
    if text is None:
        tv.close(protocol.PROTOCOL_ERROR)  # a binary frame
        return
    if len(text.encode()) > protocol.MAX_MESSAGE_BYTES:
        tv.close(protocol.TOO_LARGE)
        return
    try:
        message = protocol.parse(text)
    except pydantic.ValidationError:
        tv.close(protocol.PROTOCOL_ERROR)
        return
    if isinstance(message, Hello) and not tv.greeted:
        tv.greeted = True
        await hub.hello(tv, message)
    elif isinstance(message, Ping) and tv.greeted:
        tv.send(protocol.pong(time.time_ns() // 1_000_000))
        hub.heartbeat(tv)
    else:
        tv.close(protocol.PROTOCOL_ERROR)  # hello not first, or twice


routes: list[BaseRoute] = [SocketRoute("/tv/ws", tv_socket)]
