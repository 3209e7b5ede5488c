"""The promo slides page under TVs: add a picture or text slide, choose its TVs, delete it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.displays import queries as displays
from chalkboard.http.forms import FormErrors, form_values
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.media import queries as media
from chalkboard.media.views import media_choices
from chalkboard.promos import queries
from chalkboard.promos.forms import slide_input

SLIDES = "/v/{slug}/displays/slides"
NOTICES = {
    "saved": "Slide added: the TVs chosen show it between their menu pages.",
    "deleted": "Slide deleted.",
}


def _url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/displays/slides"


async def slides_page(
    ctx: Context,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    notice: str = "",
) -> Response:
    today = datetime.now(ZoneInfo(ctx.venue.timezone)).date()
    return await render(
        ctx,
        "promo_slides.html",
        status,
        slides=await queries.list_slides(ctx.conn, venue_id=ctx.venue.id),
        displays=await displays.list_displays(ctx.conn, venue_id=ctx.venue.id),
        values=values if values is not None else {"seconds": "10"},
        errors=errors or FormErrors(),
        notice=notice,
        today=today,
        base=_url(ctx),
        **await media_choices(ctx),
    )


async def slides(request: Request, ctx: Context) -> Response:
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), "")
    return await slides_page(ctx, notice=notice)


async def add_slide(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = slide_input(values)
    if form is not None:
        if form.image_id is not None and not await media.get_image(
            ctx.conn, venue_id=ctx.venue.id, image_id=form.image_id
        ):
            errors["image_id"] = "Choose one of your images."
        ours = {d.id for d in await displays.list_displays(ctx.conn, venue_id=ctx.venue.id)}
        if not set(form.display_ids) <= ours:
            errors["__all__"] = "Choose among this venue's TVs."
    if form is None or errors:
        return await slides_page(ctx, status=422, values=values, errors=errors)
    await queries.create_slide(
        ctx.conn,
        venue_id=ctx.venue.id,
        title=form.title,
        body=form.body,
        image_id=form.image_id,
        seconds=form.seconds,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
        display_ids=form.display_ids,
    )
    return RedirectResponse(f"{_url(ctx)}?saved=1", 303)


async def delete_slide(request: Request, ctx: Context) -> Response:
    slide_id: int = request.path_params["slide_id"]
    if not await queries.delete_slide(ctx.conn, venue_id=ctx.venue.id, slide_id=slide_id):
        raise HTTPException(404, "No such slide in this venue: it may have been deleted.")
    return RedirectResponse(f"{_url(ctx)}?deleted=1", 303)


routes: list[AppRoute] = [
    AppRoute(SLIDES, slides, access=Access.VENUE),
    AppRoute(SLIDES, add_slide, access=Access.VENUE, methods=["POST"]),
    AppRoute(
        SLIDES + "/{slide_id:int}/delete", delete_slide, access=Access.VENUE, methods=["POST"]
    ),
]
