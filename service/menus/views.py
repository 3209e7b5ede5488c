"""The menu editor: server-rendered pages for staff, enhanced by web/static/js/editor.js."""

from __future__ import annotations

from chalkboard.http.routing import AppRoute

routes: list[AppRoute] = []
