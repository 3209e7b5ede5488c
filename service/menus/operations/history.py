"""Undo and restore: the menu back as a kept snapshot showed it, as a new version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Unpack

from chalkboard.db import Conn
from chalkboard.menus import queries
from chalkboard.menus.board import Board, board_sizes
from chalkboard.menus.operations.core import (
    Conflict,
    MenuChange,
    NotFound,
    change_menu,
    keg_fields,
)

# --- undo and restore ----------------------------------------------------------------------


@dataclass(frozen=True)
class Restorable:
    """A kept snapshot as restoring it makes the menu. Restore brings back the menu, not the
    library: entries whose beverage has been deleted since stay out (`left_out`, their
    beverages' names), prices in deleted serving sizes are dropped, and a section without
    sizes of its own prices by the venue's sizes as they are now."""

    board: Board
    left_out: list[str]


def restorable(snapshot: Board, *, beverages: set[int], sizes: list[dict[str, Any]]) -> Restorable:
    """`snapshot` as restoring it makes the menu, given the ids of the `beverages` still in
    the library and the venue's serving `sizes` now (as a board lists them)."""
    size_ids = [size["id"] for size in sizes]
    left_out: list[str] = []
    sections = []
    for section in snapshot["sections"]:
        entries = []
        for entry in section["entries"]:
            if entry["beverage"]["id"] not in beverages:
                left_out.append(entry["beverage"]["name"])
                continue
            prices = {k: v for k, v in entry["prices"].items() if int(k) in size_ids}
            entries.append({**entry, "prices": prices})
        own = section.get("own_sizes")  # (snapshots from before sizes per section have none)
        priced_by = [i for i in section["sizes"] if i in size_ids] if own else size_ids
        sections.append({**section, "sizes": priced_by, "entries": entries})
    return Restorable({**snapshot, "sizes": sizes, "sections": sections}, left_out)


async def restore_plan(conn: Conn, *, venue_id: int, menu_id: int, version: int) -> Restorable:
    """What restoring `version` makes the menu (NotFound: the version is not kept)."""
    snapshot = await queries.get_snapshot(conn, venue_id=venue_id, menu_id=menu_id, version=version)
    if snapshot is None:
        raise NotFound(f"Version {version} of this menu is not in its history.")
    wanted = [e["beverage"]["id"] for s in snapshot["sections"] for e in s["entries"]]
    beverages = await queries.existing_beverage_ids(conn, venue_id=venue_id, ids=wanted)
    sizes = board_sizes(await queries.list_serving_sizes(conn, venue_id=venue_id))
    return restorable(snapshot, beverages=beverages, sizes=sizes)


async def _restore_structure(conn: Conn, venue_id: int, menu_id: int, snapshot: Board) -> None:
    """Put the menu's name, sections, entries and prices back as in `snapshot` (a board
    `restorable` made: every beverage and size in it is still in the library), in place.

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
        await queries.set_section_sizes(
            conn,
            venue_id=venue_id,
            section_id=section["id"],
            size_ids=section["sizes"] if section.get("own_sizes") else None,
        )
        for position, entry in enumerate(section["entries"]):
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
            prices = {int(k): v for k, v in entry["prices"].items()}
            await queries.set_prices(conn, venue_id=venue_id, entry_id=entry["id"], prices=prices)
            restored.append(entry["id"])
    await queries.delete_not_restored(
        conn,
        venue_id=venue_id,
        menu_id=menu_id,
        section_ids=[section["id"] for section in snapshot["sections"]],
        entry_ids=restored,
    )


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
        plan = await restore_plan(
            conn, venue_id=venue_id, menu_id=menu_id, version=target["restore_version"]
        )
        await _restore_structure(conn, venue_id, menu_id, plan.board)
        await queries.mark_undone(
            conn, venue_id=venue_id, menu_id=menu_id, version=target["undoes"]
        )
        return f"Undid: {target['summary']}"

    return await change_menu(conn, edit=edit, kind="undo", **change)


async def restore(conn: Conn, *, version: int, **change: Unpack[MenuChange]) -> Board:
    """Bring back the menu as it was at `version`, as a new version (history is kept)."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        plan = await restore_plan(conn, venue_id=venue_id, menu_id=menu_id, version=version)
        await _restore_structure(conn, venue_id, menu_id, plan.board)
        skipped = len(plan.left_out)
        note = f" ({skipped} entries left out: their beverages were deleted)" if skipped else ""
        return f"Restored version {version}{note}"

    return await change_menu(conn, edit=edit, kind="restore", **change)
