"""Beverages from a spreadsheet: one parser for the editor's import form and the JSON API.

The first row names the columns (any order, any case, each once): `name` is required, the
others are the fields of `BeverageIn`. Empty cells take the defaults; `tags` are separated
by `|`. An import is all or nothing: callers create beverages only when no row has a problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from chalkboard.http.forms import validate
from chalkboard.menus.forms import BeverageIn

COLUMNS = tuple(BeverageIn.model_fields)
MAX_ROWS = 2000
TAG_SEPARATOR = "|"  # commas and semicolons are a CSV's own separators in some locales


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or a whole row, when `column` is empty)."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


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
        values: dict[str, object] = {
            name: cell.strip() for name, cell in zip(header, cells, strict=False) if cell.strip()
        }
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
