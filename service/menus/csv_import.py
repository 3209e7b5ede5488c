"""Beverages from a spreadsheet: one parser for the editor's import form and the JSON API.

The first row names the columns (any order, any case, each once): `name` is required, the
others are the fields of `BeverageIn`. Empty cells take the defaults; `tags` are separated
by `|`. An import is all or nothing: callers create beverages only when no row has a problem.

A menu is filled from the columns its own export writes (csv_export.menu_csv): `section`,
`name` and `tap`, `producer`, `style`, `abv`, `status`, `keg_percent`, `note`, and a price
column named after each serving size ("Pint": 6.50). A section the import creates prices by
the sizes its rows give prices for (operations.import_entries), so an export of a menu whose
Cocktails are priced by the Glass comes back that way.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from chalkboard.http.forms import validate
from chalkboard.menus import display
from chalkboard.menus.forms import BeverageIn, EntryFields, SectionIn
from chalkboard.menus.operations.entries import NewEntry

COLUMNS = tuple(BeverageIn.model_fields)
MAX_ROWS = 2000
TAG_SEPARATOR = "|"  # commas and semicolons are a CSV's own separators in some locales


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or a whole row, when `column` is empty)."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


# Cells that must hold a number: one that does not is named with what was typed, not with
# pydantic's "Input should be a valid decimal".
NUMBER_COLUMNS = ("abv", "ibu", "srm", "keg_percent")


def _not_numbers(number: int, values: dict[str, str]) -> list[RowError]:
    """A problem per number cell that holds no number (such cells are also dropped)."""
    errors = []
    for column in NUMBER_COLUMNS:
        typed = values.get(column, "")
        try:
            Decimal(typed.removesuffix("%").strip() or "0")
        except ArithmeticError:
            errors.append(RowError(number, column, f"'{typed}' is not a number: type it like 4.5"))
            del values[column]
    return errors


def parse_beverages(text: str) -> tuple[list[BeverageIn], list[RowError]]:
    """Every data row as a `BeverageIn`, and every problem found (an empty list: all good)."""
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))  # Excel writes a BOM
    except csv.Error as exc:
        return [], [RowError(1, "", f"This is not readable as CSV ({exc}).")]
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    unknown = [name for name in header if name not in COLUMNS]
    if not any(header):
        problem = "The first row must name the columns."
    elif unknown:
        problem = f"Unknown column {unknown[0]!r}."
    elif "name" not in header:
        problem = "There is no name column."
    elif len(set(header)) < len(header):
        problem = "A column is named twice."
    else:
        problem = ""
    if problem:
        return [], [RowError(1, "", f"{problem} Columns can be: {', '.join(COLUMNS)}.")]

    beverages: list[BeverageIn] = []
    errors: list[RowError] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of the file
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, "", f"Import at most {MAX_ROWS} beverages at a time."))
            break
        if len(cells) > len(header):
            errors.append(RowError(number, "", "This row has more cells than there are columns."))
            continue
        typed = {
            name: cell.strip() for name, cell in zip(header, cells, strict=False) if cell.strip()
        }
        errors.extend(_not_numbers(number, typed))
        values: dict[str, object] = dict(typed)
        if isinstance(tags := values.get("tags"), str):
            values["tags"] = [tag.strip() for tag in tags.split(TAG_SEPARATOR) if tag.strip()]
        if isinstance(abv := values.get("abv"), str):
            values["abv"] = abv.removesuffix("%").strip()
        if isinstance(kind := values.get("kind"), str):
            values["kind"] = kind.lower()
        beverage, problems = validate(BeverageIn, values)
        if beverage is None:
            errors.extend(RowError(number, column, message) for column, message in problems.items())
        else:
            beverages.append(beverage)
    if not beverages and not errors:
        errors.append(RowError(2, "", "There are no beverages below the header row."))
    return beverages, errors


MENU_COLUMNS = (
    "section",
    "tap",
    "name",
    "producer",
    "style",
    "abv",
    "status",
    "keg_percent",
    "note",
)


def parse_menu(
    text: str, sizes: dict[str, int], currency: str
) -> tuple[list[NewEntry], list[RowError]]:
    """Every data row as an entry to add (`sizes`: serving size id by lower-case name), and
    every problem found, by row and column (an empty list: all good)."""
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as exc:
        return [], [RowError(1, "", f"This is not readable as CSV ({exc}).")]
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    unknown = [name for name in header if name not in MENU_COLUMNS and name not in sizes]
    if unknown or "section" not in header or "name" not in header:
        allowed = ", ".join([*MENU_COLUMNS, *sizes])
        problem = (
            f"Unknown column {unknown[0]!r}." if unknown else "Name the section and name columns."
        )
        return [], [RowError(1, "", f"{problem} Columns can be: {allowed}.")]
    entries: list[NewEntry] = []
    errors: list[RowError] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, "", f"Import at most {MAX_ROWS} entries at a time."))
            break
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        found = len(errors)
        errors.extend(_not_numbers(number, values))
        section, section_problems = validate(SectionIn, {"name": values.get("section", "")})
        errors.extend(RowError(number, "section", m) for m in section_problems.values())
        beverage, problems = validate(
            BeverageIn,
            {k: values[k] for k in ("name", "producer", "style") if values.get(k)}
            | ({"abv": values["abv"].removesuffix("%")} if values.get("abv") else {}),
        )
        errors.extend(RowError(number, column, m) for column, m in problems.items())
        fields, problems = validate(
            EntryFields,
            {
                "tap_label": values.get("tap", ""),
                "status": values.get("status") or "on_tap",
                "keg_percent": values.get("keg_percent") or None,
                "note": values.get("note", ""),
            },
        )
        errors.extend(RowError(number, column, m) for column, m in problems.items())
        prices = {}
        for name, size_id in sizes.items():
            if values.get(name):
                try:
                    prices[size_id] = display.to_minor(values[name], currency)
                except ValueError as exc:
                    errors.append(RowError(number, name, str(exc)))
        if len(errors) == found and section and beverage and fields:
            entries.append(
                NewEntry(
                    section=section.name,
                    beverage=beverage.model_dump(),
                    fields=fields.model_dump(
                        include={"tap_label", "status", "keg_percent", "note"}
                    ),
                    prices=prices,
                )
            )
    if not entries and not errors:
        errors.append(RowError(2, "", "There are no entries below the header row."))
    return entries, errors
