"""The TVs' WebSocket endpoint (docs/protocol.md)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
