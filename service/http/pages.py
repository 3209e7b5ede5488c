"""HTML pages: the jinja2 environment and `render`, which every page goes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from chalkboard.http.assets import Assets
from chalkboard.http.routing import Context
from chalkboard.menus import display
from chalkboard.venues import queries as venues


def create_templates(directory: Path, assets: Assets) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = assets.url
    env.filters["price"] = display.price
    env.filters["volume"] = display.volume
    env.filters["abv"] = display.abv
    env.filters["typed_volume"] = display.typed_volume
    return Jinja2Templates(env=env)


async def render(ctx: Context, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a page with what every page needs: the viewer, their venues, the CSRF token."""
    memberships = (
        await venues.list_memberships(ctx.conn, user_id=ctx.viewer.id) if ctx.viewer else []
    )
    return render_bare(
        ctx.request,
        template,
        status,
        viewer=ctx.viewer,
        membership=ctx.membership,
        memberships=memberships,
        csrf_token=ctx.csrf_token,
        **values,
    )


def render_bare(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render without a request context (error pages: the database may be what failed)."""
    values.setdefault("viewer", None)
    values.setdefault("membership", None)
    values.setdefault("memberships", [])
    values.setdefault("csrf_token", "")
    templates: Jinja2Templates = request.state.services.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, values, status_code=status
    )
    return response
