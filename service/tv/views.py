"""The TV app's page, assets and pairing QR codes under /tv."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
