"""The media library in the editor, and choosing images for beverages, the venue and TVs.

Uploading goes through the JSON API (media/api.py) from web/static/js/media.js, which shows
a progress bar and a preview; these pages list, reuse and delete what was uploaded, and
answer plain form POSTs. With the local store, `/media/<key>` serves the files themselves,
as S3 behind the CDN would: immutable, with their content type.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from chalkboard.displays import queries as displays
from chalkboard.http.forms import form_values
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, BareRoute, Context, Endpoint
from chalkboard.media import pictures, queries
from chalkboard.media.api import IMAGES_LISTED, image_in_path, image_or_404, media_of
from chalkboard.media.images import Rejected
from chalkboard.media.queries import Image
from chalkboard.media.store import IMMUTABLE, LocalBlobStore, content_type, valid_key
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.operations.core import touch_all_menus

NOTICES = {
    "uploaded": "Uploaded.",
    "deleted": "Deleted the image.",
    "logo": "Saved the venue's logo. TVs show it within a few seconds.",
}


def _library_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/media"


def _chosen_id(values: dict[str, str], name: str = "image_id") -> int | None:
    text = values.get(name, "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


async def _chosen(ctx: Context, values: dict[str, str], name: str = "image_id") -> Image | None:
    """The image a form picked (None: no image); another venue's or a made-up id is a 404."""
    if not values.get(name, "").strip():
        return None
    return await image_or_404(ctx, _chosen_id(values, name))


async def media_choices(ctx: Context) -> dict[str, Any]:
    """What a page with image pickers and an uploader needs (media_macros.html)."""
    found = await queries.list_images(ctx.conn, venue_id=ctx.venue.id, limit=IMAGES_LISTED)
    return {
        "images": found,
        "image_thumbs": {
            image.id: pictures.variant(image.variants, pictures.THUMB_WIDTH)["url"]
            for image in found
        },
        "max_upload": media_of(ctx).settings.media_max_upload_bytes,
    }


async def library_page(
    ctx: Context, *, status: int = 200, notice: str = "", problem: str = ""
) -> Response:
    logo = await queries.venue_logo(ctx.conn, venue_id=ctx.venue.id)
    logo_thumb = None if logo is None else pictures.variant(logo.variants, pictures.THUMB_WIDTH)
    return await render(
        ctx,
        "media.html",
        status,
        **await media_choices(ctx),
        logo=logo,
        logo_thumb=None if logo_thumb is None else logo_thumb["url"],
        used=await queries.stored_bytes(ctx.conn, venue_id=ctx.venue.id),
        quota=media_of(ctx).settings.media_quota_bytes,
        notice=notice,
        problem=problem,
    )


async def library(request: Request, ctx: Context) -> Response:
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), "")
    return await library_page(ctx, notice=notice)


async def delete_image(request: Request, ctx: Context) -> Response:
    image = await image_in_path(request, ctx)
    try:
        ctx.after_commit(await media_of(ctx).delete(ctx.conn, venue_id=ctx.venue.id, image=image))
    except Rejected as exc:
        return await library_page(ctx, status=exc.status, problem=exc.message)
    return RedirectResponse(f"{_library_url(ctx)}?deleted=1", 303)


async def change_logo(ctx: Context, image: Image | None) -> bool:
    """Make `image` the venue's logo (None: no logo). Every TV of the venue is told, and
    every menu gets a version, so embeds and the phone page show it at once (their caches
    and live pages follow versions). False when it was the logo already."""
    before = await queries.venue_logo(ctx.conn, venue_id=ctx.venue.id)
    if (before and before.id) == (image and image.id):
        return False
    await queries.set_venue_logo(
        ctx.conn, venue_id=ctx.venue.id, image_id=None if image is None else image.id
    )
    for display in await displays.list_displays(ctx.conn, venue_id=ctx.venue.id):
        await displays.notify_display_changed(ctx.conn, display_id=display.id, event="updated")
    summary = "Removed the venue's logo" if image is None else "Changed the venue's logo"
    await touch_all_menus(ctx.conn, ctx.venue.id, operations.Actor(user_id=ctx.user.id), summary)
    return True


async def set_logo(request: Request, ctx: Context) -> Response:
    """The venue's logo (empty: none), from the media library."""
    await change_logo(ctx, await _chosen(ctx, await form_values(request)))
    return RedirectResponse(f"{_library_url(ctx)}?logo=1", 303)


async def set_beverage_image(request: Request, ctx: Context) -> Response:
    """A beverage's image, chosen from the library (empty: none); its menus get a version."""
    beverage = await menus.get_beverage(
        ctx.conn, venue_id=ctx.venue.id, beverage_id=request.path_params["beverage_id"]
    )
    if beverage is None:
        raise operations.NotFound("No such beverage in this venue's library.")
    image = await _chosen(ctx, await form_values(request))
    changed = await operations.set_beverage_image(
        ctx.conn,
        venue_id=ctx.venue.id,
        beverage_id=beverage.id,
        image_id=None if image is None else image.id,
        actor=operations.Actor(user_id=ctx.user.id),
    )
    url = f"/v/{ctx.venue.slug}/beverages?saved={changed.id}"
    return RedirectResponse(f"{url}#beverage-{changed.id}", 303)


async def set_display_images(request: Request, ctx: Context) -> Response:
    """A TV's background (the 4K-wide variant at most) and logo; the TV is told."""
    display = await displays.get_display(
        ctx.conn, venue_id=ctx.venue.id, display_id=request.path_params["display_id"]
    )
    if display is None or display.revoked_at is not None:
        raise HTTPException(404, "No such TV in this venue: it may have been revoked.")
    values = await form_values(request)
    background = await _chosen(ctx, values, "background_image_id")
    logo = await _chosen(ctx, values, "logo_image_id")
    theme: dict[str, Any] = dict(display.theme)
    theme["background_image"] = (
        ""
        if background is None
        else pictures.variant(background.variants, pictures.BACKGROUND_WIDTH)["url"]
    )
    theme["logo_image"] = (
        "" if logo is None else pictures.variant(logo.variants, pictures.BOARD_WIDTH)["url"]
    )
    await displays.update_display(
        ctx.conn,
        venue_id=ctx.venue.id,
        display_id=display.id,
        name=display.name,
        menu_id=display.menu_id,
        orientation=display.orientation,
        theme=theme,
    )
    await displays.notify_display_changed(ctx.conn, display_id=display.id, event="updated")
    return RedirectResponse(f"/v/{ctx.venue.slug}/displays/{display.id}?saved=1", 303)


async def serve_media(request: Request) -> Response:
    """A file of the local store, as the CDN would serve it: immutable, its own type."""
    store = request.state.services.media.store
    key = "media/" + request.path_params["key"]
    if not isinstance(store, LocalBlobStore) or not valid_key(key):
        raise HTTPException(404, "No such image.")
    path = store.path(key)
    if not path.is_file():
        raise HTTPException(404, "No such image.")
    return FileResponse(
        path,
        media_type=content_type(key),
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )


def _post(path: str, endpoint: Endpoint) -> AppRoute:
    return AppRoute(path, endpoint, access=Access.VENUE, methods=["POST"])


routes: list[AppRoute | BareRoute] = [
    AppRoute("/v/{slug}/media", library, access=Access.VENUE),
    _post("/v/{slug}/media/{image_id:int}/delete", delete_image),
    _post("/v/{slug}/logo", set_logo),
    _post("/v/{slug}/beverages/{beverage_id:int}/image", set_beverage_image),
    _post("/v/{slug}/displays/{display_id:int}/images", set_display_images),
    BareRoute("/media/{key:path}", serve_media, methods=["GET", "HEAD"]),
]
