"""API endpoints for menus, their sections and entries, pours, and history."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.routing import (
    Context,
)
from chalkboard.menus import operations, queries
from chalkboard.menus.api.base import (
    RevisionPage,
    actor_of,
    board_answer,
    change_in_path,
    entry_in_path,
    json_answer,
    json_object,
    location_of,
    menu_in_path,
    read_body,
    read_query,
    section_in_path,
    valid_model,
)
from chalkboard.menus.forms import (
    EntryFields,
    EntryIn,
    EntryMove,
    EntryPatch,
    MenuIn,
    PourIn,
    RestoreIn,
    SectionIn,
    SectionMove,
)

# --- menus --------------------------------------------------------------------------------


async def list_menus(request: Request, ctx: Context) -> Response:
    """List the venue's menus with their current versions."""
    return json_answer({"menus": await queries.list_menus(ctx.conn, venue_id=ctx.venue.id)})


async def create_menu(request: Request, ctx: Context) -> Response:
    """Create an empty menu."""
    form = await read_body(request, MenuIn)
    board = await operations.create_menu(
        ctx.conn, venue_id=ctx.venue.id, name=form.name, actor=actor_of(ctx)
    )
    return board_answer(board, 201, location=location_of(ctx, "menus", board["menu"]["id"]))


async def get_menu(request: Request, ctx: Context) -> Response:
    """The whole menu as TVs show it (the board), with its version as the ETag."""
    menu = await menu_in_path(request, ctx)
    return board_answer(
        await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    )


async def rename_menu(request: Request, ctx: Context) -> Response:
    """Rename a menu."""
    change = await change_in_path(request, ctx)
    form = await read_body(request, MenuIn)
    return board_answer(await operations.rename_menu(ctx.conn, **change, name=form.name))


async def delete_menu(request: Request, ctx: Context) -> Response:
    """Delete a menu with its sections, entries and history."""
    menu = await menu_in_path(request, ctx)
    await operations.delete_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    return Response(status_code=204)


# --- sections -----------------------------------------------------------------------------


async def add_section(request: Request, ctx: Context) -> Response:
    """Add a section at the end of the menu."""
    change = await change_in_path(request, ctx)
    form = await read_body(request, SectionIn)
    board, section_id = await operations.add_section(
        ctx.conn, **change, name=form.name, kind=form.kind, sizes=form.sizes
    )
    location = location_of(ctx, "menus", change["menu_id"], "sections", section_id)
    return board_answer(board, 201, location=location)


async def update_section(request: Request, ctx: Context) -> Response:
    """Rename a section, change its kind or its serving sizes; fields left out keep their value."""
    change = await change_in_path(request, ctx)
    section = await section_in_path(request, ctx, change)
    sent = await json_object(request)
    form = valid_model(SectionIn, {"name": section["name"], "kind": section["kind"]} | sent)
    board = await operations.update_section(
        ctx.conn,
        **change,
        section_id=section["id"],
        changes=form.model_dump(include={"name", "kind"} | ({"sizes"} & set(sent))),
    )
    return board_answer(board)


async def delete_section(request: Request, ctx: Context) -> Response:
    """Remove a section and its entries."""
    change = await change_in_path(request, ctx)
    section = await section_in_path(request, ctx, change)
    return board_answer(
        await operations.remove_section(ctx.conn, **change, section_id=section["id"])
    )


async def move_section(request: Request, ctx: Context) -> Response:
    """Move a section to a position (0 is first; past the end is last)."""
    change = await change_in_path(request, ctx)
    section = await section_in_path(request, ctx, change)
    form = await read_body(request, SectionMove)
    board = await operations.move_section(
        ctx.conn, **change, section_id=section["id"], position=form.position
    )
    return board_answer(board)


# --- entries ------------------------------------------------------------------------------


async def add_entry(request: Request, ctx: Context) -> Response:
    """Put a beverage from the library on the menu, with its prices per serving size."""
    change = await change_in_path(request, ctx)
    form = await read_body(request, EntryIn)
    board, entry_id = await operations.add_entry(
        ctx.conn,
        **change,
        section_id=form.section_id,
        beverage_id=form.beverage_id,
        fields=form.model_dump(include=set(EntryFields.model_fields)),
        prices=form.prices,
        position=form.position,
    )
    location = location_of(ctx, "menus", change["menu_id"], "entries", entry_id)
    return board_answer(board, 201, location=location)


async def update_entry(request: Request, ctx: Context) -> Response:
    """Change some of an entry's fields; fields left out keep their value, `prices` replaces all."""
    change, entry = await entry_in_path(request, ctx)
    patch = await read_body(request, EntryPatch)
    sent = patch.model_fields_set
    board = await operations.update_entry(
        ctx.conn,
        **change,
        entry_id=entry.id,
        changes=patch.model_dump(include=sent - {"prices"}),
        prices=patch.prices if "prices" in sent else None,
    )
    return board_answer(board)


async def delete_entry(request: Request, ctx: Context) -> Response:
    """Take an entry off the menu (the beverage stays in the library)."""
    change, entry = await entry_in_path(request, ctx)
    return board_answer(await operations.remove_entry(ctx.conn, **change, entry_id=entry.id))


async def move_entry(request: Request, ctx: Context) -> Response:
    """Move an entry to a position in a section of the same menu."""
    change, entry = await entry_in_path(request, ctx)
    form = await read_body(request, EntryMove)
    board = await operations.move_entry(
        ctx.conn, **change, entry_id=entry.id, section_id=form.section_id, position=form.position
    )
    return board_answer(board)


async def duplicate_entry(request: Request, ctx: Context) -> Response:
    """Copy an entry (fields and prices) to just below it."""
    change, entry = await entry_in_path(request, ctx)
    board, copy_id = await operations.duplicate_entry(ctx.conn, **change, entry_id=entry.id)
    location = location_of(ctx, "menus", change["menu_id"], "entries", copy_id)
    return board_answer(board, 201, location=location)


async def kick_entry(request: Request, ctx: Context) -> Response:
    """The keg is empty: the next on-deck entry takes over its tap."""
    change, entry = await entry_in_path(request, ctx)
    return board_answer(await operations.kick(ctx.conn, **change, entry_id=entry.id))


async def record_pour(request: Request, ctx: Context) -> Response:
    """Report volume served (flow meter, keg scale); answers the new keg level."""
    change, entry = await entry_in_path(request, ctx)
    form = await read_body(request, PourIn)
    level = await operations.record_pour(
        ctx.conn,
        venue_id=change["venue_id"],
        menu_id=change["menu_id"],
        entry_id=entry.id,
        volume_ml=form.volume_ml,
        actor=change["actor"],
    )
    # A pour is an event, not an edit: the menu's version (the ETag) stays as it was.
    menu = await menu_in_path(request, ctx)
    answer = {
        "entry_id": entry.id,
        "status": level.status,
        "keg_size_ml": level.keg_size_ml,
        "keg_remaining_ml": level.keg_remaining_ml,
        "keg_percent": level.keg_percent,
        "version": menu.version,
    }
    return json_answer(answer, version=menu.version)


# --- history ------------------------------------------------------------------------------


async def undo(request: Request, ctx: Context) -> Response:
    """Revert the latest change not yet undone; again to go one further back."""
    return board_answer(await operations.undo(ctx.conn, **await change_in_path(request, ctx)))


async def list_revisions(request: Request, ctx: Context) -> Response:
    """The menu's history, newest first."""
    menu = await menu_in_path(request, ctx)
    page = read_query(request, RevisionPage)
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, limit=page.limit
    )
    return json_answer({"revisions": revisions})


async def restore(request: Request, ctx: Context) -> Response:
    """Bring back the menu as it was at a version, as a new version."""
    change = await change_in_path(request, ctx)
    form = await read_body(request, RestoreIn)
    return board_answer(await operations.restore(ctx.conn, **change, version=form.version))
