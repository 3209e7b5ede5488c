"""The JSON API for menus, beverages and serving sizes: /api/v1/venues/{slug}/..."""

from __future__ import annotations

from chalkboard.http.routing import AppRoute

routes: list[AppRoute] = []
