"""The editor's entry actions: add (from the library or a new beverage), edit, move,
duplicate, remove and kick."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.forms import FormErrors, validate
from chalkboard.http.routing import Context
from chalkboard.menus import display, operations, queries
from chalkboard.menus.forms import (
    MAX_PRICE_MINOR,
    EntryFields,
    EntryMove,
)
from chalkboard.menus.views.editing import (
    Editing,
    back_to_editor,
    entry_in_path,
    int_or_none,
    invalid_input,
    menu_action,
    section_in_path,
)
from chalkboard.menus.views.library import beverage_input


async def _entry_input(
    ctx: Context, values: dict[str, str]
) -> tuple[dict[str, Any], dict[int, int], FormErrors]:
    """An entry's form: its fields, and its prices per serving size typed like "4.50"."""
    form, errors = validate(
        EntryFields,
        {
            "tap_label": values.get("tap_label", ""),
            "status": values.get("status", "on_tap"),
            "keg_percent": values.get("keg_percent", "").strip() or None,
            "note": values.get("note", ""),
            "private_note": values.get("private_note", ""),
        },
    )
    prices: dict[int, int] = {}
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        name = f"price_{size.id}"
        typed = values.get(name, "").strip()
        if not typed:
            continue
        try:
            prices[size.id] = display.to_minor(typed, ctx.venue.currency)
        except ValueError as exc:
            errors[name] = f"{exc}."
            continue
        if prices[size.id] > MAX_PRICE_MINOR:
            errors[name] = "That price is too high."
    fields = (
        form.model_dump(include={"tap_label", "status", "keg_percent", "note", "private_note"})
        if form
        else {}
    )
    return fields, prices, errors


@menu_action
async def add_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await section_in_path(request, ctx, editing)
    fields, prices, errors = await _entry_input(ctx, editing.values)
    beverage_id = int_or_none(editing.values.get("beverage_id"))
    new_beverage = None
    if editing.values.get("new_name", "").strip():
        new_beverage, problems = beverage_input(editing.values, prefix="new_")
        errors.update(problems)
    elif beverage_id is None:
        errors["beverage_id"] = "Pick a beverage from your library, or type a new one's name."
    if errors:
        return await invalid_input(request, ctx, editing, errors)
    if new_beverage is not None:
        created = await queries.create_beverage(
            ctx.conn, venue_id=ctx.venue.id, **new_beverage.model_dump()
        )
        beverage_id = created.id
    assert beverage_id is not None
    board, entry_id = await operations.add_entry(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        beverage_id=beverage_id,
        fields=fields,
        prices=prices,
        position=None,
    )
    if editing.values.get("another"):  # "Add and add another": the form opens again
        return back_to_editor(ctx, board, adding=section_id, adding_new=new_beverage is not None)
    return back_to_editor(ctx, board, f"entry-{entry_id}")


@menu_action
async def update_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await entry_in_path(request, ctx, editing)
    fields, prices, errors = await _entry_input(ctx, editing.values)
    if errors:
        return await invalid_input(request, ctx, editing, errors)
    shown = editing.values.get("keg_percent_shown")
    if shown is not None and shown.strip() == editing.values.get("keg_percent", "").strip():
        del fields["keg_percent"]  # not typed in: the level is what the pours made it
    board = await operations.update_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
        changes=fields,
        prices=prices,
    )
    return back_to_editor(ctx, board, f"entry-{entry.id}", editing=editing)


@menu_action
async def move_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await entry_in_path(request, ctx, editing)
    form, errors = validate(
        EntryMove,
        {
            "section_id": editing.values.get("section_id"),
            "position": editing.values.get("position"),
        },
    )
    if form is None:
        return await invalid_input(request, ctx, editing, errors)
    board = await operations.move_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
        section_id=form.section_id,
        position=form.position,
    )
    return back_to_editor(ctx, board, f"entry-{entry.id}", editing=editing)


@menu_action
async def duplicate_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await entry_in_path(request, ctx, editing)
    board, copy_id = await operations.duplicate_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return back_to_editor(ctx, board, f"entry-{copy_id}")


@menu_action
async def remove_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await entry_in_path(request, ctx, editing)
    board = await operations.remove_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return back_to_editor(ctx, board, f"section-{entry.section_id}")


@menu_action
async def kick(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await entry_in_path(request, ctx, editing)
    board = await operations.kick(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return back_to_editor(ctx, board, f"section-{entry.section_id}")
