"""Keg levels: pours from a flow meter or keg scale are events, not edits (DESIGN.md, 20)."""

from __future__ import annotations

from decimal import Decimal

from chalkboard.db import Conn
from chalkboard.menus import queries
from chalkboard.menus.operations.core import (
    Actor,
    Conflict,
    NotFound,
)
from chalkboard.menus.queries import KegLevel


async def record_pour(
    conn: Conn, *, venue_id: int, menu_id: int, entry_id: int, volume_ml: int, actor: Actor
) -> KegLevel:
    """A flow meter or keg scale reports volume served: the keg level drops by that much.

    A pour is an event, not an edit (DESIGN.md, convention 20): it is kept in `pours`, moves
    the entry's level and tells the live hub (`keg_levels`), and makes no menu version — so
    it is not in History, Undo never undoes it, and no one editing the menu is refused for it.
    """
    keg = await queries.lock_keg(conn, venue_id=venue_id, menu_id=menu_id, entry_id=entry_id)
    if keg is None:
        raise NotFound("No such entry on this menu.")
    size = keg.keg_size_ml
    if not size:
        raise Conflict("Set the keg size for this entry before reporting pours.")
    remaining = keg.keg_remaining_ml
    if remaining is None:  # a level known only as a percentage (or a new keg: full)
        percent = Decimal(100) if keg.keg_percent is None else keg.keg_percent
        remaining = int(size * percent / 100)
    remaining = max(0, remaining - volume_ml)
    percent = (Decimal(remaining) * 100 / size).quantize(Decimal("0.01"))
    await queries.set_keg_level(
        conn, venue_id=venue_id, entry_id=entry_id, percent=percent, remaining_ml=remaining
    )
    await queries.insert_pour(
        conn,
        venue_id=venue_id,
        entry_id=entry_id,
        volume_ml=volume_ml,
        remaining_ml=remaining,
        token_id=actor.token_id,
        user_id=actor.user_id,
    )
    await queries.notify_keg_levels(conn, menu_id=menu_id)
    return KegLevel(entry_id, keg.status, percent, size, remaining)
