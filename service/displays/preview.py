"""What a TV would be sent, as JSON, for the real TV page in preview mode (docs/tv.md).

The editor's "how the TVs show it" and a TV's settings page frame `/tv?preview=<one of these
URLs>`: the TV app, in preview mode, fetches it (and again every few seconds, so it follows
edits) and draws it exactly as a TV draws its `display` and `board` messages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chalkboard.displays import queries
from chalkboard.displays.daypart_menus import rule_at, rule_during
from chalkboard.displays.forms import PreviewQuery, Theme
from chalkboard.displays.queries import Display
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.live.protocol import shown
from chalkboard.media import queries as media
from chalkboard.media.pictures import picture
from chalkboard.menus import operations
from chalkboard.schedules import dayparts
from chalkboard.schedules.effective import effective

NO_STORE = {"cache-control": "no-store"}


def _venue(ctx: Context) -> dict[str, Any]:
    return {
        "name": ctx.venue.name,
        "currency": ctx.venue.currency,
        "volume_unit": ctx.venue.volume_unit,
    }


async def _board(ctx: Context, menu_id: int | None) -> dict[str, Any] | None:
    if menu_id is None:
        return None
    try:
        return await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    except operations.NotFound:
        raise HTTPException(404, "No such menu in this venue.") from None


async def _stand_in(ctx: Context) -> dict[str, Any]:
    """A display with the default settings and the venue's logo: for a menu no TV shows yet."""
    logo = await media.venue_logo(ctx.conn, venue_id=ctx.venue.id)
    found = {
        "id": None,
        "name": "Preview",
        "orientation": "landscape",
        "theme": Theme().model_dump(),
    }
    url = (picture(logo.variants) or {}).get("url") if logo else None
    if url:
        found["images"] = {"logo": url, "background": None}
    return found


async def _first_display_on(ctx: Context, menu_id: int) -> Display | None:
    for display_id in await queries.displays_on_menu(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id
    ):
        display = await queries.get_display(ctx.conn, venue_id=ctx.venue.id, display_id=display_id)
        if display is not None and display.revoked_at is None:
            return display
    return None


async def menu_preview(request: Request, ctx: Context) -> Response:
    """A menu as the first TV showing it draws it now, day-part prices and all (else as a
    TV with default settings)."""
    menu_id: int = request.path_params["menu_id"]
    board = await _board(ctx, menu_id)
    display = await _first_display_on(ctx, menu_id)
    return JSONResponse(
        {
            "board": effective(board, datetime.now(UTC)) if board else None,
            "venue": _venue(ctx),
            "display": shown(display) if display else await _stand_in(ctx),
        },
        headers=NO_STORE,
    )


async def display_preview(request: Request, ctx: Context) -> Response:
    """A display's board in its own settings, as its TV shows it now: the menu of the
    day-part on (else its usual menu), with that day-part's prices and what shows then.
    With `?daypart=`, as that day-part shows it. The board is null when it has no menu."""
    display = await queries.get_display(
        ctx.conn, venue_id=ctx.venue.id, display_id=request.path_params["display_id"]
    )
    if display is None or display.revoked_at is not None:
        raise HTTPException(404, "No such TV in this venue: it may have been revoked.")
    try:
        picked = PreviewQuery.model_validate(dict(request.query_params)).daypart
    except ValidationError:
        raise HTTPException(422, "daypart: give the id (a number) of a day-part.") from None
    as_if = await dayparts.shown_as(ctx.conn, venue_id=ctx.venue.id, daypart_id=picked)
    rules = await queries.menu_rules(ctx.conn, venue_id=ctx.venue.id, display_id=display.id)
    now = datetime.now(UTC)
    if as_if is None:
        rule = rule_at(rules, ZoneInfo(ctx.venue.timezone), now)
    else:
        rule = rule_during(rules, as_if)
    board = await _board(ctx, rule.menu_id if rule else display.menu_id)
    return JSONResponse(
        {
            "board": effective(board, now, as_if=as_if) if board else None,
            "venue": _venue(ctx),
            "display": shown(display),
        },
        headers=NO_STORE,
    )


routes: list[AppRoute] = [
    AppRoute("/v/{slug}/displays/preview/menus/{menu_id:int}", menu_preview, access=Access.VENUE),
    AppRoute("/v/{slug}/displays/{display_id:int}/preview", display_preview, access=Access.VENUE),
]
