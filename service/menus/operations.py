"""How menus change: the one home for every edit, from the editor, the API or a keg sensor.

Every change to a menu goes through `change_menu`, inside the request's transaction:
  1. lock the menu row (concurrent saves to one menu queue here);
  2. if the caller says which version it based its edit on and that is no longer the
     current one, refuse with `StaleVersion` (carrying the current board) — nothing is lost
     and nothing is silently overwritten;
  3. apply the edit; 4. bump `version`; 5. store the new board as a revision (who, what,
  when; the base for undo and restore); 6. NOTIFY `menu_changed` with `menu_id:version`,
  delivered when the transaction commits.
A failure anywhere rolls the whole request back: no row, no revision, no notification.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from chalkboard.db import Conn
from chalkboard.displays import queries as displays
from chalkboard.menus import queries
from chalkboard.menus.board import Board, build_board
from chalkboard.menus.queries import Beverage, EntryPlace, MenuSummary, ServingSize

# Enough history to walk back a busy night; older revisions are pruned.
KEEP_REVISIONS = 500


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in person or an API token."""

    user_id: int | None = None
    token_id: int | None = None
    # Added to the history line, e.g. "scheduled by sam@bar.example" (schedules, #16).
    note: str = ""


class NotFound(Exception):
    """The venue has no such menu, section, entry, beverage or serving size."""


class StaleVersion(Exception):
    """The edit was based on an older version; `board` is the current state to show."""

    def __init__(self, current: int, board: Board) -> None:
        super().__init__(f"the menu is at version {current}")
        self.current = current
        self.board = board


class Conflict(Exception):
    """The change cannot be made as asked (e.g. deleting a beverage still on a menu)."""


Edit = Callable[[], Awaitable[str]]


class MenuChange(TypedDict):
    """The arguments every change to a menu takes: which menu, in which venue, based on
    which version (None: whatever is current), by whom."""

    venue_id: int
    menu_id: int
    based_on: int | None
    actor: Actor


async def _snapshot_or_build(conn: Conn, venue_id: int, menu: MenuSummary) -> Board:
    stored = await queries.get_snapshot(
        conn, venue_id=venue_id, menu_id=menu.id, version=menu.version
    )
    return stored or await build_board(conn, venue_id=venue_id, menu=menu, version=menu.version)


async def current_board(conn: Conn, *, venue_id: int, menu_id: int) -> Board:
    menu = await queries.get_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if menu is None:
        raise NotFound("No such menu in this venue.")
    return await _snapshot_or_build(conn, venue_id, menu)


async def board_at(conn: Conn, *, venue_id: int, menu_id: int, version: int) -> Board:
    """The board as it was at `version` (its stored snapshot), or the current one if that
    snapshot is gone (pruned, or the menu moved on)."""
    stored = await queries.get_snapshot(conn, venue_id=venue_id, menu_id=menu_id, version=version)
    return stored or await current_board(conn, venue_id=venue_id, menu_id=menu_id)


async def change_menu(
    conn: Conn,
    *,
    venue_id: int,
    menu_id: int,
    based_on: int | None,
    actor: Actor,
    edit: Edit,
    kind: str = "edit",
) -> Board:
    """Apply `edit` (which returns a one-line summary) as the menu's next version."""
    menu = await queries.lock_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if menu is None:
        raise NotFound("No such menu in this venue.")
    if based_on is not None and based_on != menu.version:
        raise StaleVersion(menu.version, await _snapshot_or_build(conn, venue_id, menu))
    summary = await edit()
    version = await queries.bump_menu_version(conn, venue_id=venue_id, menu_id=menu_id)
    menu = await queries.get_menu(conn, venue_id=venue_id, menu_id=menu_id) or menu
    return await _record(conn, venue_id, menu, version, summary, kind, actor)


async def _record(
    conn: Conn,
    venue_id: int,
    menu: MenuSummary,
    version: int,
    summary: str,
    kind: str,
    actor: Actor,
) -> Board:
    board = await build_board(conn, venue_id=venue_id, menu=menu, version=version)
    if actor.note:
        summary = f"{summary} ({actor.note})"[:300]
    await queries.insert_revision(
        conn,
        venue_id=venue_id,
        menu_id=menu.id,
        version=version,
        summary=summary,
        kind=kind,
        user_id=actor.user_id,
        token_id=actor.token_id,
        snapshot=board,
    )
    await queries.prune_revisions(
        conn, venue_id=venue_id, menu_id=menu.id, latest=version, keep=KEEP_REVISIONS
    )
    await queries.notify_menu_changed(conn, menu_id=menu.id, version=version)
    return board


async def _touch_all_menus(conn: Conn, venue_id: int, actor: Actor, summary: str) -> None:
    """Venue-wide changes (serving sizes) show on every board: each menu gets a version."""
    for menu_id in await queries.all_menu_ids(conn, venue_id=venue_id):
        await change_menu(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            based_on=None,
            actor=actor,
            edit=_fixed(summary),
        )


def _fixed(summary: str) -> Edit:
    async def edit() -> str:
        return summary

    return edit


# --- menus -------------------------------------------------------------------------------


async def create_menu(conn: Conn, *, venue_id: int, name: str, actor: Actor) -> Board:
    menu = await queries.create_menu(conn, venue_id=venue_id, name=name)
    return await _record(
        conn, venue_id, menu, menu.version, f"Created menu {name}", "create", actor
    )


async def rename_menu(conn: Conn, *, name: str, **change: Unpack[MenuChange]) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        await queries.rename_menu(conn, venue_id=venue_id, menu_id=menu_id, name=name)
        return f"Renamed the menu to {name}"

    return await change_menu(conn, edit=edit, **change)


async def delete_menu(conn: Conn, *, venue_id: int, menu_id: int) -> None:
    """Delete a menu; the displays showing it are left without one, and their TVs are told."""
    showing = await displays.displays_on_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if not await queries.delete_menu(conn, venue_id=venue_id, menu_id=menu_id):
        raise NotFound("No such menu in this venue.")
    for display_id in showing:
        await displays.notify_display_changed(conn, display_id=display_id, event="updated")


# --- sections ----------------------------------------------------------------------------


async def _section_exists(conn: Conn, venue_id: int, menu_id: int, section_id: int) -> None:
    if (
        await queries.section_position(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
        )
        is None
    ):
        raise NotFound("No such section on this menu.")


async def add_section(
    conn: Conn,
    *,
    name: str,
    kind: str,
    **change: Unpack[MenuChange],
) -> tuple[Board, int]:
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    created: list[int] = []

    async def edit() -> str:
        created.append(
            await queries.create_section(
                conn, venue_id=venue_id, menu_id=menu_id, name=name, kind=kind
            )
        )
        return f"Added section {name}"

    board = await change_menu(conn, edit=edit, **change)
    return board, created[0]


async def update_section(
    conn: Conn,
    *,
    section_id: int,
    name: str,
    kind: str,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        if not await queries.update_section(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id, name=name, kind=kind
        ):
            raise NotFound("No such section on this menu.")
        return f"Changed section {name}"

    return await change_menu(conn, edit=edit, **change)


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

    return await change_menu(conn, edit=edit, **change)


async def move_section(
    conn: Conn,
    *,
    section_id: int,
    position: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        if not await queries.move_section(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id, to_position=position
        ):
            raise NotFound("No such section on this menu.")
        return "Reordered sections"

    return await change_menu(conn, edit=edit, **change)


# --- entries -----------------------------------------------------------------------------


async def _entry(conn: Conn, venue_id: int, menu_id: int, entry_id: int) -> EntryPlace:
    entry = await queries.entry_in_menu(conn, venue_id=venue_id, menu_id=menu_id, entry_id=entry_id)
    if entry is None:
        raise NotFound("No such entry on this menu.")
    return entry


async def _beverage(conn: Conn, venue_id: int, beverage_id: int) -> Beverage:
    beverage = await queries.get_beverage(conn, venue_id=venue_id, beverage_id=beverage_id)
    if beverage is None:
        raise NotFound("No such beverage in this venue's library.")
    return beverage


async def _check_sizes(conn: Conn, venue_id: int, prices: dict[int, int]) -> None:
    unknown = set(prices) - await queries.existing_size_ids(conn, venue_id=venue_id)
    if unknown:
        raise NotFound(f"No such serving size in this venue: {sorted(unknown)}.")


def _keg_fields(fields: dict[str, Any], changed: set[str] | None = None) -> dict[str, Any]:
    """Keep keg percentage and remaining volume consistent when the keg size is known.

    Whichever the caller set wins: a new percentage sets the remaining volume, otherwise
    the percentage is derived from the remaining volume (as a flow meter reports it).
    """
    size, remaining = fields.get("keg_size_ml"), fields.get("keg_remaining_ml")
    percent = fields.get("keg_percent")
    if changed is None:
        changed = {name for name, value in fields.items() if value is not None}
    if (
        size
        and percent is not None
        and "keg_percent" in changed
        and "keg_remaining_ml" not in changed
    ):
        fields["keg_remaining_ml"] = int(size * Decimal(percent) / 100)
    elif size and remaining is not None:
        remaining = min(remaining, size)
        fields["keg_remaining_ml"] = remaining
        fields["keg_percent"] = (Decimal(remaining) * 100 / size).quantize(Decimal("0.01"))
    return fields


async def add_entry(
    conn: Conn,
    *,
    section_id: int,
    beverage_id: int,
    fields: dict[str, Any],
    prices: dict[int, int],
    position: int | None,
    **change: Unpack[MenuChange],
) -> tuple[Board, int]:
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    created: list[int] = []

    async def edit() -> str:
        await _section_exists(conn, venue_id, menu_id, section_id)
        beverage = await _beverage(conn, venue_id, beverage_id)
        await _check_sizes(conn, venue_id, prices)
        entry_id = await queries.insert_entry(
            conn,
            venue_id=venue_id,
            section_id=section_id,
            beverage_id=beverage_id,
            **_keg_fields(dict(fields)),
        )
        await queries.set_prices(conn, venue_id=venue_id, entry_id=entry_id, prices=prices)
        if position is not None:
            await _place(conn, venue_id, menu_id, entry_id, section_id, position)
        created.append(entry_id)
        tap = f" on tap {fields['tap_label']}" if fields.get("tap_label") else ""
        return f"Added {beverage.name}{tap}"

    board = await change_menu(conn, edit=edit, **change)
    return board, created[0]


async def update_entry(
    conn: Conn,
    *,
    entry_id: int,
    changes: dict[str, Any],
    prices: dict[int, int] | None,
    **change: Unpack[MenuChange],
) -> Board:
    """Change some of an entry's fields (those in `changes`) and, if given, all its prices."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        await _entry(conn, venue_id, menu_id, entry_id)
        fields = await queries.entry_fields(conn, venue_id=venue_id, entry_id=entry_id)
        # A form resends every field: only values that differ count as changed, so an
        # untouched keg % does not override the volume a flow meter reported.
        changed = {name for name, value in changes.items() if fields.get(name) != value}
        fields.update(changes)
        beverage = await _beverage(conn, venue_id, fields["beverage_id"])
        await queries.update_entry(
            conn, venue_id=venue_id, entry_id=entry_id, **_keg_fields(fields, changed)
        )
        if prices is not None:
            await _check_sizes(conn, venue_id, prices)
            await queries.set_prices(conn, venue_id=venue_id, entry_id=entry_id, prices=prices)
        return f"Changed {beverage.name}"

    return await change_menu(conn, edit=edit, **change)


async def duplicate_entry(
    conn: Conn,
    *,
    entry_id: int,
    **change: Unpack[MenuChange],
) -> tuple[Board, int]:
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    created: list[int] = []

    async def edit() -> str:
        entry = await _entry(conn, venue_id, menu_id, entry_id)
        fields = await queries.entry_fields(conn, venue_id=venue_id, entry_id=entry_id)
        beverage_id = fields.pop("beverage_id")
        copy_id = await queries.insert_entry(
            conn,
            venue_id=venue_id,
            section_id=entry.section_id,
            beverage_id=beverage_id,
            **fields,
        )
        prices = await queries.get_prices(conn, venue_id=venue_id, entry_id=entry_id)
        await queries.set_prices(conn, venue_id=venue_id, entry_id=copy_id, prices=prices)
        await _place(conn, venue_id, menu_id, copy_id, entry.section_id, entry.position + 1)
        created.append(copy_id)
        return f"Duplicated {(await _beverage(conn, venue_id, beverage_id)).name}"

    board = await change_menu(conn, edit=edit, **change)
    return board, created[0]


async def remove_entry(
    conn: Conn,
    *,
    entry_id: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        entry = await _entry(conn, venue_id, menu_id, entry_id)
        beverage = await _beverage(conn, venue_id, entry.beverage_id)
        await queries.delete_entry(conn, venue_id=venue_id, entry=entry)
        return f"Removed {beverage.name}"

    return await change_menu(conn, edit=edit, **change)


async def _place(
    conn: Conn, venue_id: int, menu_id: int, entry_id: int, section_id: int, position: int
) -> None:
    entry = await _entry(conn, venue_id, menu_id, entry_id)
    await _section_exists(conn, venue_id, menu_id, section_id)
    size = await queries.count_entries(conn, venue_id=venue_id, section_id=section_id)
    last = size - 1 if section_id == entry.section_id else size
    await queries.place_entry(
        conn,
        venue_id=venue_id,
        entry=entry,
        section_id=section_id,
        position=max(0, min(position, last)),
    )


async def move_entry(
    conn: Conn,
    *,
    entry_id: int,
    section_id: int,
    position: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        await _place(conn, venue_id, menu_id, entry_id, section_id, position)
        return "Reordered the list"

    return await change_menu(conn, edit=edit, **change)


async def kick(
    conn: Conn,
    *,
    entry_id: int,
    **change: Unpack[MenuChange],
) -> Board:
    """The keg is empty: the next on-deck beverage takes its tap and place in one step.

    The kicked entry stays on the menu, marked kicked, at the end of its section (so undo
    and a quick re-order are one tap away); with nothing on deck it is marked kicked in place.
    """
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        entry = await _entry(conn, venue_id, menu_id, entry_id)
        kicked = await _beverage(conn, venue_id, entry.beverage_id)
        fields = await queries.entry_fields(conn, venue_id=venue_id, entry_id=entry_id)
        nxt = await queries.on_deck_for_tap(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            tap_label=entry.tap_label,
            except_entry=entry_id,
        )
        await queries.update_entry(
            conn,
            venue_id=venue_id,
            entry_id=entry_id,
            **{
                **fields,
                "status": "kicked",
                "keg_percent": Decimal(0),
                "keg_remaining_ml": 0 if fields["keg_size_ml"] else None,
            },
        )
        if nxt is None:
            return f"Kicked {kicked.name}"
        promoted = await queries.entry_fields(conn, venue_id=venue_id, entry_id=nxt.id)
        await queries.update_entry(
            conn,
            venue_id=venue_id,
            entry_id=nxt.id,
            **{
                **promoted,
                "status": "on_tap",
                "tap_label": entry.tap_label,
                "keg_percent": Decimal(100),
                "keg_remaining_ml": promoted["keg_size_ml"],
            },
        )
        await _place(conn, venue_id, menu_id, nxt.id, entry.section_id, entry.position)
        end = await queries.count_entries(conn, venue_id=venue_id, section_id=entry.section_id)
        await _place(conn, venue_id, menu_id, entry_id, entry.section_id, end)
        coming = await _beverage(conn, venue_id, nxt.beverage_id)
        tap = f" on tap {entry.tap_label}" if entry.tap_label else ""
        return f"Kicked {kicked.name}; {coming.name} is now{tap or ' on tap'}"

    return await change_menu(conn, edit=edit, **change)


async def record_pour(
    conn: Conn, *, venue_id: int, menu_id: int, entry_id: int, volume_ml: int, actor: Actor
) -> Board:
    """A flow meter or keg scale reports volume served: the keg level drops by that much."""

    async def edit() -> str:
        await _entry(conn, venue_id, menu_id, entry_id)
        fields = await queries.entry_fields(conn, venue_id=venue_id, entry_id=entry_id)
        if not fields["keg_size_ml"]:
            raise Conflict("Set the keg size for this entry before reporting pours.")
        remaining = fields["keg_remaining_ml"]
        if remaining is None:
            remaining = fields["keg_size_ml"]
        fields["keg_remaining_ml"] = max(0, remaining - volume_ml)
        await queries.update_entry(
            conn, venue_id=venue_id, entry_id=entry_id, **_keg_fields(fields)
        )
        return f"Poured {volume_ml} ml"

    return await change_menu(
        conn, venue_id=venue_id, menu_id=menu_id, based_on=None, actor=actor, edit=edit
    )


# --- undo and restore ----------------------------------------------------------------------


async def _restore_structure(conn: Conn, venue_id: int, menu_id: int, snapshot: Board) -> int:
    """Put the menu's name, sections, entries and prices back as in `snapshot`; returns
    entries left out because their beverage has since been deleted from the library."""
    await queries.rename_menu(
        conn, venue_id=venue_id, menu_id=menu_id, name=snapshot["menu"]["name"]
    )
    # Staff notes are not in snapshots (the board is public): entries that come back keep theirs.
    private_notes = await queries.private_notes(conn, venue_id=venue_id, menu_id=menu_id)
    await queries.delete_menu_sections(conn, venue_id=venue_id, menu_id=menu_id)
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
        position = 0
        for entry in section["entries"]:
            if entry["beverage"]["id"] not in beverages:
                skipped += 1
                continue
            fields = {name: entry[name] for name in queries.ENTRY_FIELDS}
            fields["private_note"] = private_notes.get(entry["id"], "")
            if fields["keg_percent"] is not None:
                fields["keg_percent"] = Decimal(str(fields["keg_percent"]))
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
            position += 1
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


# --- the beverage library and serving sizes ---------------------------------------------------


async def update_beverage(
    conn: Conn,
    *,
    venue_id: int,
    beverage_id: int,
    based_on: int | None,
    fields: dict[str, Any],
    actor: Actor,
) -> Beverage:
    """Change a beverage; every menu that lists it gets a new version (TVs update)."""
    current = await queries.lock_beverage_version(conn, venue_id=venue_id, beverage_id=beverage_id)
    if current is None:
        raise NotFound("No such beverage in this venue's library.")
    if based_on is not None and based_on != current:
        raise StaleVersion(current, {})
    beverage = await queries.update_beverage(
        conn, venue_id=venue_id, beverage_id=beverage_id, **fields
    )
    assert beverage is not None
    await _touch_menus_listing(conn, venue_id, beverage, actor, f"Updated {beverage.name}")
    return beverage


async def set_beverage_image(
    conn: Conn, *, venue_id: int, beverage_id: int, image_id: int | None, actor: Actor
) -> Beverage:
    """Give a beverage an image (None: no image); every menu listing it gets a new version."""
    current = await queries.lock_beverage_version(conn, venue_id=venue_id, beverage_id=beverage_id)
    if current is None:
        raise NotFound("No such beverage in this venue's library.")
    beverage = await queries.set_beverage_image(
        conn, venue_id=venue_id, beverage_id=beverage_id, image_id=image_id
    )
    assert beverage is not None
    await _touch_menus_listing(conn, venue_id, beverage, actor, f"New image for {beverage.name}")
    return beverage


async def _touch_menus_listing(
    conn: Conn, venue_id: int, beverage: Beverage, actor: Actor, summary: str
) -> None:
    for menu in await queries.menus_listing_beverage(
        conn, venue_id=venue_id, beverage_id=beverage.id
    ):
        await change_menu(
            conn,
            venue_id=venue_id,
            menu_id=menu.id,
            based_on=None,
            actor=actor,
            edit=_fixed(summary),
        )


async def delete_beverage(conn: Conn, *, venue_id: int, beverage_id: int) -> None:
    listed = await queries.menus_listing_beverage(conn, venue_id=venue_id, beverage_id=beverage_id)
    if listed:
        names = ", ".join(m.name for m in listed)
        raise Conflict(f"This beverage is on {names}. Remove it from those menus first.")
    if not await queries.delete_beverage(conn, venue_id=venue_id, beverage_id=beverage_id):
        raise NotFound("No such beverage in this venue's library.")


async def create_serving_size(
    conn: Conn, *, venue_id: int, name: str, volume_ml: Decimal | None, actor: Actor
) -> ServingSize:
    size = await queries.create_serving_size(
        conn, venue_id=venue_id, name=name, volume_ml=volume_ml
    )
    await _touch_all_menus(conn, venue_id, actor, f"Added serving size {name}")
    return size


async def update_serving_size(
    conn: Conn,
    *,
    venue_id: int,
    size_id: int,
    name: str,
    volume_ml: Decimal | None,
    actor: Actor,
) -> ServingSize:
    size = await queries.update_serving_size(
        conn, venue_id=venue_id, size_id=size_id, name=name, volume_ml=volume_ml
    )
    if size is None:
        raise NotFound("No such serving size in this venue.")
    await _touch_all_menus(conn, venue_id, actor, f"Changed serving size {name}")
    return size


async def delete_serving_size(conn: Conn, *, venue_id: int, size_id: int, actor: Actor) -> None:
    if not await queries.delete_serving_size(conn, venue_id=venue_id, size_id=size_id):
        raise NotFound("No such serving size in this venue.")
    await _touch_all_menus(conn, venue_id, actor, "Removed a serving size")
