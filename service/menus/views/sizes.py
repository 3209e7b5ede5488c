"""The serving sizes page: the venue's sizes (Half, Pint, Glass…) and their volumes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Context
from chalkboard.menus import display, operations, queries
from chalkboard.menus.forms import ServingSizeIn
from chalkboard.menus.queries import ServingSize
from chalkboard.menus.views.editing import (
    Attempt,
    actor_of,
    attempt_back,
    attempt_shown,
    int_or_none,
)


def _sizes_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/sizes"


async def sizes_page(
    ctx: Context, *, status: int = 200, attempt: Attempt | None = None, notice: str = ""
) -> Response:
    found = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
    return await render(
        ctx, "sizes.html", status, sizes=found, attempt=attempt or Attempt(), notice=notice
    )


async def _come_back(ctx: Context, attempt: Attempt) -> Response:
    """Input that was not saved: back to the sizes page (303), which shows it once, with why."""
    back = attempt_back(ctx, _sizes_url(ctx), attempt)
    return back or await sizes_page(ctx, status=422, attempt=attempt)


def _size_input(values: dict[str, str], unit: str) -> tuple[ServingSizeIn | None, FormErrors]:
    """The form's volume is typed in the venue's unit; the model keeps millilitres."""
    typed = values.get("volume", "").strip()
    try:
        volume_ml = display.to_ml(typed, unit) if typed else None
    except ValueError as exc:
        return None, FormErrors(volume=str(exc))
    form, errors = validate(ServingSizeIn, {"name": values.get("name", ""), "volume_ml": volume_ml})
    if "volume_ml" in errors:
        errors["volume"] = errors.pop("volume_ml")
    return form, errors


async def _size(request: Request, ctx: Context) -> ServingSize:
    size_id = request.path_params["size_id"]
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        if size.id == size_id:
            return size
    raise operations.NotFound("No such serving size in this venue.")


async def sizes(request: Request, ctx: Context) -> Response:
    params = request.query_params
    notice = ""
    if (saved := int_or_none(params.get("saved"))) is not None:
        found = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
        notice = next((f"Saved {s.name}." for s in found if s.id == saved), "")
    elif "deleted" in params:
        notice = "Deleted the serving size and its prices."
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a form that came back: what was typed, and why
    response = await sizes_page(ctx, notice=notice, attempt=attempt_shown(shown))
    return flash.forget(request, response, settings)


async def create_size(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = _size_input(values, ctx.venue.volume_unit)
    if form is None:
        return await _come_back(ctx, Attempt(request.url.path, values, errors))
    size = await operations.create_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=actor_of(ctx),
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?saved={size.id}", 303)


async def update_size(request: Request, ctx: Context) -> Response:
    size = await _size(request, ctx)
    values = await form_values(request)
    form, errors = _size_input(values, ctx.venue.volume_unit)
    if form is None:
        return await _come_back(ctx, Attempt(request.url.path, values, errors))
    await operations.update_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        size_id=size.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=actor_of(ctx),
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?saved={size.id}", 303)


async def delete_size(request: Request, ctx: Context) -> Response:
    size = await _size(request, ctx)
    await operations.delete_serving_size(
        ctx.conn, venue_id=ctx.venue.id, size_id=size.id, actor=actor_of(ctx)
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?deleted=1", 303)
