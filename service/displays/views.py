"""Displays in the editor: pairing, settings, reassigning, reloading and revoking TVs."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
