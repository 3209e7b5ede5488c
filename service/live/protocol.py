"""The TV protocol's messages and closing codes (docs/protocol.md), in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chalkboard.displays.queries import Display, PairingCode
from chalkboard.menus.queries import KegLevel

MAX_MESSAGE_BYTES = 4 * 1024
# A display's next menu by day-part: (when, menu id, version) of the board it shows from then.
NextMenuKey = tuple[datetime, int, int]

# Closing codes.
RESTARTING = 1012
TOO_LARGE = 1009
UNAUTHORIZED = 4001
PROTOCOL_ERROR = 4002
TOO_SLOW = 4008


# --- TV → server ---------------------------------------------------------------------------


class Screen(BaseModel):
    model_config = ConfigDict(strict=True)

    w: int = Field(ge=0, le=100_000)
    h: int = Field(ge=0, le=100_000)


class HeldSwitch(BaseModel):
    """The `next_menu` a TV holds (it switches to that board at `at` by its own clock)."""

    model_config = ConfigDict(strict=True)

    at: str = Field(max_length=64)
    menu: int
    version: int

    def key(self) -> NextMenuKey | None:
        try:
            at = datetime.fromisoformat(self.at)
        except ValueError:
            return None
        return None if at.tzinfo is None else (at, self.menu, self.version)


class Hello(BaseModel):
    model_config = ConfigDict(strict=True)

    type: Literal["hello"]
    token: str | None = Field(max_length=200)
    menu: int | None = None
    version: int | None = None
    app: str = Field(default="", max_length=200)
    screen: Screen | None = None
    next: HeldSwitch | None = None

    def shows(self, menu_id: int | None) -> int | None:
        """The version the TV shows of `menu_id`, if that is the menu it shows."""
        return self.version if menu_id is not None and self.menu == menu_id else None

    def holds(self) -> NextMenuKey | None:
        """The switch the TV holds, as the hub keys them (None: it holds none)."""
        return self.next.key() if self.next else None


class Ping(BaseModel):
    model_config = ConfigDict(strict=True)

    type: Literal["ping"]


Incoming = Annotated[Hello | Ping, Field(discriminator="type")]
INCOMING: TypeAdapter[Hello | Ping] = TypeAdapter(Incoming)


def parse(text: str) -> Hello | Ping:
    """A TV's message; raises pydantic.ValidationError when it is not one (→ 4002)."""
    return INCOMING.validate_json(text)


# --- server → TV ---------------------------------------------------------------------------


def encode(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


RELOAD = encode({"type": "reload"})
NO_MENU = encode({"type": "no_menu"})
# No switch of menu ahead: a TV forgets the `next_menu` it holds.
NO_NEXT_MENU = encode({"type": "next_menu", "at": None})


def next_menu(at: datetime, menu_id: int, board_text: str) -> str:
    """At `at` the display shows `menu_id`: the `board` message (`board_text`, as built for
    any TV) to switch to then by the TV's own clock, online or not (docs/protocol.md)."""
    head = encode({"type": "next_menu", "at": at.isoformat(), "menu": menu_id})
    return f'{head[:-1]},"message":{board_text}}}'


def pairing(code: PairingCode, *, public_base_url: str) -> str:
    return encode(
        {
            "type": "pairing",
            "code": code.code,
            "expires_at": code.expires_at.isoformat(),
            "claim_url": f"{public_base_url}/pair?code={code.code}",
            "qr_url": f"/tv/qr/{code.code}.svg",
        }
    )


def paired(token: str) -> str:
    return encode({"type": "paired", "token": token})


def shown(display: Display) -> dict[str, Any]:
    """What a TV is told about its display: a change to any of it is worth a message."""
    shown = {
        "id": display.id,
        "name": display.name,
        "orientation": display.orientation,
        "theme": display.theme,
    }
    # Resolved image URLs (only when there is one): the display's logo, else the venue's.
    logo = display.theme.get("logo_image") or display.venue_logo or None
    background = display.theme.get("background_image") or None
    if logo or background:
        shown["images"] = {"logo": logo, "background": background}
    if display.slides:  # promo slides between the menu pages (docs/tv.md)
        shown["slides"] = display.slides
    return shown


def display(d: Display) -> str:
    return encode({"type": "display", "display": shown(d)})


def levels(menu_id: int, levels: Iterable[KegLevel]) -> str:
    """Keg levels now, for the entries that have one (pours move them between versions)."""
    return encode(
        {
            "type": "levels",
            "menu": menu_id,
            "levels": {
                str(k.entry_id): {
                    "keg_percent": None if k.keg_percent is None else float(k.keg_percent),
                    "keg_size_ml": k.keg_size_ml,
                    "keg_remaining_ml": k.keg_remaining_ml,
                }
                for k in levels
                if k.keg_percent is not None or k.keg_remaining_ml is not None
            },
        }
    )


def pong(server_time_ms: int) -> str:
    """The answer to a ping, with the server's clock (Unix ms): a TV corrects its own clock
    by it, so it switches day-parts at the server's boundary even offline (docs/schedules.md).
    Written per ping (boards are built once and sent for minutes, so cannot carry the time)."""
    return f'{{"type":"pong","server_time":{server_time_ms}}}'


def up_to_date(version: int) -> str:
    return encode({"type": "up_to_date", "version": version})
