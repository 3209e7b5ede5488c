"""A menu's entries: add, change (merging with what others changed), duplicate, remove, move
and kick a keg."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Unpack

from chalkboard.db import Conn
from chalkboard.menus import conflicts, display, queries
from chalkboard.menus.board import Board
from chalkboard.menus.operations.core import (
    BOARD_FIELDS,
    MenuChange,
    base_board,
    beverage_in_venue,
    change_menu,
    check_sizes,
    current_board,
    entry_in_menu,
    keg_fields,
    section_exists,
)
from chalkboard.venues import queries as venues


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
        await section_exists(conn, venue_id, menu_id, section_id)
        beverage = await beverage_in_venue(conn, venue_id, beverage_id)
        await check_sizes(conn, venue_id, prices)
        entry_id = await queries.insert_entry(
            conn,
            venue_id=venue_id,
            section_id=section_id,
            beverage_id=beverage_id,
            **keg_fields(dict(fields)),
        )
        await queries.set_prices(conn, venue_id=venue_id, entry_id=entry_id, prices=prices)
        if position is not None:
            await _place(conn, venue_id, menu_id, entry_id, section_id, position)
        created.append(entry_id)
        tap = f" on tap {fields['tap_label']}" if fields.get("tap_label") else ""
        return f"Added {beverage.name}{tap}"

    touches = conflicts.section(section_id)
    board = await change_menu(conn, edit=edit, touches=touches, **change)
    return board, created[0]


async def update_entry(
    conn: Conn,
    *,
    entry_id: int,
    changes: dict[str, Any],
    prices: dict[int, int] | None,
    **change: Unpack[MenuChange],
) -> Board:
    """Change some of an entry's fields (those in `changes`) and, if given, all its prices.

    Based on a version, only what differs from the entry as that version showed it is
    changed (a form resends every field and every price): someone else's change to another
    field or price of the entry since then is kept, and only a change to the same one clashes.
    """
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    was = (
        conflicts.find_entry(await base_board(conn, change), entry_id)
        if change["based_on"]
        else None
    )
    price_edits: dict[int, int | None] = dict(prices or {})
    if was is not None:
        changes = {
            name: value
            for name, value in changes.items()
            if name not in BOARD_FIELDS or conflicts.entry_value(was, name) != value
        }
        if prices is not None:
            shown = {int(size): price for size, price in was["prices"].items()}
            price_edits = {
                size: prices.get(size)
                for size in shown.keys() | prices.keys()
                if shown.get(size) != prices.get(size)
            }

    async def edit() -> str | None:
        await entry_in_menu(conn, venue_id, menu_id, entry_id)
        fields = await queries.entry_fields(conn, venue_id=venue_id, entry_id=entry_id)
        before = dict(fields)
        old_prices = await queries.get_prices(conn, venue_id=venue_id, entry_id=entry_id)
        new = old_prices
        if prices is not None:
            new = dict(prices)
            if was is not None:  # this person's price edits over the prices as they are now
                new = dict(old_prices)
                for size, price in price_edits.items():
                    if price is None:
                        new.pop(size, None)
                    else:
                        new[size] = price
        # Only values that differ count as changed, so an untouched keg % does not
        # override the volume a flow meter reported.
        changed = {name for name, value in changes.items() if fields.get(name) != value}
        if not changed and new == old_prices:
            return None
        fields.update(changes)
        beverage = await beverage_in_venue(conn, venue_id, fields["beverage_id"])
        await queries.update_entry(
            conn, venue_id=venue_id, entry_id=entry_id, **keg_fields(fields, changed)
        )
        if new != old_prices:
            await check_sizes(conn, venue_id, new)
            await queries.set_prices(conn, venue_id=venue_id, entry_id=entry_id, prices=new)
        what = await _what_changed(conn, venue_id, before, fields, old_prices, new)
        return f"Changed {beverage.name}" + (f": {what}" if what else "")

    aspects = [name for name in changes if name in BOARD_FIELDS]
    if prices is not None:
        aspects += [f"price:{size}" for size in price_edits]
    touches = conflicts.entry(entry_id, *aspects)
    return await change_menu(conn, edit=edit, touches=touches, **change)


# How History says what an entry edit changed: "Changed Jaipur: Pint $4.45 → $4.50".
SAID = {"tap_label": "tap", "keg_size_ml": "keg size (ml)", "keg_percent": "keg %"}


async def _what_changed(
    conn: Conn,
    venue_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    old_prices: dict[int, int],
    new_prices: dict[int, int],
) -> str:
    venue = await venues.get_venue(conn, venue_id=venue_id)
    currency = venue.currency if venue else "USD"
    parts = []
    for size in await queries.list_serving_sizes(conn, venue_id=venue_id):
        old, new = old_prices.get(size.id), new_prices.get(size.id)
        if old != new:
            said = ["—" if p is None else display.price(p, currency) for p in (old, new)]
            parts.append(f"{size.name} {said[0]} → {said[1]}")
    if before["status"] != after["status"]:
        parts.append(f"{before['status']} → {after['status']}".replace("_", " "))
    for name in ("note", "private_note"):
        if before[name] != after[name]:
            label = "staff note" if name == "private_note" else "note"
            parts.append(f"{label} “{after[name]}”" if after[name] else f"{label} removed")
    for name, label in SAID.items():
        if before[name] != after[name]:
            parts.append(f"{label} {before[name] or '—'} → {after[name] or '—'}")
    return ", ".join(parts)[:250]


async def duplicate_entry(
    conn: Conn,
    *,
    entry_id: int,
    **change: Unpack[MenuChange],
) -> tuple[Board, int]:
    venue_id, menu_id = change["venue_id"], change["menu_id"]
    created: list[int] = []

    async def edit() -> str:
        entry = await entry_in_menu(conn, venue_id, menu_id, entry_id)
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
        return f"Duplicated {(await beverage_in_venue(conn, venue_id, beverage_id)).name}"

    board = await change_menu(conn, edit=edit, touches=conflicts.entry(entry_id), **change)
    return board, created[0]


async def remove_entry(
    conn: Conn,
    *,
    entry_id: int,
    **change: Unpack[MenuChange],
) -> Board:
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        entry = await entry_in_menu(conn, venue_id, menu_id, entry_id)
        beverage = await beverage_in_venue(conn, venue_id, entry.beverage_id)
        await queries.delete_entry(conn, venue_id=venue_id, entry=entry)
        return f"Removed {beverage.name}"

    return await change_menu(conn, edit=edit, touches=conflicts.entry(entry_id), **change)


async def _place(
    conn: Conn, venue_id: int, menu_id: int, entry_id: int, section_id: int, position: int
) -> None:
    entry = await entry_in_menu(conn, venue_id, menu_id, entry_id)
    await section_exists(conn, venue_id, menu_id, section_id)
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

    async def edit() -> str | None:
        was = await entry_in_menu(conn, venue_id, menu_id, entry_id)
        await _place(conn, venue_id, menu_id, entry_id, section_id, position)
        now = await entry_in_menu(conn, venue_id, menu_id, entry_id)
        if (now.section_id, now.position) == (was.section_id, was.position):
            return None
        return "Reordered the list"

    touches = conflicts.both(
        conflicts.entry(entry_id, conflicts.PLACE), conflicts.section(section_id)
    )
    mover = ("entry", entry_id)
    return await change_menu(
        conn, edit=edit, touches=touches, described=True, mover=mover, **change
    )


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
        entry = await entry_in_menu(conn, venue_id, menu_id, entry_id)
        kicked = await beverage_in_venue(conn, venue_id, entry.beverage_id)
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
        coming = await beverage_in_venue(conn, venue_id, nxt.beverage_id)
        tap = f" on tap {entry.tap_label}" if entry.tap_label else ""
        return f"Kicked {kicked.name}; {coming.name} is now{tap or ' on tap'}"

    touches = conflicts.entry(entry_id, "status")
    return await change_menu(conn, edit=edit, touches=touches, **change)


@dataclass(frozen=True)
class NewEntry:
    """One entry to add by `import_entries`: its section and beverage by name (made when the
    menu or the library has none of that name), its fields and prices by size id."""

    section: str
    beverage: dict[str, Any]
    fields: dict[str, Any]
    prices: dict[int, int]


async def import_entries(
    conn: Conn, *, entries: list[NewEntry], **change: Unpack[MenuChange]
) -> Board:
    """Add many entries as one change (one version, one line in History, one Undo)."""
    venue_id, menu_id = change["venue_id"], change["menu_id"]

    async def edit() -> str:
        board = await current_board(conn, venue_id=venue_id, menu_id=menu_id)
        sections = {s["name"].lower(): s["id"] for s in board["sections"]}
        # A section made here prices by the sizes its rows price (none priced: every size).
        priced: dict[str, set[int]] = {}
        for entry in entries:
            priced.setdefault(entry.section.lower(), set()).update(entry.prices)
        for entry in entries:
            section_id = sections.get(entry.section.lower())
            if section_id is None:
                kind = "taps" if entry.fields.get("tap_label") else "list"
                section_id = await queries.create_section(
                    conn, venue_id=venue_id, menu_id=menu_id, name=entry.section, kind=kind
                )
                sections[entry.section.lower()] = section_id
                if sizes := sorted(priced[entry.section.lower()]):
                    await check_sizes(conn, venue_id, dict.fromkeys(sizes, 0))
                    await queries.set_section_sizes(
                        conn, venue_id=venue_id, section_id=section_id, size_ids=sizes
                    )
            beverage = await queries.beverage_named(
                conn, venue_id=venue_id, name=entry.beverage["name"]
            ) or await queries.create_beverage(conn, venue_id=venue_id, **entry.beverage)
            await check_sizes(conn, venue_id, entry.prices)
            entry_id = await queries.insert_entry(
                conn,
                venue_id=venue_id,
                section_id=section_id,
                beverage_id=beverage.id,
                **entry.fields,
            )
            await queries.set_prices(
                conn, venue_id=venue_id, entry_id=entry_id, prices=entry.prices
            )
        return f"Imported {len(entries)} entries from a spreadsheet"

    return await change_menu(conn, edit=edit, touches=conflicts.NOTHING, **change)
