"""Set-up shared by tests: objects built in a venue straight through the domain code (no
pages, no HTTP), for tests about something else — tenancy, promo slides, Schedules pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from chalkboard.db import Conn
from chalkboard.media import queries as media
from chalkboard.media.queries import Image
from chalkboard.menus import operations
from chalkboard.menus import queries as menus

ACTOR = operations.Actor()


async def venue_id_of(db: asyncpg.Pool, slug: str) -> int:
    venue_id: int = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    return venue_id


@dataclass(frozen=True)
class PricedMenu:
    size_id: int
    beverage_id: int
    menu_id: int
    section_id: int
    entry_id: int


async def priced_menu(
    conn: Conn, venue_id: int, *, menu: str = "Bar", beverage: str = "Landlord", price: int = 450
) -> PricedMenu:
    """A Pint serving size, a beverage, and a menu whose Taps section has the beverage on
    tap 1 at `price` (minor units) a pint."""
    size = await operations.create_serving_size(
        conn, venue_id=venue_id, name="Pint", volume_ml=Decimal(568), actor=ACTOR
    )
    created = await menus.create_beverage(conn, venue_id=venue_id, name=beverage)
    board = await operations.create_menu(conn, venue_id=venue_id, name=menu, actor=ACTOR)
    menu_id = board["menu"]["id"]
    _, section_id = await operations.add_section(
        conn, venue_id=venue_id, menu_id=menu_id, based_on=None, name="Taps", kind="taps",
        actor=ACTOR,
    )  # fmt: skip
    _, entry_id = await operations.add_entry(
        conn,
        venue_id=venue_id,
        menu_id=menu_id,
        section_id=section_id,
        beverage_id=created.id,
        fields={"tap_label": "1"},
        prices={size.id: price},
        position=None,
        based_on=None,
        actor=ACTOR,
    )
    return PricedMenu(size.id, created.id, menu_id, section_id, entry_id)


async def stored_image(
    conn: Conn, venue_id: int, *, sha256: str, width: int = 160, height: int = 90
) -> Image:
    """An image as an upload records it (one JPEG variant at /media/<venue>/<sha256>-<width>.jpg);
    no file is stored."""
    key = f"media/{venue_id}/{sha256}-{width}.jpg"
    variant = {
        "width": width,
        "height": height,
        "bytes": 1000,
        "key": key,
        "url": f"/{key}",
        "content_type": "image/jpeg",
    }
    return await media.create_image(
        conn,
        venue_id=venue_id,
        sha256=sha256,
        name="picture.jpg",
        format="jpeg",
        width=width,
        height=height,
        upload_bytes=2000,
        stored_bytes=1000,
        variants=[variant],
    )
