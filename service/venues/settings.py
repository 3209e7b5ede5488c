"""Venue settings (owners only): name, time zone, currency, units and logo; the venue's data
as JSON; deleting the venue.

A save that changes what screens show (name, money, units, logo) gives every menu a new
version, so TVs, embeds and the phone page show it at once. Invalid input answers 303 back
to the page, which shows once what was typed and why (`http/flash.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.displays import queries as displays
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.media import pictures
from chalkboard.media import queries as media
from chalkboard.media.queries import Image
from chalkboard.media.views import change_logo, media_choices
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.operations.core import touch_all_menus
from chalkboard.venues import queries
from chalkboard.venues.forms import VenueSettings, venue_form_choices

DELETE_TYPED = "Type the venue's name exactly as shown to delete it."
NOT_AN_IMAGE = "Choose one of your images, or “No image” for no logo."


def _settings_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/settings"


async def _page(
    ctx: Context,
    *,
    status: int = 200,
    values: dict[str, str],
    errors: FormErrors,
    saved: bool,
    typed_confirm: str = "",
) -> Response:
    logo = await media.venue_logo(ctx.conn, venue_id=ctx.venue.id)
    return await render(
        ctx,
        "venue_settings.html",
        status,
        values=values,
        errors=errors,
        saved=saved,
        typed_confirm=typed_confirm,
        logo=logo,
        logo_thumb=pictures.variant(logo.variants, pictures.THUMB_WIDTH)["url"] if logo else "",
        **venue_form_choices(),
        **await media_choices(ctx),
    )


async def settings_page(request: Request, ctx: Context) -> Response:
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a save that came back with errors
    venue = ctx.venue
    logo = await media.venue_logo(ctx.conn, venue_id=venue.id)
    saved = {
        "name": venue.name,
        "timezone": venue.timezone,
        "currency": venue.currency,
        "volume_unit": venue.volume_unit,
        "logo_image_id": str(logo.id) if logo else "",
    }
    response = await _page(
        ctx,
        values=shown.get("values") or saved,  # a refused delete brings no settings values
        errors=FormErrors(shown.get("errors", {})),
        saved="saved" in request.query_params,
        typed_confirm=shown.get("typed_confirm", ""),
    )
    return flash.forget(request, response, settings)


async def _chosen_logo(ctx: Context, typed: str) -> tuple[Image | None, str]:
    """The image picked as the logo (None: no logo), or why it cannot be: an id that is not
    one of this venue's images (another venue's reads the same as a made-up one)."""
    typed = typed.strip()
    if not typed:
        return None, ""
    image_id = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 18 else None
    image = None
    if image_id is not None:
        image = await media.get_image(ctx.conn, venue_id=ctx.venue.id, image_id=image_id)
    return image, "" if image else NOT_AN_IMAGE


async def save_settings(request: Request, ctx: Context) -> Response:
    """Rename the venue, or change its time zone, currency, units or logo (owners only)."""
    values = await form_values(request)
    form, errors = validate(VenueSettings, values)
    logo, problem = await _chosen_logo(ctx, values.get("logo_image_id", ""))
    if problem:
        errors["logo_image_id"] = problem
    if form is None or errors:
        back = flash.redirect(
            ctx.services.settings, _settings_url(ctx), values=values, errors=dict(errors)
        )
        return back or await _page(ctx, status=422, values=values, errors=errors, saved=False)
    before = ctx.venue
    venue = await queries.update_venue(ctx.conn, venue_id=before.id, **form.model_dump())
    if "logo_image_id" in values:  # a form without the field leaves the logo as it is
        await change_logo(ctx, logo)  # its own version, named in History
    shown = (venue.name, venue.currency, venue.volume_unit)
    if shown != (before.name, before.currency, before.volume_unit):
        actor = operations.Actor(user_id=ctx.user.id)
        await touch_all_menus(ctx.conn, venue.id, actor, "Changed the venue's settings")
    return RedirectResponse(_settings_url(ctx) + "?saved=1", 303)


async def export_venue(request: Request, ctx: Context) -> Response:
    """Everything the venue keeps, as JSON: take it before deleting the venue. Ids tie the
    parts together (a day-part's prices name entries and sizes, a TV its menu); no secrets."""
    venue = ctx.venue
    parts = await queries.export_parts(ctx.conn, venue_id=venue.id)
    extras = cast(dict[str, Any], parts.pop("venue_extras"))
    notes = cast(dict[str, str], parts.pop("staff_notes"))
    boards = [
        await operations.current_board(ctx.conn, venue_id=venue.id, menu_id=menu.id)
        for menu in await menus.list_menus(ctx.conn, venue_id=venue.id)
    ]
    images = await media.list_images(ctx.conn, venue_id=venue.id, limit=100_000)
    data = {
        "venue": {
            "name": venue.name,
            "slug": venue.slug,
            "timezone": venue.timezone,
            "currency": venue.currency,
            "volume_unit": venue.volume_unit,
            **extras,
        },
        "members": [
            {"email": m.email, "role": m.role}
            for m in await queries.list_members(ctx.conn, venue_id=venue.id)
        ],
        "serving_sizes": await menus.list_serving_sizes(ctx.conn, venue_id=venue.id),
        "beverages": await menus.search_beverages(ctx.conn, venue_id=venue.id, limit=100_000),
        "menus": [_with_staff_notes(board, notes) for board in boards],
        "images": [
            {
                "id": image.id,
                "name": image.name,
                "is_logo": image.id == extras["logo_image_id"],
                "urls": image.urls,
            }
            for image in images
        ],
        **parts,
    }
    filename = f"{venue.slug}-chalkboard.json"
    return Response(
        orjson.dumps(data, default=_plain, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _with_staff_notes(board: dict[str, Any], notes: dict[str, str]) -> dict[str, Any]:
    """The board as staff see it: each entry with its note for staff ("" if none)."""
    sections = [
        {
            **section,
            "entries": [
                {**entry, "staff_note": notes.get(str(entry["id"]), "")}
                for entry in section["entries"]
            ],
        }
        for section in board["sections"]
    ]
    return {**board, "sections": sections}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


async def delete_venue(request: Request, ctx: Context) -> Response:
    """Delete the venue and all it holds, once its name is typed (owners only): its TVs are
    told at once, its images' files go once the deletion has committed."""
    values = await form_values(request)
    typed = values.get("confirm", "")
    if typed.strip() != ctx.venue.name:
        # Only the delete form comes back: the settings form above keeps the saved values.
        back = flash.redirect(
            ctx.services.settings,
            _settings_url(ctx) + "#delete",
            errors={"confirm": DELETE_TYPED},
            typed_confirm=typed[:200],
        )
        assert back is not None
        return back
    venue_id = ctx.venue.id
    for display in await displays.list_displays(ctx.conn, venue_id=venue_id):
        await displays.notify_display_changed(ctx.conn, display_id=display.id, event="revoked")
    images = await media.list_images(ctx.conn, venue_id=venue_id, limit=100_000)
    keys = [key for image in images for key in image.keys]
    await queries.delete_venue(ctx.conn, venue_id=venue_id)
    store = ctx.services.media.store

    async def delete_files() -> None:
        await store.delete(keys)

    ctx.after_commit(delete_files)
    return RedirectResponse("/venues?all", 303)


routes = [
    AppRoute("/v/{slug}/settings", settings_page, access=Access.VENUE_OWNER),
    AppRoute("/v/{slug}/settings", save_settings, access=Access.VENUE_OWNER, methods=["POST"]),
    AppRoute("/v/{slug}/export.json", export_venue, access=Access.VENUE_OWNER),
    AppRoute("/v/{slug}/delete", delete_venue, access=Access.VENUE_OWNER, methods=["POST"]),
]
