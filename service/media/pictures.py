"""An image as screens use it: a URL of about the width wanted, and a srcset of all widths.

Pure functions over an image's stored variants (`images.variants`), shared by the board
(beverage images), the TV's display message (logo, background) and the API.
"""

from __future__ import annotations

from typing import Any

THUMB_WIDTH = 160  # the editor's pickers and library
BOARD_WIDTH = 480  # beverage images on TVs and embeds, and logos
BACKGROUND_WIDTH = 3840  # a 4K TV's background


def variant(variants: list[dict[str, Any]], width: int) -> dict[str, Any]:
    """The narrowest variant at least `width` wide, or the widest there is."""
    return next((v for v in variants if v["width"] >= width), variants[-1])


def srcset(variants: list[dict[str, Any]]) -> str:
    return ", ".join(f"{v['url']} {v['width']}w" for v in variants)


def sources(variants: list[dict[str, Any]]) -> list[dict[str, str]]:
    """`[{"type", "srcset"}]` for each modern format some variant has, best first (AVIF, then
    WebP): a `<picture>`'s `<source>`s, which a browser skips when it cannot show the type."""
    by_type: dict[str, list[str]] = {}
    for v in variants:
        for alternate in v.get("alternates", ()):
            by_type.setdefault(alternate["content_type"], []).append(
                f"{alternate['url']} {v['width']}w"
            )
    order = ("image/avif", "image/webp")
    return [{"type": kind, "srcset": ", ".join(by_type[kind])} for kind in order if kind in by_type]


def picture(
    variants: list[dict[str, Any]] | None, width: int = BOARD_WIDTH
) -> dict[str, Any] | None:
    """`{"url", "srcset", "width", "height"}` (of the `url` variant), plus `"sources"` when
    there are modern formats, or None for no image."""
    if not variants:
        return None
    chosen = variant(variants, width)
    shown: dict[str, Any] = {
        "url": chosen["url"],
        "srcset": srcset(variants),
        "width": chosen["width"],
        "height": chosen["height"],
    }
    modern = sources(variants)
    if modern:
        shown["sources"] = modern
    return shown
