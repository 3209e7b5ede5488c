"""Planned changes with several server processes: each is applied once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from chalkboard.menus import operations
from chalkboard.schedules import planned
from chalkboard.schedules import queries as schedules
from tests.conftest import ServerProcess
from tests.test_menu_operations import ACTOR, new_venue

CHANGES = 6


@pytest.mark.slow
async def test_two_processes_apply_each_planned_change_once(
    serve: Callable[..., Awaitable[ServerProcess]], db: asyncpg.Pool
) -> None:
    """Two `chalkboard serve` processes and changes due a few seconds ahead: every change is
    applied exactly once, each one revision and one history entry "scheduled by Sam"."""
    await serve()
    await serve()
    venue = await new_venue(db)
    run_at = datetime.now(UTC) + timedelta(seconds=3)
    async with db.acquire() as conn:
        start = await conn.fetchval("SELECT version FROM menus WHERE id = $1", venue["menu_id"])
        created = [
            await schedules.create_planned(
                conn,
                venue_id=venue["venue_id"],
                menu_id=venue["menu_id"],
                run_at=run_at,
                change={"rename": f"Menu {n}"},
                planned_by="Sam",
                actor_user_id=None,
                actor_token_id=None,
            )
            for n in range(CHANGES)
        ]
    ids = [p.id for p in created]
    for _ in range(150):
        pending = await db.fetchval(
            "SELECT count(*) FROM planned_changes WHERE id = ANY($1) AND state = 'pending'", ids
        )
        if pending == 0:
            break
        await asyncio.sleep(0.1)
    assert pending == 0
    rows = await db.fetch(
        "SELECT state, applied_version, applied_at FROM planned_changes WHERE id = ANY($1)", ids
    )
    assert {r["state"] for r in rows} == {"done"}
    assert min(r["applied_at"] for r in rows) >= run_at
    versions = sorted(r["applied_version"] for r in rows)
    assert versions == list(range(start + 1, start + 1 + CHANGES))
    history = await db.fetch(
        "SELECT version, summary FROM menu_revisions WHERE menu_id = $1 AND version > $2"
        " ORDER BY version",
        venue["menu_id"],
        start,
    )
    assert [r["version"] for r in history] == versions
    assert all(r["summary"].endswith("(scheduled by Sam)") for r in history), history
    assert (
        await db.fetchval("SELECT version FROM menus WHERE id = $1", venue["menu_id"])
        == start + CHANGES
    )


async def test_a_planned_change_that_can_no_longer_be_made_fails_and_changes_nothing(
    db: asyncpg.Pool,
) -> None:
    """A planned change to an entry removed since is marked failed with the reason, once;
    the menu keeps its version and history."""
    venue = await new_venue(db, entries=1)
    async with db.acquire() as conn, conn.transaction():
        entry_id = await conn.fetchval(
            "SELECT e.id FROM menu_entries e JOIN menu_sections s ON s.id = e.section_id"
            " WHERE s.menu_id = $1 LIMIT 1",
            venue["menu_id"],
        )
        await schedules.create_planned(
            conn,
            venue_id=venue["venue_id"],
            menu_id=venue["menu_id"],
            run_at=datetime.now(UTC) + timedelta(milliseconds=200),
            change={"entry_id": entry_id, "patch": {"tap_label": "9"}},
            planned_by="Sam",
            actor_user_id=None,
            actor_token_id=None,
        )
        await operations.remove_entry(
            conn,
            venue_id=venue["venue_id"],
            menu_id=venue["menu_id"],
            based_on=None,
            actor=ACTOR,
            entry_id=entry_id,
        )
        version = await conn.fetchval("SELECT version FROM menus WHERE id = $1", venue["menu_id"])
    await asyncio.sleep(0.3)
    await planned.run_due(db)  # or a running server's runner got there first: the same
    row = await db.fetchrow(
        "SELECT state, outcome, applied_version FROM planned_changes WHERE menu_id = $1",
        venue["menu_id"],
    )
    assert row["state"] == "failed"
    assert "No such entry" in row["outcome"]
    assert row["applied_version"] is None
    assert await db.fetchval("SELECT version FROM menus WHERE id = $1", venue["menu_id"]) == version
    assert await planned.run_due(db) == 0
