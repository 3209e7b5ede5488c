"""What valid display input looks like: pairing a TV, its settings, and its board's theme."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from chalkboard.displays.looks import BY_KEY, DEFAULT_LOOK, FONTS
from chalkboard.http.forms import FormErrors, text, validate

if TYPE_CHECKING:
    from chalkboard.displays.queries import Display

CODE = re.compile(r"^[A-Z2-9]{6}$")  # what migration 0004 accepts
COLOR = re.compile(r"^#[0-9a-f]{6}$")
AUTO: Literal["auto"] = "auto"


def normalize_code(typed: str) -> str:
    """A code as typed ("ab3 k7q", "AB3-K7Q") in the form the TV shows it ("AB3K7Q")."""
    return re.sub(r"[\s-]+", "", typed).upper()


def check_code(value: str) -> str:
    if not CODE.match(value):
        raise ValueError("Type the 6 letters and digits the TV shows, for example K7QX3M.")
    return value


def check_color(value: str) -> str:
    value = value.strip().lower()
    if not COLOR.match(value):
        raise ValueError("Use a colour like #1f6f5c: # and six hex digits.")
    return value


def in_range(kind: type[float], low: float, high: float, message: str) -> Callable[[Any], Any]:
    """A number from low to high (`kind` int or float), with one message for any other input."""

    def check(value: Any) -> Any:
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ValueError(message) from None
        if not low <= number <= high:  # also refuses nan
            raise ValueError(message)
        return number

    return check


def auto_or(low: int, high: int, message: str) -> Callable[[Any], Any]:
    """A whole number from low to high, or "auto" (which a blank form field also means)."""
    number = in_range(int, low, high, message)

    def check(value: Any) -> Any:
        return AUTO if value in ("", None, AUTO) else number(value)

    return check


def none_if_blank(value: Any) -> Any:
    return None if value == "" else value


Name = Annotated[str, text(80, 1)]
MenuId = Annotated[Annotated[int, Field(ge=1, le=2**63 - 1)] | None, BeforeValidator(none_if_blank)]
Color = Annotated[str, AfterValidator(check_color)]
ImageUrl = Annotated[str, text(500)]
Columns = Annotated[
    int | Literal["auto"], BeforeValidator(auto_or(1, 4, "Choose auto or 1 to 4 columns."))
]
PerPage = Annotated[
    int | Literal["auto"],
    BeforeValidator(auto_or(1, 60, "Use 1 to 60, or leave it empty to fit the screen.")),
]

Seconds = Annotated[int, BeforeValidator(in_range(int, 5, 120, "Use 5 to 120 seconds."))]
Scale = Annotated[float, BeforeValidator(in_range(float, 0.75, 2.0, "Use 0.75 to 2."))]


def check_look(value: Any) -> str:
    if value in ("", None):
        return DEFAULT_LOOK
    if value not in BY_KEY:
        raise ValueError("Choose one of the looks shown.")
    return str(value)


def check_font(value: Any) -> str:
    if value not in FONT_KEYS:
        raise ValueError("Choose one of the fonts listed.")
    return str(value)


FONT_KEYS = {key for key, _ in FONTS}
LookKey = Annotated[str, BeforeValidator(check_look)]
FontKey = Annotated[str, BeforeValidator(check_font)]
ViewingDistance = Annotated[
    Literal["close", "room", "across"], BeforeValidator(lambda value: value or "room")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PreviewQuery(Strict):
    """A display preview's query: `daypart`, to preview the board as that day-part shows it."""

    daypart: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class Theme(Strict):
    """How a TV draws its board: stored in `displays.theme`, sent to the TV as `display.theme`.

    The TV app reads exactly these keys (THEME_KEYS). Each has a default, so a TV fills in
    any key a stored theme lacks:

    - columns: 1-4, or "auto" (chosen from the orientation and screen width). "auto"
    - taps_per_page: 1-60 entries a page, or "auto" (as many as fit the screen). "auto"
    - rotation_seconds: 5-120, how long each page shows when there are several. 12
    - font_scale: 0.75-2.0, times the TV's base font size; above 1 it also raises the
      readable minimum, so the board pages sooner. 1.0
    - viewing_distance: "close" (a counter screen), "room" or "across" (a hall): the
      smallest text the TV allows, as a share of its screen (docs/tv.md). "room"
    - look: the designed look (displays/looks.py): taproom, chalkboard, cafe, neon,
      brewery or contrast. "taproom"
    - font: "" (the look's fonts) or one font for the whole board (looks.FONTS). ""
    - background_color, text_color, accent_color (tap numbers, section names): "#rrggbb".
      "#111417", "#f3efe6", "#e0b45a"
    - show_abv, show_ibu, show_style, show_producer, show_prices, show_keg, show_srm (a
      swatch of the beer's colour), show_tap_numbers, show_descriptions, show_images: the
      details each entry shows. All true but show_ibu
      and show_descriptions.
    - background_image, logo_image: image URLs, "" for none (set from the media library:
      media/views.py; an image they name cannot be deleted).
    """

    columns: Columns = AUTO
    taps_per_page: PerPage = AUTO
    rotation_seconds: Seconds = 12
    font_scale: Scale = 1.0
    viewing_distance: ViewingDistance = "room"
    look: LookKey = DEFAULT_LOOK
    font: FontKey = ""
    background_color: Color = "#111417"
    text_color: Color = "#f3efe6"
    accent_color: Color = "#e0b45a"
    show_abv: bool = True
    show_ibu: bool = False
    show_style: bool = True
    show_producer: bool = True
    show_prices: bool = True
    show_keg: bool = True
    show_srm: bool = True
    show_tap_numbers: bool = True
    show_descriptions: bool = False
    show_images: bool = True
    background_image: ImageUrl = ""
    logo_image: ImageUrl = ""


THEME_KEYS = tuple(Theme.model_fields)
SHOW_FLAGS = tuple(key for key in THEME_KEYS if key.startswith("show_"))
# Not on the settings form (the media library sets them): a save keeps what is stored.
IMAGE_KEYS = ("background_image", "logo_image")


class PairIn(Strict):
    code: Annotated[str, BeforeValidator(normalize_code), AfterValidator(check_code)]
    name: Name
    menu_id: MenuId = None


class DisplayIn(Theme):
    """The settings form, flat so that each field gets its own message."""

    name: Name
    menu_id: MenuId = None
    orientation: Literal["landscape", "portrait"] = "landscape"

    def theme(self) -> dict[str, Any]:
        return self.model_dump(include=set(THEME_KEYS))


def pair_input(values: dict[str, str]) -> tuple[PairIn | None, FormErrors]:
    return validate(PairIn, {key: values.get(key, "") for key in ("code", "name", "menu_id")})


def settings_input(
    values: dict[str, str], stored_theme: dict[str, Any]
) -> tuple[DisplayIn | None, FormErrors]:
    """The settings form's fields. An unticked checkbox is not sent at all: it means False.

    A new look with the colours left as they were takes the look's palette (the form's
    script does the same as it is picked; this is for a browser without it).
    """
    typed: dict[str, Any] = {
        key: values.get(key, "") for key in ("name", "menu_id", "orientation", *THEME_KEYS)
    }
    typed |= {flag: flag in values for flag in SHOW_FLAGS}
    typed |= {key: stored_theme.get(key, "") for key in IMAGE_KEYS}
    stored = Theme.model_validate(stored_theme)
    look = BY_KEY.get(str(typed["look"] or DEFAULT_LOOK))
    if look is not None and look.key != stored.look:
        palette = look.palette()
        if all(str(typed[key]).strip().lower() == getattr(stored, key) for key in palette):
            typed |= palette
    return validate(DisplayIn, typed)


def settings_values(display: Display) -> dict[str, str]:
    """A display's saved settings as its form shows them (a ticked checkbox has a value)."""
    theme = Theme.model_validate(display.theme)
    values = {
        "name": display.name,
        "menu_id": "" if display.menu_id is None else str(display.menu_id),
        "orientation": display.orientation,
        "columns": str(theme.columns),
        "taps_per_page": "" if theme.taps_per_page == AUTO else str(theme.taps_per_page),
        "rotation_seconds": str(theme.rotation_seconds),
        "font_scale": f"{theme.font_scale:g}",
        "viewing_distance": theme.viewing_distance,
        "look": theme.look,
        "font": theme.font,
        "background_color": theme.background_color,
        "text_color": theme.text_color,
        "accent_color": theme.accent_color,
    }
    return values | {flag: "on" for flag in SHOW_FLAGS if getattr(theme, flag)}


# --- menus by day-part (#16) ---------------------------------------------------------------

MAX_DAYPART_MENUS = 20


class DaypartMenu(BaseModel):
    model_config = ConfigDict(extra="forbid")

    daypart_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    menu_id: Annotated[int, Field(ge=1, le=2**63 - 1)]


class DaypartMenusIn(BaseModel):
    """Which menu the display shows during which day-part, in order: when two of its
    day-parts are on at once, the first listed wins. Outside them: its usual menu."""

    model_config = ConfigDict(extra="forbid")

    rules: Annotated[list[DaypartMenu], Field(max_length=MAX_DAYPART_MENUS)]

    @field_validator("rules")
    @classmethod
    def _each_daypart_once(cls, rules: list[DaypartMenu]) -> list[DaypartMenu]:
        seen: dict[int, int] = {}
        for i, rule in enumerate(rules):
            if rule.daypart_id in seen:
                raise ValueError(
                    f"Rules {seen[rule.daypart_id] + 1} and {i + 1} name the same day-part: a"
                    " display shows one menu during a day-part. Remove one of them."
                )
            seen[rule.daypart_id] = i
        return rules

    def pairs(self) -> list[tuple[int, int]]:
        return [(rule.daypart_id, rule.menu_id) for rule in self.rules]
