"""The editor's section actions: add, change (name, kind, serving sizes), move, remove."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.forms import FormErrors, validate
from chalkboard.http.routing import Context
from chalkboard.menus import operations, queries
from chalkboard.menus.forms import (
    SectionIn,
    SectionMove,
)
from chalkboard.menus.views.editing import (
    Editing,
    back_to_editor,
    invalid_input,
    menu_action,
    section_in_path,
)


async def _section_input(
    ctx: Context, values: dict[str, str]
) -> tuple[SectionIn | None, FormErrors]:
    """A section's form; its serving sizes are a checkbox each (`size_<id>`): all of them
    ticked means all of the venue's, including sizes added later."""
    fields: dict[str, Any] = {"name": values.get("name", ""), "kind": values.get("kind", "")}
    if values.get("sizes_shown"):
        every = [s.id for s in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)]
        chosen = [size for size in every if values.get(f"size_{size}")]
        fields["sizes"] = None if chosen == every else chosen
    return validate(SectionIn, fields)


@menu_action
async def add_section(request: Request, ctx: Context, editing: Editing) -> Response:
    form, errors = await _section_input(ctx, editing.values)
    if form is None:
        return await invalid_input(request, ctx, editing, errors)
    board, section_id = await operations.add_section(
        ctx.conn,
        **editing.change(ctx),
        name=form.name,
        kind=form.kind,
        sizes=form.sizes,
    )
    return back_to_editor(ctx, board, f"section-{section_id}", editing=editing)


@menu_action
async def update_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await section_in_path(request, ctx, editing)
    form, errors = await _section_input(ctx, editing.values)
    if form is None:
        return await invalid_input(request, ctx, editing, errors)
    board = await operations.update_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        changes=form.model_dump(exclude=set() if "sizes_shown" in editing.values else {"sizes"}),
    )
    return back_to_editor(ctx, board, f"section-{section_id}", editing=editing)


@menu_action
async def move_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await section_in_path(request, ctx, editing)
    form, errors = validate(SectionMove, {"position": editing.values.get("position")})
    if form is None:
        return await invalid_input(request, ctx, editing, errors)
    board = await operations.move_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        position=form.position,
    )
    return back_to_editor(ctx, board, f"section-{section_id}", editing=editing)


@menu_action
async def remove_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await section_in_path(request, ctx, editing)
    board = await operations.remove_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
    )
    return back_to_editor(ctx, board)
