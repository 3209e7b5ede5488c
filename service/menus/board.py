"""The board: a whole menu as one JSON-ready dict, the same for the editor, TVs and embeds.

It is built once per (menu, version) and stored with the revision, so however many screens
ask for a version, the database assembles it once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalkboard.db import Conn
from chalkboard.media.pictures import picture
from chalkboard.menus import queries
from chalkboard.menus.queries import KegLevel, MenuSummary, ServingSize
from chalkboard.schedules.effective import board_rules

Board = dict[str, Any]


def _number(value: Decimal | None) -> float | None:
    # Display values (ABV, keg %, volumes); money is never a float: prices are integer cents.
    return None if value is None else float(value)


def board_sizes(sizes: list[ServingSize]) -> list[dict[str, Any]]:
    """The venue's serving sizes as a board lists them (its price columns, in order)."""
    return [{"id": s.id, "name": s.name, "volume_ml": _number(s.volume_ml)} for s in sizes]


async def build_board(conn: Conn, *, venue_id: int, menu: MenuSummary, version: int) -> Board:
    sizes = await queries.list_serving_sizes(conn, venue_id=venue_id)
    every_size = [s.id for s in sizes]
    sections: dict[int, dict[str, Any]] = {}
    for r in await queries.board_rows(conn, venue_id=venue_id, menu_id=menu.id):
        section = sections.setdefault(
            r["section_id"],
            {
                "id": r["section_id"],
                "name": r["section_name"],
                "kind": r["section_kind"],
                # The sizes this section prices by, in the venue's order: what its forms
                # ask for and the only price columns a TV, embed or phone shows for it.
                "sizes": every_size if r["section_sizes"] is None else list(r["section_sizes"]),
                "own_sizes": r["section_sizes"] is not None,
                "entries": [],
            },
        )
        if r["entry_id"] is None:
            continue
        shown = {str(size) for size in section["sizes"]}
        section["entries"].append(
            {
                "id": r["entry_id"],
                "tap_label": r["tap_label"],
                "status": r["status"],
                "keg_percent": _number(r["keg_percent"]),
                "keg_size_ml": r["keg_size_ml"],
                "keg_remaining_ml": r["keg_remaining_ml"],
                "note": r["note"],
                "prices": {k: v for k, v in r["prices"].items() if k in shown},
                "beverage": {
                    "id": r["id"],
                    "name": r["name"],
                    "producer": r["producer"],
                    "style": r["style"],
                    "kind": r["kind"],
                    "abv": _number(r["abv"]),
                    "ibu": r["ibu"],
                    "srm": _number(r["srm"]),
                    "description": r["description"],
                    "tags": list(r["tags"]),
                    # {"url" (~480 px), "srcset", "width", "height"} or None (media/pictures.py)
                    "image": picture(r["image_variants"]),
                },
            }
        )
    board: Board = {
        "menu": {"id": menu.id, "name": menu.name, "version": version},
        "sizes": board_sizes(sizes),
        "sections": list(sections.values()),
    }
    # Schedules (#16): the venue's day-parts ride with the board, so it can be shown at any
    # instant (schedules/effective.py); absent when the venue has none.
    rules = await board_rules(conn, venue_id=venue_id, menu_id=menu.id)
    if rules is not None:
        board["dayparts"] = rules
    return board


def with_levels(board: Board, levels: dict[int, KegLevel]) -> Board:
    """The board with every entry's keg level as it is now. Pours are events, not edits: they
    make no version, so a version's snapshot has the levels of when it was saved."""
    sections = []
    for section in board["sections"]:
        entries = []
        for entry in section["entries"]:
            level = levels.get(entry["id"])
            if level is not None:
                entry = {
                    **entry,
                    "keg_percent": _number(level.keg_percent),
                    "keg_size_ml": level.keg_size_ml,
                    "keg_remaining_ml": level.keg_remaining_ml,
                }
            entries.append(entry)
        sections.append({**section, "entries": entries})
    return {**board, "sections": sections}
