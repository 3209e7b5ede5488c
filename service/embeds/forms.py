"""What an embed may be asked for (its look, in the URL) and which sites may frame it.

Options travel in the embed's query string, so one menu can be embedded differently on
different pages. They are normalized to a canonical query (`EmbedOptions.key`): defaults
left out, fixed order. That key names the cached render and goes into the ETag, so
`?tap=1&bg=FFFFFF` and `?bg=ffffff` are one cache entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Annotated, Literal
from urllib.parse import urlencode

from pydantic import AfterValidator, BaseModel, ConfigDict

from chalkboard.http.forms import FormErrors, validate

HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")
Font = Literal["system", "serif", "rounded", "mono", "condensed"]
Sort = Literal["menu", "tap", "name", "brewery", "style", "abv", "abv_desc"]
FONT_STACKS: dict[str, str] = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "serif": 'Georgia, "Times New Roman", "Noto Serif", serif',
    "rounded": '"SF Pro Rounded", "Nunito", "Varela Round", "Trebuchet MS", sans-serif',
    "mono": 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    "condensed": '"Roboto Condensed", "Arial Narrow", "Helvetica Neue", sans-serif-condensed, '
    "sans-serif",
}
FONTS = [
    ("system", "The device's own"),
    ("serif", "Serif"),
    ("rounded", "Rounded"),
    ("mono", "Typewriter"),
    ("condensed", "Condensed"),
]
SORTS = [
    ("menu", "As arranged in the editor"),
    ("tap", "Tap number"),
    ("name", "Beverage name"),
    ("brewery", "Brewery"),
    ("style", "Style"),
    ("abv", "ABV, lowest first"),
    ("abv_desc", "ABV, highest first"),
]
# What each show/hide switch means, in the builder's order.
SWITCHES = [
    ("title", "Menu name"),
    ("tap", "Tap numbers"),
    ("brewery", "Brewery"),
    ("style", "Style"),
    ("abv", "ABV"),
    ("ibu", "IBU"),
    ("level", "Keg level (follows the flow meters)"),
    ("desc", "Descriptions"),
    ("notes", 'Notes ("Last pints!")'),
    ("images", "Images"),
    ("prices", "Prices"),
    ("sizes", "Serving sizes with the prices"),
    ("deck", "On deck (coming soon)"),
    ("kicked", "Kicked kegs"),
]


def colour(value: str) -> str:
    match = HEX_COLOUR.match(value.strip())
    if match is None:
        raise ValueError("Use a colour as six hex digits, like 1a2b3c (a # in front is fine).")
    return match[1].lower()


Colour = Annotated[str, AfterValidator(colour)]


class EmbedOptions(BaseModel):
    """How an embed looks. Booleans take 1/0, true/false, yes/no or on/off."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    bg: Colour = "ffffff"
    fg: Colour = "1d1d1f"
    accent: Colour = "a35a1a"  # 5.2:1 on the white default (AA for its small text)
    font: Font = "system"
    sort: Sort = "menu"
    title: bool = True
    tap: bool = True
    brewery: bool = True
    style: bool = True
    abv: bool = True
    ibu: bool = False
    level: bool = True
    desc: bool = False
    notes: bool = True
    images: bool = True
    prices: bool = True
    sizes: bool = True
    deck: bool = False
    kicked: bool = False

    @functools.cached_property
    def key(self) -> str:
        """The canonical query string: only what differs from the defaults, in field order."""
        return urlencode(self.differences())

    def differences(self) -> list[tuple[str, str]]:
        pairs = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value != info.default:
                pairs.append((name, ("1" if value else "0") if isinstance(value, bool) else value))
        return pairs

    @property
    def font_stack(self) -> str:
        return FONT_STACKS[self.font]

    def statuses(self) -> frozenset[str]:
        """Entry statuses shown: on tap always; on deck and kicked when asked; hidden never."""
        shown = {"on_tap"}
        if self.deck:
            shown.add("on_deck")
        if self.kicked:
            shown.add("kicked")
        return frozenset(shown)


def parse_options(params: Mapping[str, str]) -> tuple[EmbedOptions | None, FormErrors]:
    """Options from a query string; unknown parameters (utm_source…) are ignored."""
    known = {name: params[name] for name in EmbedOptions.model_fields if name in params}
    return validate(EmbedOptions, known)


# --- which sites may frame the embeds -------------------------------------------------------

MAX_FRAME_ORIGINS = 20
HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
ORIGIN = re.compile(
    rf"^(?:(?P<scheme>https?)://)?(?P<wild>\*\.)?(?P<host>{HOST_LABEL}(?:\.{HOST_LABEL})*)"
    r"(?::(?P<port>\d{1,5}))?/?$"
)


def normalize_origin(entry: str) -> str:
    """`example.com` → `https://example.com`; `*.example.com` → `https://*.example.com`;
    `http://localhost:8080` stays as it is. Anything else is refused with the reason."""
    text = entry.strip().lower()
    match = ORIGIN.match(text)
    if match is None:
        raise ValueError(
            f"{entry.strip()!r} is not a site address. Write one per line, like "
            "https://www.example.com or *.example.com (no paths, no spaces)."
        )
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"{entry.strip()!r}: a port is a number from 1 to 65535.")
    if match["wild"] and "." not in match["host"]:
        raise ValueError(f"{entry.strip()!r}: a wildcard needs a domain, like *.example.com.")
    scheme = match["scheme"] or "https"
    return f"{scheme}://{match['wild'] or ''}{match['host']}{f':{port}' if port else ''}"


def parse_frame_origins(text: str) -> list[str]:
    """One origin per line (commas and spaces separate too); empty means any site."""
    entries = [part for part in re.split(r"[\s,]+", text) if part]
    if len(entries) > MAX_FRAME_ORIGINS:
        raise ValueError(f"List at most {MAX_FRAME_ORIGINS} sites.")
    origins: list[str] = []
    for entry in entries:
        origin = normalize_origin(entry)
        if origin not in origins:
            origins.append(origin)
    return origins
