"""The editor's menu-wide actions: create, rename, delete, undo, history and restore."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Context
from chalkboard.menus import changes, csv_export, csv_import, operations, queries
from chalkboard.menus.forms import MenuIn
from chalkboard.menus.views.editing import (
    Editing,
    actor_of,
    back_to_editor,
    editor_url,
    invalid_input,
    menu_action,
    menu_in_path,
)
from chalkboard.menus.views.library import csv_answer
from chalkboard.venues.forms import slug_from_name

# A menu spreadsheet's columns as its import's messages name them (sizes: "Pint price").
CSV_COLUMN_LABELS = {
    "section": "Section", "tap": "Tap", "name": "Name", "producer": "Producer",
    "style": "Style", "abv": "ABV", "status": "Status", "keg_percent": "Keg left (%)",
    "note": "Note",
}  # fmt: skip


async def create_menu(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(MenuIn, {"name": values.get("name", "")})
    if form is None:
        typed = {"name": values.get("name", "")[:200]}  # enough to fix; fits in the cookie
        url = f"/v/{ctx.venue.slug}"
        back = flash.redirect(ctx.services.settings, url, values=typed, errors=dict(errors))
        assert back is not None
        return back
    board = await operations.create_menu(
        ctx.conn, venue_id=ctx.venue.id, name=form.name, actor=actor_of(ctx)
    )
    return back_to_editor(ctx, board)


@menu_action
async def rename_menu(request: Request, ctx: Context, editing: Editing) -> Response:
    form, errors = validate(MenuIn, {"name": editing.values.get("name", "")})
    if form is None:
        return await invalid_input(request, ctx, editing, errors)
    board = await operations.rename_menu(
        ctx.conn,
        **editing.change(ctx),
        name=form.name,
    )
    return back_to_editor(ctx, board, editing=editing)


async def delete_menu(request: Request, ctx: Context) -> Response:
    """Delete a whole menu with its history (owners only; the page asks to confirm)."""
    menu = await menu_in_path(request, ctx)
    await operations.delete_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    return RedirectResponse(f"/v/{ctx.venue.slug}", 303)


@menu_action
async def undo(request: Request, ctx: Context, editing: Editing) -> Response:
    board = await operations.undo(
        ctx.conn,
        **editing.change(ctx),
    )
    return back_to_editor(ctx, board)


async def history(request: Request, ctx: Context) -> Response:
    menu = await menu_in_path(request, ctx)
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, limit=100
    )
    return await render(
        ctx,
        "history.html",
        menu=menu,
        revisions=revisions,
        base=editor_url(ctx, menu.id),
        tz=ZoneInfo(ctx.venue.timezone),
    )


RESTORE_SHOWN = 30  # lines of what a restore brings back; the rest is counted


async def restore_page(request: Request, ctx: Context) -> Response:
    """Before restoring: what it brings back, as the difference between the menu now and the
    version chosen (a page of its own, so it reads on a phone and works without JavaScript)."""
    menu = await menu_in_path(request, ctx)
    version: int = request.path_params["version"]
    revision = await queries.get_revision(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, version=version
    )
    if revision is None:
        raise operations.NotFound(f"Version {version} of this menu is not in its history.")
    plan = await operations.restore_plan(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, version=version
    )
    now = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    lines = changes.restoring(now, plan.board, plan.left_out, ctx.venue.currency)
    return await render(
        ctx,
        "history_restore.html",
        menu=menu,
        revision=revision,
        lines=lines[:RESTORE_SHOWN],
        more=max(0, len(lines) - RESTORE_SHOWN),
        # Only entries left out (their beverages deleted): restoring would change nothing.
        changes_anything=len(lines) > len(plan.left_out),
        base=editor_url(ctx, menu.id),
        tz=ZoneInfo(ctx.venue.timezone),
    )


@menu_action
async def restore(request: Request, ctx: Context, editing: Editing) -> Response:
    board = await operations.restore(
        ctx.conn,
        **editing.change(ctx),
        version=request.path_params["version"],
    )
    return back_to_editor(ctx, board)


async def export_menu(request: Request, ctx: Context) -> Response:
    """The menu as a spreadsheet: one row per entry, a price column per serving size."""
    menu = await menu_in_path(request, ctx)
    board = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    text = csv_export.menu_csv(board, ctx.venue.currency)
    name = slug_from_name(board["menu"]["name"]) or f"menu-{menu.id}"
    return csv_answer(text, f"{ctx.venue.slug}-{name}.csv")


@menu_action
async def import_menu(request: Request, ctx: Context, editing: Editing) -> Response:
    """Fill the menu from a spreadsheet, in the columns its own export writes: every row is
    added (as one change: one Undo takes it back), or none when any row has a problem."""
    venue_sizes = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
    sizes = {size.name.lower(): size.id for size in venue_sizes}
    text = editing.values.get("csv", "")
    entries, errors = csv_import.parse_menu(text, sizes, ctx.venue.currency)
    if errors:
        # As a person says it: "Row 4, Pint price: '4,5x' is not a price: type it like 4.50."
        labels = CSV_COLUMN_LABELS | {s.name.lower(): f"{s.name} price" for s in venue_sizes}
        said = [
            f"Row {e.row}{f', {labels.get(e.column, e.column)}' if e.column else ''}: "
            f"{e.message.rstrip('.')}."
            for e in errors
        ]
        more = f" And {len(said) - 10} more." if len(said) > 10 else ""
        problem = "Nothing was imported. " + " ".join(said[:10]) + more
        return await invalid_input(request, ctx, editing, FormErrors(csv=problem))
    board = await operations.import_entries(ctx.conn, **editing.change(ctx), entries=entries)
    return back_to_editor(ctx, board)
