"""Which edits clash: an edit based on an older version is refused only when the very thing
it changes changed since.

Two people editing one menu (a phone behind the bar, a laptop in the office, the API) touch
different entries most of the time, and each save must not be refused for the other's. So an
edit says what it `Touches` — the menu's name, a section's name, kind or place, an entry's
fields, prices per serving size or place, or only that an entry or section still exists —
and `clashes` compares those aspects between the board the edit was based on (its stored
snapshot, `menu_revisions`) and the board now. Anything else that changed meanwhile merges.
Undo and restore touch the whole menu: they are refused after any change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalkboard.menus.board import Board

# An entry's fields as the board carries them (prices are "price:<size id>"). Keg levels are
# not among them: they are events (pours, readings), where the latest one wins.
ENTRY_FIELDS = ("tap_label", "status", "keg_size_ml", "note")
EXISTS, PLACE = "exists", "place"
# A section's aspects: EXISTS, PLACE, "name", "kind", and "entries" (which entries it holds:
# removing a section someone has since added to would take their entry with it).
ENTRIES = "entries"
LABELS = {
    "tap_label": "tap",
    "status": "status",
    "keg_size_ml": "keg size",
    "note": "note",
    "beverage_id": "beverage",
    "name": "name",
    "kind": "kind",
    "sizes": "serving sizes",
    PLACE: "place in the list",
    ENTRIES: "entries",
}


@dataclass(frozen=True)
class Touches:
    """What one edit changes, by id: the aspects above, for sections and entries."""

    whole_menu: bool = False
    menu_name: bool = False
    sections: Mapping[int, frozenset[str]] = field(default_factory=dict)
    entries: Mapping[int, frozenset[str]] = field(default_factory=dict)


WHOLE_MENU = Touches(whole_menu=True)
NOTHING = Touches()


def entry(entry_id: int, *aspects: str) -> Touches:
    return Touches(entries={entry_id: frozenset((EXISTS, *aspects))})


def section(section_id: int, *aspects: str) -> Touches:
    return Touches(sections={section_id: frozenset((EXISTS, *aspects))})


def both(*touches: Touches) -> Touches:
    sections: dict[int, frozenset[str]] = {}
    entries: dict[int, frozenset[str]] = {}
    for t in touches:
        for sid, aspects in t.sections.items():
            sections[sid] = sections.get(sid, frozenset()) | aspects
        for eid, aspects in t.entries.items():
            entries[eid] = entries.get(eid, frozenset()) | aspects
    return Touches(
        whole_menu=any(t.whole_menu for t in touches),
        menu_name=any(t.menu_name for t in touches),
        sections=sections,
        entries=entries,
    )


def find_entry(board: Board | None, entry_id: int) -> dict[str, Any] | None:
    sections = board["sections"] if board else []
    return next((e for s in sections for e in s["entries"] if e["id"] == entry_id), None)


def entry_value(board_entry: dict[str, Any], aspect: str) -> Any:
    """An entry's field as the board has it, comparable with what a form or the API sends."""
    if aspect.startswith("price:"):
        return board_entry["prices"].get(aspect.removeprefix("price:"))
    if aspect == "beverage_id":
        return board_entry["beverage"]["id"]
    return board_entry[aspect]


def section_value(board_section: dict[str, Any], aspect: str) -> Any:
    """A section's aspect as the board has it; `sizes` as an edit names it (None: all)."""
    if aspect == "sizes":
        return board_section["sizes"] if board_section.get("own_sizes") else None
    return board_section[aspect]


def clashes(base: Board, now: Board, touches: Touches, size_names: Mapping[str, str]) -> list[str]:
    """What `touches` names that differs between `base` and `now`, said for people
    ("Jaipur: Pint price"); empty when the edit can merge."""
    if touches.whole_menu:
        return ["the menu"]
    found = []
    if touches.menu_name and base["menu"]["name"] != now["menu"]["name"]:
        found.append("the menu's name")
    was_sections, now_sections = _by_id(base["sections"]), _by_id(now["sections"])
    for section_id, aspects in touches.sections.items():
        was, is_ = was_sections.get(section_id), now_sections.get(section_id)
        name = (is_ or was or {}).get("name", "a section")
        if was is None or is_ is None:
            found.append(f"{name} (removed)" if is_ is None else f"{name} (added)")
            continue
        for aspect in sorted(aspects - {EXISTS}):
            if _section_aspect(base, was, aspect) != _section_aspect(now, is_, aspect):
                found.append(f"{name}: {LABELS[aspect]}")
    for entry_id, aspects in touches.entries.items():
        was, is_ = find_entry(base, entry_id), find_entry(now, entry_id)
        name = (is_ or was or {"beverage": {"name": "an entry"}})["beverage"]["name"]
        if was is None or is_ is None:
            found.append(f"{name} (removed)" if is_ is None else f"{name} (added)")
            continue
        for aspect in sorted(aspects - {EXISTS}):
            if aspect == PLACE:
                differs = _moved(base, now, entry_id)
            else:
                differs = entry_value(was, aspect) != entry_value(is_, aspect)
            if differs:
                found.append(f"{name}: {_label(aspect, size_names)}")
    return found


def _label(aspect: str, size_names: Mapping[str, str]) -> str:
    if aspect.startswith("price:"):
        return f"{size_names.get(aspect.removeprefix('price:'), 'a')} price"
    return LABELS.get(aspect, aspect)


def _by_id(items: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _section_aspect(board: Board, section: dict[str, Any], aspect: str) -> Any:
    if aspect == PLACE:
        return [s["id"] for s in board["sections"]].index(section["id"])
    if aspect == ENTRIES:
        return {e["id"] for e in section["entries"]}
    return section_value(section, aspect)


def _moved(base: Board, now: Board, entry_id: int) -> bool:
    """Whether an entry changed section, or place among the entries that were there before
    and still are (an entry added or removed around it does not move this one)."""
    was, is_ = _section_ids(base, entry_id), _section_ids(now, entry_id)
    if was[0] != is_[0]:
        return True
    kept = set(was[1]) & set(is_[1])
    before = [i for i in was[1] if i in kept]
    after = [i for i in is_[1] if i in kept]
    return before.index(entry_id) != after.index(entry_id)


def _section_ids(board: Board, entry_id: int) -> tuple[int, list[int]]:
    for s in board["sections"]:
        ids = [e["id"] for e in s["entries"]]
        if entry_id in ids:
            return s["id"], ids
    return 0, []
