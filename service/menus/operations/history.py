"""Undo and restore: the menu back as a kept snapshot showed it, as a new version."""

from __future__ import annotations

from decimal import Decimal
from typing import Unpack

from chalkboard.db import Conn
from chalkboard.menus import queries
from chalkboard.menus.board import Board
from chalkboard.menus.operations.core import (
    Conflict,
    MenuChange,
    NotFound,
    change_menu,
    keg_fields,
)

# --- undo and restore ----------------------------------------------------------------------


async def _restore_structure(conn: Conn, venue_id: int, menu_id: int, snapshot: Board) -> int:
    """Put the menu's name, sections, entries and prices back as in `snapshot`, in place;
    returns entries left out because their beverage has since been deleted from the library.

    Sections and entries still on the menu are updated, not re-created, so what belongs to
    the venue or to events stays with them: day-part prices and show/hide rules, pours,
    staff notes (not in snapshots: the board is public). Those the snapshot does not have
    are deleted, with theirs; those it brings back come back without any."""
    await queries.rename_menu(
        conn, venue_id=venue_id, menu_id=menu_id, name=snapshot["menu"]["name"]
    )
    # Keg levels are events, not edits: a keg keeps the level it has now, unless going back
    # changes whether it is on (an undone kick brings the kicked keg's level back with it).
    levels = await queries.keg_levels(conn, venue_id=venue_id, menu_id=menu_id)
    restored: list[int] = []
    wanted = [e["beverage"]["id"] for s in snapshot["sections"] for e in s["entries"]]
    beverages = await queries.existing_beverage_ids(conn, venue_id=venue_id, ids=wanted)
    sizes = await queries.existing_size_ids(conn, venue_id=venue_id)
    skipped = 0
    for section_position, section in enumerate(snapshot["sections"]):
        await queries.restore_section(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            section_id=section["id"],
            name=section["name"],
            kind=section["kind"],
            position=section_position,
        )
        # (snapshots from before sizes per section have no own_sizes: all of the venue's)
        own = [size for size in section["sizes"] if size in sizes]
        await queries.set_section_sizes(
            conn,
            venue_id=venue_id,
            section_id=section["id"],
            size_ids=own if section.get("own_sizes") else None,
        )
        position = 0
        for entry in section["entries"]:
            if entry["beverage"]["id"] not in beverages:
                skipped += 1
                continue
            fields = {name: entry[name] for name in queries.ENTRY_FIELDS}
            if fields["keg_percent"] is not None:
                fields["keg_percent"] = Decimal(str(fields["keg_percent"]))
            now = levels.get(entry["id"])
            if now is not None and now.status == entry["status"]:
                fields["keg_percent"] = now.keg_percent
                fields["keg_remaining_ml"] = now.keg_remaining_ml
                if now.keg_size_ml != fields["keg_size_ml"]:  # a size edit is undone: keep %
                    fields.update(keg_fields({**fields}, {"keg_size_ml"}))
            await queries.restore_entry(
                conn,
                venue_id=venue_id,
                section_id=section["id"],
                entry_id=entry["id"],
                beverage_id=entry["beverage"]["id"],
                position=position,
                fields=fields,
            )
            prices = {int(k): v for k, v in entry["prices"].items() if int(k) in sizes}
            await queries.set_prices(conn, venue_id=venue_id, entry_id=entry["id"], prices=prices)
            restored.append(entry["id"])
            position += 1
    await queries.delete_not_restored(
        conn,
        venue_id=venue_id,
        menu_id=menu_id,
        section_ids=[section["id"] for section in snapshot["sections"]],
        entry_ids=restored,
    )
    return skipped


async def undo(
    conn: Conn,
    **change: Unpack[MenuChange],
) -> Board:
    """Revert the latest change not yet undone; undo again to go one further back."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        target = await queries.undo_target(conn, venue_id=venue_id, menu_id=menu_id)
        if target is None or target["restore_version"] is None:
            raise Conflict("There is nothing left to undo on this menu.")
        snapshot = await queries.get_snapshot(
            conn, venue_id=venue_id, menu_id=menu_id, version=target["restore_version"]
        )
        assert snapshot is not None
        await _restore_structure(conn, venue_id, menu_id, snapshot)
        await queries.mark_undone(
            conn, venue_id=venue_id, menu_id=menu_id, version=target["undoes"]
        )
        return f"Undid: {target['summary']}"

    return await change_menu(conn, edit=edit, kind="undo", **change)


async def restore(conn: Conn, *, version: int, **change: Unpack[MenuChange]) -> Board:
    """Bring back the menu as it was at `version`, as a new version (history is kept)."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        snapshot = await queries.get_snapshot(
            conn, venue_id=venue_id, menu_id=menu_id, version=version
        )
        if snapshot is None:
            raise NotFound(f"Version {version} of this menu is not in its history.")
        skipped = await _restore_structure(conn, venue_id, menu_id, snapshot)
        note = f" ({skipped} entries left out: their beverages were deleted)" if skipped else ""
        return f"Restored version {version}{note}"

    return await change_menu(conn, edit=edit, kind="restore", **change)
