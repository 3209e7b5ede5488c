"""The theme gallery: the designed looks a display can take (drawn by tv-client/tv.css).

A look is a style (fonts, textures, how heads and tap numbers are drawn) over the display's
own colours; each comes with a palette, which the settings form puts in the colour fields
when staff pick the look (they may change the colours after). The fonts ship with the TV
app (tv-client/fonts/, open-licensed, from @fontsource on npm).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    key: str
    label: str
    description: str
    background_color: str
    text_color: str
    accent_color: str

    def palette(self) -> dict[str, str]:
        return {
            "background_color": self.background_color,
            "text_color": self.text_color,
            "accent_color": self.accent_color,
        }


LOOKS = (
    Look(
        "taproom",
        "Dark taproom",
        "Amber on near-black, condensed names.",
        "#111417",
        "#f3efe6",
        "#e0b45a",
    ),
    Look(
        "chalkboard",
        "Chalkboard",
        "Hand-lettered chalk on slate, in a wooden frame.",
        "#26332c",
        "#f4f1e8",
        "#f2d16b",
    ),
    Look(
        "cafe",
        "Bright café",
        "Serif names on warm paper; for daylight rooms.",
        "#fbf7f0",
        "#2b2521",
        "#a63d22",
    ),
    Look("neon", "Neon bar", "Glowing heads on deep violet.", "#0c0818", "#f7f4ff", "#ff5ad9"),
    Look(
        "brewery",
        "Brewery brand",
        "Your logo large on a band of your colour.",
        "#16243a",
        "#ffffff",
        "#f2b134",
    ),
    Look(
        "contrast",
        "High contrast",
        "Plain, large, black and white: the most legible.",
        "#000000",
        "#ffffff",
        "#ffd400",
    ),
)
BY_KEY = {look.key: look for look in LOOKS}
DEFAULT_LOOK = "taproom"  # the board as it was before looks: same colours

# Fonts a display may choose instead of its look's (tv-client/tv.css, `.font-<key>`).
FONTS = (
    ("", "The look's own"),
    ("inter", "Inter (clean sans)"),
    ("oswald", "Oswald (condensed)"),
    ("nunito", "Nunito (rounded)"),
    ("patrick-hand", "Patrick Hand (handwritten)"),
    ("atkinson", "Atkinson Hyperlegible"),
)
