"""Planned changes: a menu change at a set time, applied once however many tasks run.

Each task runs `runner` (started in the app's lifespan). Every second it claims the earliest
due change with `SELECT … FOR UPDATE SKIP LOCKED` and, in that same transaction, applies it
through `menus.operations` (a new version, a revision "… (scheduled by <name>)", NOTIFY) and
marks it done. A second task skips the locked row, and once the first commits the row is no
longer pending: no broker, no leader, no double application. A change that can no longer be
made (its entry was removed) is marked failed with the reason, and the menu is untouched.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import asyncpg
from pydantic import ValidationError

from chalkboard.db import Conn
from chalkboard.http.forms import FormErrors
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import Invalid
from chalkboard.menus.operations import Actor, MenuChange
from chalkboard.schedules import queries
from chalkboard.schedules.forms import PlannedIn, PlannedPatch
from chalkboard.schedules.queries import Planned
from chalkboard.schedules.sizes import size_errors

log = logging.getLogger("chalkboard.schedules")
POLL_SECONDS = 1.0
ACQUIRE_SECONDS = 5.0


async def check(conn: Conn, *, venue_id: int, menu_id: int, form: PlannedIn) -> None:
    """What it names must be in the venue now (404 otherwise), and its prices be for sizes
    the entry's section prices by (422 naming `patch.prices`), so a mistake shows at once
    rather than as a failure (or a price no screen shows) at the planned time."""
    if form.entry_id is None or form.patch is None:
        return
    entry = await menus.entry_in_menu(
        conn, venue_id=venue_id, menu_id=menu_id, entry_id=form.entry_id
    )
    if entry is None:
        raise operations.NotFound("No such entry on this menu.")
    sent = form.patch.model_fields_set
    if "beverage_id" in sent and (
        await menus.get_beverage(conn, venue_id=venue_id, beverage_id=form.patch.beverage_id)
        is None
    ):
        raise operations.NotFound("No such beverage in this venue's library.")
    if "prices" in sent:
        errors = await _sizes_refused(conn, venue_id, form.entry_id, form.patch.prices)
        if errors:
            raise Invalid.fields(errors)


async def _sizes_refused(
    conn: Conn, venue_id: int, entry_id: int, prices: dict[int, int | None]
) -> FormErrors:
    """The new prices' sizes must be ones the entry's section prices by (a removal may name
    any size); checked when planned and again when it runs (the section may have changed)."""
    priced = [size for size, price in prices.items() if price is not None]
    return await size_errors(conn, venue_id, {"patch.prices": (entry_id, priced)}, usual_only=False)


async def apply(conn: Conn, planned: Planned) -> int:
    """Make the change as a normal menu change; returns the menu's new version."""
    change = MenuChange(
        venue_id=planned.venue_id,
        menu_id=planned.menu_id,
        based_on=None,
        actor=Actor(
            user_id=planned.actor_user_id,
            token_id=planned.actor_token_id,
            note=f"scheduled by {planned.planned_by}",
        ),
    )
    if "rename" in planned.change:
        board = await operations.rename_menu(conn, name=planned.change["rename"], **change)
    else:
        patch = PlannedPatch.model_validate(planned.change["patch"])
        sent = patch.model_fields_set
        prices = None
        if "prices" in sent:
            entry_id = planned.change["entry_id"]
            if errors := await _sizes_refused(conn, planned.venue_id, entry_id, patch.prices):
                raise operations.Conflict(errors["patch.prices"])
            prices = await _prices_now_with(conn, planned, patch.prices)
        board = await operations.update_entry(
            conn,
            **change,
            entry_id=planned.change["entry_id"],
            changes=patch.model_dump(include=sent - {"prices"}),
            prices=prices,
        )
    version: int = board["menu"]["version"]
    return version


async def _prices_now_with(
    conn: Conn, planned: Planned, changes: dict[int, int | None]
) -> dict[int, int]:
    """The entry's prices as they are when the change runs, with the planned sizes changed
    (None: removed): a size the plan leaves out keeps its price, even one edited since it
    was planned. The menu is locked first (as the change itself does, in this
    transaction), so no edit lands between this read and the change."""
    await menus.lock_menu(conn, venue_id=planned.venue_id, menu_id=planned.menu_id)
    prices = await menus.get_prices(
        conn, venue_id=planned.venue_id, entry_id=planned.change["entry_id"]
    )
    for size, price in changes.items():
        if price is None:
            prices.pop(size, None)
        else:
            prices[size] = price
    return prices


async def run_due(pool: asyncpg.Pool) -> int:
    """Apply every change that is due and not claimed by another task; how many."""
    done = 0
    while True:
        async with pool.acquire(timeout=ACQUIRE_SECONDS) as conn, conn.transaction():
            planned = await queries.claim_due(conn)
            if planned is None:
                return done
            version: int | None = None
            try:
                async with conn.transaction():  # a savepoint: a failed change leaves no trace
                    version = await apply(conn, planned)
                state, outcome = "done", f"Applied as version {version}."
            except (operations.NotFound, operations.Conflict, ValidationError) as exc:
                state, outcome = "failed", f"Not applied: {exc}"
            await queries.finish_planned(
                conn,
                venue_id=planned.venue_id,
                planned_id=planned.id,
                state=state,
                version=version,
                outcome=outcome,
            )
        done += 1


async def runner(pool: asyncpg.Pool) -> None:
    """Apply what is due, then sleep until the next change is due, but at most POLL_SECONDS
    (one planned meanwhile, by any task, is seen within that). Every task wakes at a change's
    time, so it lands on time; which task applies it, Postgres decides. A database that is
    away skips a round."""
    while True:
        pause = POLL_SECONDS
        try:
            await run_due(pool)
            async with pool.acquire(timeout=ACQUIRE_SECONDS) as conn:
                due = await queries.next_due_at(conn)
            if due is not None:
                pause = min(pause, max(0.0, (due - datetime.now(UTC)).total_seconds()))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("planned changes skipped a round: %s", exc)
        await asyncio.sleep(pause)
