"""Menus and their sections: create, rename and delete a menu; add, change, move and remove
a section."""

from __future__ import annotations

from typing import Any, Unpack

from chalkboard.db import Conn
from chalkboard.displays import queries as displays
from chalkboard.menus import conflicts, queries
from chalkboard.menus.board import Board
from chalkboard.menus.conflicts import Touches
from chalkboard.menus.operations.core import (
    Actor,
    MenuChange,
    NotFound,
    base_board,
    change_menu,
    check_sizes,
    current_board,
    record,
    section_in,
)

# --- menus -------------------------------------------------------------------------------


async def create_menu(conn: Conn, *, venue_id: int, name: str, actor: Actor) -> Board:
    menu = await queries.create_menu(conn, venue_id=venue_id, name=name)
    return await record(conn, venue_id, menu, menu.version, f"Created menu {name}", "create", actor)


async def rename_menu(conn: Conn, *, name: str, **change: Unpack[MenuChange]) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str | None:
        menu = await queries.get_menu(conn, venue_id=venue_id, menu_id=menu_id)
        if menu is not None and menu.name == name:
            return None
        await queries.rename_menu(conn, venue_id=venue_id, menu_id=menu_id, name=name)
        return f"Renamed the menu to {name}"

    touches = Touches(menu_name=True)
    return await change_menu(conn, edit=edit, touches=touches, described=True, **change)


async def delete_menu(conn: Conn, *, venue_id: int, menu_id: int) -> None:
    """Delete a menu; the displays showing it are left without one, and their TVs are told."""
    showing = await displays.displays_on_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if not await queries.delete_menu(conn, venue_id=venue_id, menu_id=menu_id):
        raise NotFound("No such menu in this venue.")
    for display_id in showing:
        await displays.notify_display_changed(conn, display_id=display_id, event="updated")


# --- sections ----------------------------------------------------------------------------


async def add_section(
    conn: Conn,
    *,
    name: str,
    kind: str,
    sizes: list[int] | None = None,
    **change: Unpack[MenuChange],
) -> tuple[Board, int]:
    """A new section at the end; `sizes`: the serving sizes it prices by (None: all)."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    created: list[int] = []

    async def edit() -> str:
        section_id = await queries.create_section(
            conn, venue_id=venue_id, menu_id=menu_id, name=name, kind=kind
        )
        if sizes is not None:
            await check_sizes(conn, venue_id, dict.fromkeys(sizes, 0))
            await queries.set_section_sizes(
                conn, venue_id=venue_id, section_id=section_id, size_ids=sizes
            )
        created.append(section_id)
        return f"Added section {name}"

    board = await change_menu(conn, edit=edit, touches=conflicts.NOTHING, **change)
    return board, created[0]


async def update_section(
    conn: Conn,
    *,
    section_id: int,
    changes: dict[str, Any],
    **change: Unpack[MenuChange],
) -> Board:
    """Change a section's `name`, `kind` or `sizes` (a list of size ids, or None: all of
    the venue's) — those in `changes`."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    # Only what differs from the version the edit was based on is changed (a form resends
    # everything): a rename merges with someone else's change of kind.
    was = section_in(await base_board(conn, change), section_id)
    edits = dict(changes)
    if was is not None:
        edits = {k: v for k, v in edits.items() if conflicts.section_value(was, k) != v}

    async def edit() -> str | None:
        now = section_in(await current_board(conn, venue_id=venue_id, menu_id=menu_id), section_id)
        if now is None:
            raise NotFound("No such section on this menu.")
        if all(conflicts.section_value(now, k) == v for k, v in edits.items()):
            return None
        name, kind = edits.get("name", now["name"]), edits.get("kind", now["kind"])
        await queries.update_section(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id, name=name, kind=kind
        )
        if "sizes" in edits:
            sizes = edits["sizes"]
            if sizes is not None:
                await check_sizes(conn, venue_id, dict.fromkeys(sizes, 0))
            await queries.set_section_sizes(
                conn, venue_id=venue_id, section_id=section_id, size_ids=sizes
            )
        return f"Changed section {name}"

    touches = conflicts.section(section_id, *edits)
    return await change_menu(conn, edit=edit, touches=touches, described=True, **change)


async def remove_section(
    conn: Conn,
    *,
    section_id: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        if not await queries.delete_section(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
        ):
            raise NotFound("No such section on this menu.")
        return "Removed a section"

    touches = conflicts.section(section_id, conflicts.ENTRIES)
    return await change_menu(conn, edit=edit, touches=touches, described=True, **change)


async def move_section(
    conn: Conn,
    *,
    section_id: int,
    position: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str | None:
        was = await queries.section_position(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
        )
        if was is None:
            raise NotFound("No such section on this menu.")
        await queries.move_section(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id, to_position=position
        )
        now = await queries.section_position(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
        )
        return None if now == was else "Reordered sections"

    touches = conflicts.section(section_id, conflicts.PLACE)
    mover = ("section", section_id)
    return await change_menu(
        conn, edit=edit, touches=touches, described=True, mover=mover, **change
    )
