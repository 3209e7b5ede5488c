"""Displays in the editor: pairing, settings, reassigning, reloading and revoking TVs.

Every change a TV must act on sends its NOTIFY in the request's transaction (the live hub
pushes it to the TV once it commits). Bad input writes nothing and answers 303 back to its
form (redirect after POST), which shows once a message per field and what was typed
(`http/flash.py`); another venue's display is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.displays import daypart_views, preview, queries
from chalkboard.displays.forms import (
    PairIn,
    Theme,
    normalize_code,
    pair_input,
    settings_input,
    settings_values,
)
from chalkboard.displays.looks import FONTS, LOOKS
from chalkboard.displays.queries import Display
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context, Endpoint
from chalkboard.media.views import media_choices
from chalkboard.menus import queries as menus
from chalkboard.venues import queries as venues

# A connected TV is seen at least every minute (its pings), so 90 s of silence means offline.
ONLINE_WITHIN = timedelta(seconds=90)
PAIRING_WINDOW = timedelta(minutes=15)
MAX_WRONG_CODES_PER_USER = 10
MAX_WRONG_CODES_PER_VENUE = 20
TOO_MANY_CODES = (
    f"Too many wrong codes. Wait {PAIRING_WINDOW.seconds // 60} minutes, then type the code "
    "the TV shows at that moment."
)
CODE_REFUSED = "That code is not valid or has expired: check the TV and type the code it shows now."
NOTICES = {
    "paired": "Paired. The TV shows your menu within a few seconds.",
    "saved": "Saved. The TV shows the new settings within a few seconds.",
    "reloaded": "Sent: the TV reloads within a few seconds, if it is online.",
}
ORIENTATIONS = [("landscape", "Landscape (wide)"), ("portrait", "Portrait (tall)")]
COLUMNS = [("auto", "Auto"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]
VIEWING_DISTANCES = [
    ("close", "Close (a counter or bar-top screen)"),
    ("room", "Across a room"),
    ("across", "Far (a hall or beer garden)"),
]


class CodeRefused(Exception):
    """The pairing code cannot be claimed (unknown, expired or already used)."""


def _list_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/displays"


def _display_url(ctx: Context, display_id: int) -> str:
    return f"{_list_url(ctx)}/{display_id}"


def connection(display: Display, *, now: datetime, tz: ZoneInfo) -> tuple[bool, str]:
    """Whether the TV is online, and how to say so (or that it has not taken its token yet)."""
    if not display.paired:
        return False, "Waiting for the TV…"
    if display.last_seen_at is None:
        return False, "Never connected"
    ago = now - display.last_seen_at
    if ago <= ONLINE_WITHIN:
        return True, "Online"
    if ago < timedelta(hours=1):
        return False, f"Last seen {ago // timedelta(minutes=1)} min ago"
    if ago < timedelta(days=1):
        return False, f"Last seen {ago // timedelta(hours=1)} h ago"
    return False, f"Last seen {display.last_seen_at.astimezone(tz):%d %b %Y}"


def _seen(ctx: Context) -> Callable[[Display], tuple[bool, str]]:
    return functools.partial(connection, now=datetime.now(UTC), tz=ZoneInfo(ctx.venue.timezone))


async def _display(request: Request, ctx: Context) -> Display:
    display = await queries.get_display(
        ctx.conn, venue_id=ctx.venue.id, display_id=request.path_params["display_id"]
    )
    if display is None or display.revoked_at is not None:
        raise HTTPException(404, "No such TV in this venue: it may have been revoked.")
    return display


async def _menu_choices(ctx: Context) -> list[tuple[str, str]]:
    found = await menus.list_menus(ctx.conn, venue_id=ctx.venue.id)
    return [("", "No menu for now")] + [(str(menu.id), menu.name) for menu in found]


async def _check_menu(ctx: Context, menu_id: int | None, errors: FormErrors) -> None:
    """A display shows one of its own venue's menus (the database refuses any other)."""
    if menu_id is not None and not await menus.get_menu(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id
    ):
        errors["menu_id"] = "Choose one of this venue's menus."


# --- the list ------------------------------------------------------------------------------


async def displays(request: Request, ctx: Context) -> Response:
    notice = ""
    revoked = request.query_params.get("revoked", "")
    if revoked.isascii() and revoked.isdigit():
        gone = await queries.get_display(ctx.conn, venue_id=ctx.venue.id, display_id=int(revoked))
        if gone is not None:
            notice = f"Revoked {gone.name}: that TV now shows a pairing code."
    return await render(
        ctx,
        "displays.html",
        displays=await queries.list_displays(ctx.conn, venue_id=ctx.venue.id),
        menu_names={
            menu.id: menu.name for menu in await menus.list_menus(ctx.conn, venue_id=ctx.venue.id)
        },
        seen=_seen(ctx),
        notice=notice,
        tv_url=ctx.services.settings.public_base_url + "/tv",
    )


# --- pairing -------------------------------------------------------------------------------


async def pair_page(
    ctx: Context, *, status: int = 200, values: dict[str, str], errors: FormErrors
) -> Response:
    return await render(
        ctx,
        "displays_pair.html",
        status,
        values=values,
        errors=errors,
        menu_choices=await _menu_choices(ctx),
        tv_url=ctx.services.settings.public_base_url + "/tv",
    )


async def pair_form(request: Request, ctx: Context) -> Response:
    """The form a TV's QR code leads to (with its code filled in), or typed into by hand."""
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a code or name that came back, and why
    found = await menus.list_menus(ctx.conn, venue_id=ctx.venue.id)
    values = {
        "code": normalize_code(request.query_params.get("code", ""))[:6],
        "menu_id": str(found[0].id) if found else "",
    }
    response = await pair_page(
        ctx, values=shown.get("values", values), errors=FormErrors(shown.get("errors", {}))
    )
    return flash.forget(request, response, settings)


async def _pair_again(ctx: Context, values: dict[str, str], errors: FormErrors) -> Response:
    back = flash.redirect(
        ctx.services.settings, _list_url(ctx) + "/pair", values=values, errors=dict(errors)
    )
    return back or await pair_page(ctx, status=422, values=values, errors=errors)


async def _claim(ctx: Context, form: PairIn) -> Display:
    """Create the display and claim the code for it, both or neither (CodeRefused)."""
    async with ctx.conn.transaction():  # a savepoint: a refused code leaves no display
        display = await queries.create_display(
            ctx.conn,
            venue_id=ctx.venue.id,
            name=form.name,
            menu_id=form.menu_id,
            theme=Theme().model_dump(),
        )
        claimed = await queries.claim_pairing_code(
            ctx.conn, code=form.code, venue_id=ctx.venue.id, display_id=display.id
        )
        if claimed is None:
            raise CodeRefused
    return display


async def pair(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = pair_input(values)
    if form is not None:
        await _check_menu(ctx, form.menu_id, errors)
    if form is None or errors:
        return await _pair_again(ctx, values, errors)
    # Every wrong code counts against the person and the venue: past the limits, claims
    # stop for the window, so a code shown in another bar cannot be found by guessing.
    by_user, by_venue = await queries.count_pairing_failures(
        ctx.conn, user_id=ctx.user.id, venue_id=ctx.venue.id, window=PAIRING_WINDOW
    )
    if by_user >= MAX_WRONG_CODES_PER_USER or by_venue >= MAX_WRONG_CODES_PER_VENUE:
        response = await pair_page(
            ctx, status=429, values=values, errors=FormErrors(code=TOO_MANY_CODES)
        )
        response.headers["Retry-After"] = str(int(PAIRING_WINDOW.total_seconds()))
        return response
    try:
        display = await _claim(ctx, form)
    except CodeRefused:
        await queries.record_pairing_failure(ctx.conn, user_id=ctx.user.id, venue_id=ctx.venue.id)
        return await _pair_again(ctx, values, FormErrors(code=CODE_REFUSED))
    # The process holding the TV's socket mints its token and hands it over.
    await queries.notify_display_paired(ctx.conn, code=form.code, display_id=display.id)
    return RedirectResponse(f"{_display_url(ctx, display.id)}?paired=1", 303)


async def pair_link(request: Request, ctx: Context) -> Response:
    """Where a TV's QR code leads: the pair form of the venue, once the person picks it."""
    code = normalize_code(request.query_params.get("code", ""))[:6]
    memberships = await venues.list_memberships(ctx.conn, user_id=ctx.user.id)
    if len(memberships) == 1:
        slug = memberships[0].venue.slug
        return RedirectResponse(f"/v/{slug}/displays/pair?code={quote(code)}", 303)
    return await render(ctx, "pair.html", code=code)


# --- one display ---------------------------------------------------------------------------


async def settings_page(
    ctx: Context,
    display: Display,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    notice: str = "",
    shown: dict[str, Any] | None = None,
    preview_at: str = "",
) -> Response:
    return await render(
        ctx,
        "displays_settings.html",
        status,
        display=display,
        base=_display_url(ctx, display.id),
        values=settings_values(display) if values is None else values,
        errors=errors or FormErrors(),
        notice=notice,
        seen=_seen(ctx),
        menu_choices=await _menu_choices(ctx),
        orientations=ORIENTATIONS,
        columns=COLUMNS,
        viewing_distances=VIEWING_DISTANCES,
        looks=LOOKS,
        fonts=FONTS,
        **await media_choices(ctx),
        **await daypart_views.page_values(ctx, display, shown or {}, preview_at),
    )


async def display_page(request: Request, ctx: Context) -> Response:
    display = await _display(request, ctx)
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), "")
    settings = ctx.services.settings
    # A refused form came back: the settings form's, or the day-part menus form's.
    shown = flash.take(request, settings)
    response = await settings_page(
        ctx,
        display,
        notice=notice,
        values=shown.get("values"),
        errors=FormErrors(shown.get("errors", {})),
        shown=shown,
        preview_at=request.query_params.get("daypart", ""),
    )
    return flash.forget(request, response, settings)


async def save_display(request: Request, ctx: Context) -> Response:
    display = await _display(request, ctx)
    values = await form_values(request)
    form, errors = settings_input(values, display.theme)
    if form is not None:
        await _check_menu(ctx, form.menu_id, errors)
    if form is None or errors:
        back = flash.redirect(
            ctx.services.settings,
            _display_url(ctx, display.id),
            values=values,
            errors=dict(errors),
        )
        return back or await settings_page(ctx, display, status=422, values=values, errors=errors)
    await queries.update_display(
        ctx.conn,
        venue_id=ctx.venue.id,
        display_id=display.id,
        name=form.name,
        menu_id=form.menu_id,
        orientation=form.orientation,
        theme=form.theme(),
    )
    await queries.notify_display_changed(ctx.conn, display_id=display.id, event="updated")
    return RedirectResponse(f"{_display_url(ctx, display.id)}?saved=1", 303)


async def reload_display(request: Request, ctx: Context) -> Response:
    display = await _display(request, ctx)
    await queries.notify_display_changed(ctx.conn, display_id=display.id, event="reload")
    return RedirectResponse(f"{_display_url(ctx, display.id)}?reloaded=1", 303)


async def revoke_display(request: Request, ctx: Context) -> Response:
    """The TV's token stops working at once; its socket is closed and it shows a code again."""
    display = await _display(request, ctx)
    await queries.revoke_display(ctx.conn, venue_id=ctx.venue.id, display_id=display.id)
    await queries.notify_display_changed(ctx.conn, display_id=display.id, event="revoked")
    return RedirectResponse(f"{_list_url(ctx)}?revoked={display.id}", 303)


# --- routes --------------------------------------------------------------------------------

DISPLAYS = "/v/{slug}/displays"
DISPLAY = DISPLAYS + "/{display_id:int}"


def _post(path: str, endpoint: Endpoint) -> AppRoute:
    return AppRoute(path, endpoint, access=Access.VENUE, methods=["POST"])


routes: list[AppRoute] = [
    AppRoute(DISPLAYS, displays, access=Access.VENUE),
    AppRoute(DISPLAYS + "/pair", pair_form, access=Access.VENUE),
    _post(DISPLAYS + "/pair", pair),
    AppRoute(DISPLAY, display_page, access=Access.VENUE),
    _post(DISPLAY, save_display),
    _post(DISPLAY + "/reload", reload_display),
    _post(DISPLAY + "/revoke", revoke_display),
    AppRoute("/pair", pair_link, access=Access.SIGNED_IN),
    *preview.routes,
]
