"""Spreadsheets out: the beverage library (the same columns the import reads, so an export
can be edited and imported into another venue) and a menu as a price list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from chalkboard.menus import display
from chalkboard.menus.board import Board
from chalkboard.menus.csv_import import COLUMNS, TAG_SEPARATOR
from chalkboard.menus.queries import Beverage

# A cell a spreadsheet would run as a formula ("=HYPERLINK(…)") is written as text instead
# (OWASP: CSV injection): a beverage name comes from staff, or from someone's import.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return "\ufeff" + out.getvalue()  # the BOM makes Excel read it as UTF-8


def beverages_csv(beverages: Iterable[Beverage]) -> str:
    def value(beverage: Beverage, name: str) -> object:
        found = getattr(beverage, name)
        if name == "tags":
            return TAG_SEPARATOR.join(found)
        return format(found.normalize(), "f") if isinstance(found, Decimal) else found

    return _csv(COLUMNS, ([value(b, name) for name in COLUMNS] for b in beverages))


def menu_csv(board: Board, currency: str) -> str:
    """One row per entry: where it is, what it is, its status and a price per serving size."""
    sizes = board["sizes"]
    header = ["section", "tap", "name", "producer", "style", "abv", "status", "keg_percent", "note"]
    rows = []
    for section in board["sections"]:
        for entry in section["entries"]:
            beverage = entry["beverage"]
            prices = [
                display.typed_price(entry["prices"][str(s["id"])], currency)
                if str(s["id"]) in entry["prices"]
                else ""
                for s in sizes
            ]
            rows.append(
                [
                    section["name"],
                    entry["tap_label"],
                    beverage["name"],
                    beverage["producer"],
                    beverage["style"],
                    "" if beverage["abv"] is None else f"{beverage['abv']:g}",
                    entry["status"],
                    "" if entry["keg_percent"] is None else f"{entry['keg_percent']:g}",
                    entry["note"],
                    *prices,
                ]
            )
    return _csv(header + [s["name"] for s in sizes], rows)
