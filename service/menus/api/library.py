"""API endpoints for the beverage library (with CSV import) and serving sizes."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.routing import (
    Context,
)
from chalkboard.menus import csv_import, operations, queries
from chalkboard.menus.api.base import (
    BeverageSearch,
    Invalid,
    actor_of,
    beverage_in_path,
    if_match_version,
    json_answer,
    json_object,
    location_of,
    read_body,
    read_query,
    size_in_path,
    valid_model,
)
from chalkboard.menus.forms import (
    BeverageIn,
    ServingSizeIn,
)
from chalkboard.menus.queries import Beverage

# --- the beverage library -----------------------------------------------------------------


def _beverage_answer(
    beverage: Beverage, status: int = 200, location: str | None = None
) -> Response:
    return json_answer(beverage, status, version=beverage.version, location=location)


async def search_beverages(request: Request, ctx: Context) -> Response:
    """List the library's beverages, or those matching `q`, by name."""
    search = read_query(request, BeverageSearch)
    found = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=search.q, limit=search.limit
    )
    return json_answer({"beverages": found})


async def create_beverage(request: Request, ctx: Context) -> Response:
    """Add a beverage to the library."""
    form = await read_body(request, BeverageIn)
    beverage = await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())
    return _beverage_answer(beverage, 201, location_of(ctx, "beverages", beverage.id))


async def get_beverage(request: Request, ctx: Context) -> Response:
    """One beverage, with its version as the ETag."""
    return _beverage_answer(await beverage_in_path(request, ctx))


async def update_beverage(request: Request, ctx: Context) -> Response:
    """Change a beverage; fields left out keep their value. Menus listing it update."""
    beverage = await beverage_in_path(request, ctx)
    based_on = if_match_version(request)
    current = {name: getattr(beverage, name) for name in queries.BEVERAGE_FIELDS}
    form = valid_model(BeverageIn, current | await json_object(request))
    changed = await operations.update_beverage(
        ctx.conn,
        venue_id=ctx.venue.id,
        beverage_id=beverage.id,
        based_on=based_on,
        fields=form.model_dump(),
        actor=actor_of(ctx),
    )
    return _beverage_answer(changed)


async def delete_beverage(request: Request, ctx: Context) -> Response:
    """Delete a beverage that is on no menu."""
    beverage = await beverage_in_path(request, ctx)
    await operations.delete_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=beverage.id)
    return Response(status_code=204)


async def import_beverages(request: Request, ctx: Context) -> Response:
    """Add many beverages from a CSV file: all of them, or none if any row is invalid."""
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "The file must be UTF-8 text (save it as “CSV UTF-8”).") from None
    forms, errors = csv_import.parse_beverages(text)
    if errors:
        problems = [
            {"row": e.row, "field": e.column or "__all__", "message": e.message} for e in errors
        ]
        if errors[0].row == 1:  # the header itself: no row could be read
            raise Invalid(errors[0].message, rows=problems)
        bad_rows = len({e.row for e in errors})
        total = len(forms) + bad_rows
        raise Invalid(
            f"{bad_rows} of {total} rows need fixing: nothing was imported.", rows=problems
        )
    ids = [
        (await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())).id
        for form in forms
    ]
    return json_answer({"count": len(ids), "ids": ids}, 201)


# --- serving sizes ------------------------------------------------------------------------


async def list_serving_sizes(request: Request, ctx: Context) -> Response:
    """The venue's serving sizes, in menu order (prices are keyed by their ids)."""
    sizes = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
    return json_answer({"serving_sizes": sizes})


async def create_serving_size(request: Request, ctx: Context) -> Response:
    """Add a serving size (every menu gets a new version)."""
    form = await read_body(request, ServingSizeIn)
    size = await operations.create_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=actor_of(ctx),
    )
    return json_answer(size, 201, location=location_of(ctx, "serving-sizes", size.id))


async def update_serving_size(request: Request, ctx: Context) -> Response:
    """Change a serving size; fields left out keep their value."""
    size = await size_in_path(request, ctx)
    form = valid_model(
        ServingSizeIn, {"name": size.name, "volume_ml": size.volume_ml} | await json_object(request)
    )
    changed = await operations.update_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        size_id=size.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=actor_of(ctx),
    )
    return json_answer(changed)


async def delete_serving_size(request: Request, ctx: Context) -> Response:
    """Delete a serving size and every price for it."""
    size = await size_in_path(request, ctx)
    await operations.delete_serving_size(
        ctx.conn, venue_id=ctx.venue.id, size_id=size.id, actor=actor_of(ctx)
    )
    return Response(status_code=204)
