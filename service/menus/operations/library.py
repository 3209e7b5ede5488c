"""The beverage library and serving sizes: venue-wide, so every menu they show on changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalkboard.db import Conn
from chalkboard.menus import queries
from chalkboard.menus.operations.core import (
    Actor,
    Conflict,
    NotFound,
    StaleVersion,
    change_menu,
    fixed_summary,
    touch_all_menus,
)
from chalkboard.menus.queries import Beverage, ServingSize

# --- the beverage library and serving sizes ---------------------------------------------------


async def update_beverage(
    conn: Conn,
    *,
    venue_id: int,
    beverage_id: int,
    based_on: int | None,
    fields: dict[str, Any],
    actor: Actor,
) -> Beverage:
    """Change a beverage; every menu that lists it gets a new version (TVs update)."""
    current = await queries.lock_beverage_version(conn, venue_id=venue_id, beverage_id=beverage_id)
    if current is None:
        raise NotFound("No such beverage in this venue's library.")
    if based_on is not None and based_on != current:
        raise StaleVersion(current, {})
    beverage = await queries.update_beverage(
        conn, venue_id=venue_id, beverage_id=beverage_id, **fields
    )
    assert beverage is not None
    await _touch_menus_listing(conn, venue_id, beverage, actor, f"Updated {beverage.name}")
    return beverage


async def set_beverage_image(
    conn: Conn, *, venue_id: int, beverage_id: int, image_id: int | None, actor: Actor
) -> Beverage:
    """Give a beverage an image (None: no image); every menu listing it gets a new version."""
    current = await queries.lock_beverage_version(conn, venue_id=venue_id, beverage_id=beverage_id)
    if current is None:
        raise NotFound("No such beverage in this venue's library.")
    beverage = await queries.set_beverage_image(
        conn, venue_id=venue_id, beverage_id=beverage_id, image_id=image_id
    )
    assert beverage is not None
    await _touch_menus_listing(conn, venue_id, beverage, actor, f"New image for {beverage.name}")
    return beverage


async def _touch_menus_listing(
    conn: Conn, venue_id: int, beverage: Beverage, actor: Actor, summary: str
) -> None:
    for menu in await queries.menus_listing_beverage(
        conn, venue_id=venue_id, beverage_id=beverage.id
    ):
        await change_menu(
            conn,
            venue_id=venue_id,
            menu_id=menu.id,
            based_on=None,
            actor=actor,
            edit=fixed_summary(summary),
        )


async def delete_beverage(conn: Conn, *, venue_id: int, beverage_id: int) -> None:
    listed = await queries.menus_listing_beverage(conn, venue_id=venue_id, beverage_id=beverage_id)
    if listed:
        names = ", ".join(m.name for m in listed)
        raise Conflict(f"This beverage is on {names}. Remove it from those menus first.")
    if not await queries.delete_beverage(conn, venue_id=venue_id, beverage_id=beverage_id):
        raise NotFound("No such beverage in this venue's library.")


async def create_serving_size(
    conn: Conn, *, venue_id: int, name: str, volume_ml: Decimal | None, actor: Actor
) -> ServingSize:
    size = await queries.create_serving_size(
        conn, venue_id=venue_id, name=name, volume_ml=volume_ml
    )
    await touch_all_menus(conn, venue_id, actor, f"Added serving size {name}")
    return size


async def update_serving_size(
    conn: Conn,
    *,
    venue_id: int,
    size_id: int,
    name: str,
    volume_ml: Decimal | None,
    actor: Actor,
) -> ServingSize:
    size = await queries.update_serving_size(
        conn, venue_id=venue_id, size_id=size_id, name=name, volume_ml=volume_ml
    )
    if size is None:
        raise NotFound("No such serving size in this venue.")
    await touch_all_menus(conn, venue_id, actor, f"Changed serving size {name}")
    return size


async def delete_serving_size(conn: Conn, *, venue_id: int, size_id: int, actor: Actor) -> None:
    if not await queries.delete_serving_size(conn, venue_id=venue_id, size_id=size_id):
        raise NotFound("No such serving size in this venue.")
    await touch_all_menus(conn, venue_id, actor, "Removed a serving size")
