"""What changed between two boards, in words a person reads in History: "Renamed section Cask
→ Cask ales", "Moved Jaipur from Cask to Keg", "Jaipur: Pint £4.45 → £4.50".

Used for the History line of a change to the menu's structure (the board before and after
it) and for what a Restore will bring back (the board now and the one restored). Keg levels
are not in it: pours are events, not edits.
"""

from __future__ import annotations

from typing import Any

from chalkboard.menus import display
from chalkboard.menus.board import Board

KINDS = {"taps": "numbered taps", "list": "a list"}
STATUSES = {"on_tap": "on tap", "on_deck": "on deck", "kicked": "kicked", "hidden": "hidden"}
BEVERAGE_FIELDS = {"name": "name", "producer": "producer", "style": "style", "abv": "ABV"}
SUMMARY_LENGTH = 250


def summary(lines: list[str], fallback: str) -> str:
    """One History line: the changes joined, cut to fit with how many more there were."""
    if not lines:
        return fallback
    said = "; ".join(lines)
    if len(said) <= SUMMARY_LENGTH:
        return said
    shown: list[str] = []
    for line in lines:
        more = f"; and {len(lines) - len(shown)} more"
        if len("; ".join([*shown, line])) + len(more) > SUMMARY_LENGTH:
            return "; ".join(shown) + more if shown else said[: SUMMARY_LENGTH - 1] + "…"
        shown.append(line)
    return said


Mover = tuple[str, int]  # ("section" | "entry", its id): what a person moved, if known


def describe(before: Board, after: Board, currency: str, mover: Mover | None = None) -> list[str]:
    """Each difference from `before` to `after`, one short line each, in menu order.
    `mover`: what was moved, when known, is named as what moved (swapping two neighbours
    could be read either way)."""
    lines: list[str] = []
    if before["menu"]["name"] != after["menu"]["name"]:
        lines.append(f"Renamed the menu {before['menu']['name']} → {after['menu']['name']}")
    size_names = {str(s["id"]): s["name"] for s in (*before["sizes"], *after["sizes"])}
    lines += _sizes(before["sizes"], after["sizes"])
    section_mover = mover[1] if mover and mover[0] == "section" else None
    entry_mover = mover[1] if mover and mover[0] == "entry" else None
    lines += _sections(before["sections"], after["sections"], size_names, section_mover)
    lines += _entries(before["sections"], after["sections"], size_names, currency, entry_mover)
    return lines


def restoring(now: Board, restored: Board, left_out: list[str], currency: str) -> list[str]:
    """What a Restore does to the menu as it is `now`: each change to `restored` (the board
    `operations.restorable` made), then each entry it leaves out as its beverage is gone.
    Restore brings back the menu, not the library: a beverage on the menu now is named as
    the library has it now, not as the old snapshot kept it."""
    library = {e["beverage"]["id"]: e["beverage"] for s in now["sections"] for e in s["entries"]}
    sections = [
        {
            **section,
            "entries": [
                {**entry, "beverage": library.get(entry["beverage"]["id"], entry["beverage"])}
                for entry in section["entries"]
            ],
        }
        for section in restored["sections"]
    ]
    lines = describe(now, {**restored, "sections": sections}, currency)
    return lines + [
        f"{name} is no longer in the library: it will not come back" for name in left_out
    ]


def _sizes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    was = {s["id"]: s for s in before}
    now = {s["id"]: s for s in after}
    lines = [f"Added serving size {now[i]['name']}" for i in now.keys() - was.keys()]
    lines += [f"Removed serving size {was[i]['name']}" for i in was.keys() - now.keys()]
    for size_id in was.keys() & now.keys():
        if was[size_id]["name"] != now[size_id]["name"]:
            lines.append(f"Renamed serving size {was[size_id]['name']} → {now[size_id]['name']}")
    return sorted(lines)


def _moved(before: list[int], after: list[int], mover: int | None = None) -> set[int]:
    """Of the ids in both orders, the fewest that moved: those outside the longest run kept
    in order (moving one section down shifts others, which did not move); `mover` is the
    one that moved when the order can be read that way."""
    common = set(before) & set(after)
    kept = _longest_in_order(before, [item for item in after if item in common])
    if mover in kept:
        without = _longest_in_order(before, [i for i in after if i in common and i != mover])
        if len(without) == len(kept):
            kept = without
    return common - kept


def _longest_in_order(before: list[int], sequence: list[int]) -> set[int]:
    place = {item: n for n, item in enumerate(before)}
    # Longest increasing subsequence of places, O(n^2): a menu has tens of rows, not more.
    best: list[list[int]] = []
    for n, item in enumerate(sequence):
        longest: list[int] = []
        for m in range(n):
            if place[sequence[m]] < place[item] and len(best[m]) > len(longest):
                longest = best[m]
        best.append([*longest, item])
    kept: set[int] = set()
    for run in best:
        if len(run) > len(kept):
            kept = set(run)
    return kept


def _sections(
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    size_names: dict[str, str],
    mover: int | None,
) -> list[str]:
    was = {s["id"]: s for s in before}
    now = {s["id"]: s for s in after}
    lines = []
    moved = _moved([s["id"] for s in before], [s["id"] for s in after], mover)
    for place, section in enumerate(after, 1):
        old = was.get(section["id"])
        if old is None:
            lines.append(f"Added section {section['name']}")
            continue
        name = section["name"]
        if old["name"] != name:
            lines.append(f"Renamed section {old['name']} → {name}")
        if old["kind"] != section["kind"]:
            lines.append(f"Section {name}: {KINDS[old['kind']]} → {KINDS[section['kind']]}")
        if old["sizes"] != section["sizes"]:
            named = [_size_list(s["sizes"], size_names) for s in (old, section)]
            lines.append(f"Section {name}: sizes {named[0]} → {named[1]}")
        if section["id"] in moved:
            from_place = [s["id"] for s in before].index(section["id"]) + 1
            lines.append(f"Moved section {name} from place {from_place} to {place}")
    for section in before:
        if section["id"] not in now:
            count = len(section["entries"])
            with_entries = f" and its {count} entries" if count > 1 else ""
            if count == 1:
                with_entries = f" and {section['entries'][0]['beverage']['name']}"
            lines.append(f"Removed section {section['name']}{with_entries}")
    return lines


def _size_list(size_ids: list[int], size_names: dict[str, str]) -> str:
    return ", ".join(size_names.get(str(i), "?") for i in size_ids) or "none"


def _placed(sections: list[dict[str, Any]]) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    return {e["id"]: (s, e) for s in sections for e in s["entries"]}


def _entries(
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    size_names: dict[str, str],
    currency: str,
    mover: int | None,
) -> list[str]:
    was, now = _placed(before), _placed(after)
    gone_sections = {s["id"] for s in before} - {s["id"] for s in after}
    lines = []
    order_before = {s["id"]: [e["id"] for e in s["entries"]] for s in before}
    for section in after:
        ids_before = order_before.get(section["id"], [])
        reordered = _moved(ids_before, [e["id"] for e in section["entries"]], mover)
        for place, entry in enumerate(section["entries"], 1):
            name = entry["beverage"]["name"]
            old = was.get(entry["id"])
            if old is None:
                tap = f" on tap {entry['tap_label']}" if entry["tap_label"] else ""
                lines.append(f"Added {name} to {section['name']}{tap}")
                continue
            old_section, old_entry = old
            if old_section["id"] != section["id"]:
                lines.append(f"Moved {name} from {old_section['name']} to {section['name']}")
            elif entry["id"] in reordered:
                from_place = ids_before.index(entry["id"]) + 1
                lines.append(f"Moved {name} from place {from_place} to {place}")
            what = _entry_changes(old_entry, entry, size_names, currency)
            if what:
                lines.append(f"{name}: {what}")
    for entry_id, (section, entry) in was.items():
        if entry_id not in now and section["id"] not in gone_sections:
            lines.append(f"Removed {entry['beverage']['name']} from {section['name']}")
    return lines


def _or_dash(value: object) -> object:
    return "—" if value in (None, "") else value


def _entry_changes(
    old: dict[str, Any], new: dict[str, Any], size_names: dict[str, str], currency: str
) -> str:
    parts = []
    if old["beverage"]["id"] != new["beverage"]["id"]:
        parts.append(f"was {old['beverage']['name']}")
    else:
        for key, label in BEVERAGE_FIELDS.items():
            a, b = old["beverage"].get(key), new["beverage"].get(key)
            if a != b:
                parts.append(f"{label} {_or_dash(a)} → {_or_dash(b)}")
    for size in sorted(old["prices"].keys() | new["prices"].keys(), key=int):
        a, b = old["prices"].get(size), new["prices"].get(size)
        if a != b:
            said = ["—" if p is None else display.price(p, currency) for p in (a, b)]
            parts.append(f"{size_names.get(size, 'price')} {said[0]} → {said[1]}")
    if old["status"] != new["status"]:
        parts.append(f"{STATUSES[old['status']]} → {STATUSES[new['status']]}")
    if old["tap_label"] != new["tap_label"]:
        parts.append(f"tap {old['tap_label'] or '—'} → {new['tap_label'] or '—'}")
    if old["note"] != new["note"]:
        parts.append(f"note “{new['note']}”" if new["note"] else "note removed")
    return ", ".join(parts)
