"""The API's description: the OpenAPI document and the reference page built from it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.pages import render
from chalkboard.http.routing import (
    Context,
)
from chalkboard.menus import openapi
from chalkboard.menus.api.base import (
    ApiRoute,
    Json,
)

# --- the description ----------------------------------------------------------------------


def _document(request: Request) -> dict[str, Any]:
    """Built once per app from its own route list: every ApiRoute of every domain."""
    state = request.app.state
    if not hasattr(state, "openapi"):
        state.openapi = openapi.document(r for r in request.app.routes if isinstance(r, ApiRoute))
    document: dict[str, Any] = state.openapi
    return document


async def openapi_json(request: Request, ctx: Context) -> Response:
    """The OpenAPI 3.1 description of this API."""
    return Json(_document(request))


async def api_docs(request: Request, ctx: Context) -> Response:
    """The API reference for people, from the same description."""
    base_url = ctx.services.settings.public_base_url
    return await render(ctx, "api_docs.html", api=openapi.reference(_document(request), base_url))
