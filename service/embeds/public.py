"""The board as the public may see it: what embeds, the mobile page and the public JSON show.

Built by *copying named fields* out of the board, never by deleting the private ones: a
field added to the board later stays out of public output until someone adds it here.
Hidden entries never appear; on-deck and kicked ones only when asked for.
"""

from __future__ import annotations

import re
from typing import Any

from chalkboard.embeds.forms import EmbedOptions
from chalkboard.embeds.queries import Published
from chalkboard.menus import display
from chalkboard.menus.board import Board
from chalkboard.schedules.effective import public_schedule

PUBLIC_STATUSES = frozenset({"on_tap", "on_deck", "kicked"})
ENTRY_KEYS = ("id", "tap_label", "status", "keg_percent", "note")
BEVERAGE_KEYS = ("name", "producer", "style", "kind", "abv", "ibu", "srm", "description", "tags")
IMAGE_KEYS = ("url", "srcset", "width", "height")
DIGITS = re.compile(r"(\d+)")


def _image(beverage: dict[str, Any]) -> dict[str, Any] | None:
    image = beverage.get("image")
    if not isinstance(image, dict) or not image.get("url"):
        return None
    shown = {key: image.get(key) for key in IMAGE_KEYS}
    if image.get("sources"):  # AVIF/WebP srcsets, for a <picture> (media/pictures.py)
        shown["sources"] = image["sources"]
    return shown


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    beverage = entry["beverage"]
    public = {key: entry.get(key) for key in ENTRY_KEYS}
    public["prices"] = dict(entry.get("prices") or {})
    if "usual_prices" in entry:  # a day-part changed them (schedules, #16)
        public["usual_prices"] = dict(entry["usual_prices"])
    shown: dict[str, Any] = {key: beverage.get(key) for key in BEVERAGE_KEYS}
    shown["image"] = _image(beverage)
    public["beverage"] = shown
    return public


def public_board(board: Board, published: Published) -> dict[str, Any]:
    """The public JSON: every entry that is on tap, on deck or kicked (never hidden)."""
    return {
        "menu": {
            "name": board["menu"]["name"],
            "version": board["menu"]["version"],
        },
        "venue": {
            "name": published.venue_name,
            "currency": published.currency,
            "volume_unit": published.volume_unit,
            "logo": published.logo_url or None,
        },
        "sizes": [
            {"id": size["id"], "name": size["name"], "volume_ml": size["volume_ml"]}
            for size in board["sizes"]
        ],
        "sections": [
            {
                "name": section["name"],
                "kind": section["kind"],
                "entries": [
                    _entry(entry)
                    for entry in section["entries"]
                    if entry["status"] in PUBLIC_STATUSES
                ],
            }
            for section in board["sections"]
        ],
        # Schedules (#16): the day-parts on now and the next change.
        "schedule": public_schedule(board),
    }


def _tap_key(label: str) -> tuple[Any, ...]:
    """Natural order for tap labels: 2 before 10, then A1 before A2; unnumbered last."""
    if not label:
        return (1,)
    return (
        0,
        *[
            (0, int(part)) if part.isdigit() else (1, part.lower())
            for part in DIGITS.split(label)
            if part
        ],
    )


def _sort_key(sort: str) -> Any:
    if sort == "tap":
        return lambda e: _tap_key(e["tap_label"])
    if sort == "name":
        return lambda e: e["beverage"]["name"].casefold()
    if sort == "brewery":
        return lambda e: (e["beverage"]["producer"].casefold(), e["beverage"]["name"].casefold())
    if sort == "style":
        return lambda e: (e["beverage"]["style"].casefold(), e["beverage"]["name"].casefold())
    if sort == "abv":
        return lambda e: (e["beverage"]["abv"] is None, e["beverage"]["abv"] or 0.0)
    if sort == "abv_desc":
        return lambda e: (e["beverage"]["abv"] is None, -(e["beverage"]["abv"] or 0.0))
    return None


def facts(beverage: dict[str, Any], options: EmbedOptions) -> list[str]:
    """The line under a beverage's name: brewery · style · ABV · IBU, as the options say."""
    shown = []
    if options.brewery and beverage["producer"]:
        shown.append(beverage["producer"])
    if options.style and beverage["style"]:
        shown.append(beverage["style"])
    if options.abv and beverage["abv"] is not None:
        shown.append(display.abv(beverage["abv"]))
    if options.ibu and beverage["ibu"] is not None:
        shown.append(f"{beverage['ibu']} IBU")
    return shown


def shown_sections(board: Board, options: EmbedOptions) -> list[dict[str, Any]]:
    """The sections an embed draws: only the statuses asked for, sorted as asked; sections
    left empty are dropped. On tap comes first, then on deck, then kicked."""
    statuses = options.statuses()
    key = _sort_key(options.sort)
    order = {"on_tap": 0, "on_deck": 1, "kicked": 2}
    sections = []
    for section in board["sections"]:
        entries = [_entry(e) for e in section["entries"] if e["status"] in statuses]
        for entry in entries:
            entry["facts"] = facts(entry["beverage"], options)
        if not entries:
            continue
        if key is not None:
            entries.sort(key=key)
        entries.sort(key=lambda e: order[e["status"]])  # stable: keeps the order within each
        sections.append({"name": section["name"], "kind": section["kind"], "entries": entries})
    return sections
