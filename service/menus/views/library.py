"""The beverage library page: search, add, edit, delete, and import from CSV."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Context
from chalkboard.media.views import media_choices
from chalkboard.menus import csv_export, csv_import, operations, queries
from chalkboard.menus.csv_import import RowError
from chalkboard.menus.forms import BeverageIn
from chalkboard.menus.queries import Beverage
from chalkboard.menus.views.editing import (
    KINDS,
    Attempt,
    actor_of,
    attempt_back,
    attempt_shown,
    int_or_none,
)

EXPORT_MAX = 100_000  # beverages in one export: far more than any bar's library
LIBRARY_PAGE = 100  # beverages listed at once on the library page; search narrows it

IMPORT_MAX_BODY = 1024 * 1024

BEVERAGE_CONFLICT = (
    "Someone else changed this beverage while you were editing; your change was NOT saved. "
    "Here it is now — make your change again."
)


def beverage_input(
    values: dict[str, str], prefix: str = ""
) -> tuple[BeverageIn | None, FormErrors]:
    """A beverage's form (fields named `prefix` + field): empty numbers are None, tags are
    separated by commas."""

    def typed(name: str) -> str:
        return values.get(prefix + name, "").strip()

    form, errors = validate(
        BeverageIn,
        {
            "name": typed("name"),
            "producer": typed("producer"),
            "style": typed("style"),
            "kind": typed("kind") or "beer",
            "abv": typed("abv").removesuffix("%").strip() or None,
            "ibu": typed("ibu") or None,
            "srm": typed("srm") or None,
            "description": typed("description"),
            "tags": [tag.strip() for tag in typed("tags").split(",") if tag.strip()],
        },
    )
    return form, FormErrors({prefix + name: message for name, message in errors.items()})


# --- the beverage library ------------------------------------------------------------------


def _library_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/beverages"


async def library_page(
    ctx: Context,
    *,
    status: int = 200,
    query: str = "",
    attempt: Attempt | None = None,
    problem: str = "",
    notice: str = "",
    import_errors: list[RowError] | None = None,
    import_text: str = "",
) -> Response:
    found = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=query, limit=LIBRARY_PAGE + 1
    )
    return await render(
        ctx,
        "beverages.html",
        status,
        beverages=found[:LIBRARY_PAGE],
        more=len(found) > LIBRARY_PAGE,
        query=query,
        attempt=attempt or Attempt(),
        problem=problem,
        notice=notice,
        kinds=KINDS,
        beverage_values=beverage_values,
        columns=csv_import.COLUMNS,
        import_errors=import_errors or [],
        import_text=import_text,
        **await media_choices(ctx),
    )


def beverage_values(beverage: Beverage) -> dict[str, str]:
    """A beverage as its edit form shows it."""
    return {
        "name": beverage.name,
        "producer": beverage.producer,
        "style": beverage.style,
        "kind": beverage.kind,
        "abv": "" if beverage.abv is None else f"{beverage.abv:f}",
        "ibu": "" if beverage.ibu is None else str(beverage.ibu),
        "srm": "" if beverage.srm is None else f"{beverage.srm:f}",
        "description": beverage.description,
        "tags": ", ".join(beverage.tags),
    }


async def _beverage(request: Request, ctx: Context) -> Beverage:
    beverage = await queries.get_beverage(
        ctx.conn, venue_id=ctx.venue.id, beverage_id=request.path_params["beverage_id"]
    )
    if beverage is None:
        raise operations.NotFound("No such beverage in this venue's library.")
    return beverage


async def _come_back(
    ctx: Context,
    attempt: Attempt,
    *,
    status: int,
    query: str = "",
    problem: str = "",
    import_errors: list[RowError] | None = None,
    import_text: str = "",
) -> Response:
    """A form that was not saved: back to the library page (303), which shows once what was
    typed and why; drawn in place (`status`) when that is too large to carry (a long CSV)."""
    url = f"{_library_url(ctx)}?q={quote(query)}" if query else _library_url(ctx)
    rows = [[e.row, e.column, e.message] for e in import_errors or []]
    back = attempt_back(
        ctx, url, attempt, problem=problem, import_errors=rows, import_text=import_text
    )
    return back or await library_page(
        ctx,
        status=status,
        query=query,
        attempt=attempt,
        problem=problem,
        import_errors=import_errors,
        import_text=import_text,
    )


def _saved(ctx: Context, beverage: Beverage) -> Response:
    # Searching for its name keeps it in view however long the library is.
    url = f"{_library_url(ctx)}?q={quote(beverage.name)}&saved={beverage.id}"
    return RedirectResponse(f"{url}#beverage-{beverage.id}", 303)


async def beverages(request: Request, ctx: Context) -> Response:
    params = request.query_params
    notice = ""
    if (saved := int_or_none(params.get("saved"))) is not None:
        beverage = await queries.get_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=saved)
        notice = f"Saved {beverage.name}." if beverage else ""
    elif (imported := int_or_none(params.get("imported"))) is not None:
        notice = f"Imported {imported} beverages."
    elif "deleted" in params:
        notice = "Deleted the beverage."
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a form that came back: what was typed, and why
    response = await library_page(
        ctx,
        query=params.get("q", "").strip()[:80],
        notice=notice,
        attempt=attempt_shown(shown),
        problem=shown.get("problem", ""),
        import_errors=[RowError(*row) for row in shown.get("import_errors", [])],
        import_text=shown.get("import_text", ""),
    )
    return flash.forget(request, response, settings)


async def create_beverage(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = beverage_input(values)
    if form is None:
        return await _come_back(ctx, Attempt(request.url.path, values, errors), status=422)
    beverage = await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())
    return _saved(ctx, beverage)


async def update_beverage(request: Request, ctx: Context) -> Response:
    beverage = await _beverage(request, ctx)
    values = await form_values(request)
    form, errors = beverage_input(values)
    if form is None:
        attempt = Attempt(request.url.path, values, errors)
        return await _come_back(ctx, attempt, status=422, query=beverage.name)
    try:
        updated = await operations.update_beverage(
            ctx.conn,
            venue_id=ctx.venue.id,
            beverage_id=beverage.id,
            based_on=int_or_none(values.get("based_on")),
            fields=form.model_dump(),
            actor=actor_of(ctx),
        )
    except operations.StaleVersion:
        attempt = Attempt(request.url.path, values)
        return await _come_back(
            ctx, attempt, status=409, query=beverage.name, problem=BEVERAGE_CONFLICT
        )
    return _saved(ctx, updated)


async def delete_beverage(request: Request, ctx: Context) -> Response:
    beverage = await _beverage(request, ctx)
    try:
        await operations.delete_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=beverage.id)
    except operations.Conflict as exc:
        problem = f"{beverage.name} was not deleted. {exc}"
        return await _come_back(ctx, Attempt(), status=409, query=beverage.name, problem=problem)
    return RedirectResponse(f"{_library_url(ctx)}?deleted=1", 303)


async def import_beverages(request: Request, ctx: Context) -> Response:
    """All or nothing: one bad row and no beverage is created; every problem is listed."""
    text = (await form_values(request)).get("csv", "")
    rows, errors = csv_import.parse_beverages(text)
    if errors:
        attempt = Attempt(request.url.path)
        return await _come_back(ctx, attempt, status=422, import_errors=errors, import_text=text)
    for row in rows:
        await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **row.model_dump())
    return RedirectResponse(f"{_library_url(ctx)}?imported={len(rows)}", 303)


async def export_beverages(request: Request, ctx: Context) -> Response:
    """The whole library as CSV, in the columns the import reads."""
    found = await queries.search_beverages(ctx.conn, venue_id=ctx.venue.id, limit=EXPORT_MAX)
    return csv_answer(csv_export.beverages_csv(found), f"{ctx.venue.slug}-beverages.csv")


def csv_answer(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
