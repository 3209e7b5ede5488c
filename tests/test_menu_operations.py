"""Menu operations against the real database: invariants under random edits, and races."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalkboard.db import Conn
from chalkboard.menus import operations, queries
from chalkboard.menus.board import build_board
from chalkboard.menus.operations import Actor, Conflict, NotFound, StaleVersion

ACTOR = Actor()


async def new_venue(db: asyncpg.Pool, entries: int = 0) -> dict[str, Any]:
    """A venue with two sizes, four beverages, and a menu with two sections of `entries` each."""
    async with db.acquire() as conn, conn.transaction():
        venue_id = await conn.fetchval(
            "INSERT INTO venues (slug, name, timezone, currency, volume_unit) "
            "VALUES ($1, 'Ops', 'UTC', 'USD', 'oz') RETURNING id",
            f"ops-{secrets.token_hex(5)}",
        )
        sizes = [
            await queries.create_serving_size(conn, venue_id=venue_id, name=n, volume_ml=Decimal(v))
            for n, v in (("Half", "296"), ("Pint", "473"))
        ]
        beverages = [
            await queries.create_beverage(conn, venue_id=venue_id, name=f"Beer {n}")
            for n in range(4)
        ]
        board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=ACTOR)
        menu_id = board["menu"]["id"]
        for name in ("Taps", "Cans"):
            _, section_id = await operations.add_section(
                conn,
                venue_id=venue_id,
                menu_id=menu_id,
                based_on=None,
                name=name,
                kind="taps",
                actor=ACTOR,
            )
            for beverage_id in beverages[:entries]:
                await operations.add_entry(
                    conn,
                    venue_id=venue_id,
                    menu_id=menu_id,
                    section_id=section_id,
                    beverage_id=beverage_id.id,
                    fields={},
                    prices={},
                    position=None,
                    based_on=None,
                    actor=ACTOR,
                )
    return {
        "venue_id": venue_id,
        "menu_id": menu_id,
        "sizes": [s.id for s in sizes],
        "beverages": [b.id for b in beverages],
    }


async def state(conn: Conn, venue_id: int, menu_id: int) -> dict[str, Any]:
    """Everything an edit could touch, to compare before and after a refused edit."""
    version = await conn.fetchval("SELECT version FROM menus WHERE id = $1", menu_id)
    board = await build_board(
        conn,
        venue_id=venue_id,
        menu=queries.MenuSummary(menu_id, "", version),
        version=version,
    )
    revisions = await conn.fetchval(
        "SELECT count(*) FROM menu_revisions WHERE menu_id = $1", menu_id
    )
    return {"version": version, "board": board, "revisions": revisions}


async def check_invariants(conn: Conn, venue_id: int, menu_id: int) -> None:
    dense_sections = await conn.fetchval(
        "SELECT bool_and(position = rn - 1) FROM (SELECT position, "
        "row_number() OVER (ORDER BY position) AS rn FROM menu_sections WHERE menu_id = $1) s",
        menu_id,
    )
    assert dense_sections in (True, None), "section positions are 0..n-1"
    dense_entries = await conn.fetchval(
        "SELECT bool_and(position = rn - 1) FROM (SELECT e.position, row_number() OVER "
        "(PARTITION BY e.section_id ORDER BY e.position) AS rn FROM menu_entries e "
        "JOIN menu_sections s ON s.id = e.section_id WHERE s.menu_id = $1) x",
        menu_id,
    )
    assert dense_entries in (True, None), "entry positions are 0..n-1 in every section"
    orphans = await conn.fetchval(
        "SELECT count(*) FROM entry_prices p LEFT JOIN menu_entries e ON e.id = p.entry_id "
        "WHERE p.venue_id = $1 AND e.id IS NULL",
        venue_id,
    )
    assert orphans == 0
    version = await conn.fetchval("SELECT version FROM menus WHERE id = $1", menu_id)
    stored = await queries.get_snapshot(conn, venue_id=venue_id, menu_id=menu_id, version=version)
    fresh = await build_board(
        conn,
        venue_id=venue_id,
        menu=queries.MenuSummary(menu_id, "Draft", version),
        version=version,
    )
    assert stored is not None
    assert stored["sections"] == fresh["sections"], "the stored board is the menu as it is"


def pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


async def apply(conn: Conn, world: dict[str, Any], step: tuple[Any, ...]) -> None:
    """Apply one generated step; refusals raise NotFound/Conflict/StaleVersion."""
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
    version = board["menu"]["version"]
    sections = [s["id"] for s in board["sections"]]
    entries = [e["id"] for s in board["sections"] for e in s["entries"]]
    common = {"venue_id": venue_id, "menu_id": menu_id, "based_on": version, "actor": ACTOR}
    kind, a, b, c = step
    if kind == "add":
        section = pick(sections, a)
        if section is None:
            raise NotFound("no section")
        status = ("on_tap", "on_deck", "hidden")[b % 3]
        await operations.add_entry(
            conn,
            section_id=section,
            beverage_id=pick(world["beverages"], b),
            fields={"tap_label": str(a % 4), "status": status},
            prices={world["sizes"][0]: 100 * c},
            position=c,
            **common,
        )
    elif kind == "move" and entries:
        await operations.move_entry(
            conn, entry_id=pick(entries, a), section_id=pick(sections, b), position=c, **common
        )
    elif kind == "remove" and entries:
        await operations.remove_entry(conn, entry_id=pick(entries, a), **common)
    elif kind == "duplicate" and entries:
        await operations.duplicate_entry(conn, entry_id=pick(entries, a), **common)
    elif kind == "kick" and entries:
        await operations.kick(conn, entry_id=pick(entries, a), **common)
    elif kind == "price" and entries:
        await operations.update_entry(
            conn,
            entry_id=pick(entries, a),
            changes={"note": f"n{b}"},
            prices={s: 50 * c for s in world["sizes"]},
            **common,
        )
    elif kind == "undo":
        await operations.undo(conn, **common)
    elif kind == "section":
        await operations.add_section(conn, name=f"S{a}", kind="list", **common)
    elif kind == "move_section" and sections:
        await operations.move_section(conn, section_id=pick(sections, a), position=b, **common)
    elif kind == "remove_section" and len(sections) > 1:
        await operations.remove_section(conn, section_id=pick(sections, a), **common)
    elif kind == "stale":
        await operations.update_entry(
            conn,
            entry_id=pick(entries, a) or 0,
            changes={"note": "stale"},
            prices=None,
            **{**common, "based_on": version - 1},
        )
    elif kind == "foreign":
        await operations.remove_entry(conn, entry_id=world["foreign_entry"], **common)
    else:
        raise NotFound("nothing to act on")


STEP = st.tuples(
    st.sampled_from(
        [
            "add",
            "add",
            "move",
            "remove",
            "duplicate",
            "kick",
            "price",
            "undo",
            "section",
            "move_section",
            "remove_section",
            "stale",
            "foreign",
        ]
    ),
    st.integers(0, 7),
    st.integers(0, 7),
    st.integers(0, 6),
)


@pytest.fixture(scope="module")
async def foreign_entry(db: asyncpg.Pool) -> int:
    """An entry of another venue, which no operation on our venue may touch."""
    other = await new_venue(db)
    async with db.acquire() as conn, conn.transaction():
        _, entry_id = await operations.add_entry(
            conn,
            venue_id=other["venue_id"],
            menu_id=other["menu_id"],
            section_id=await conn.fetchval(
                "SELECT id FROM menu_sections WHERE menu_id = $1 LIMIT 1", other["menu_id"]
            ),
            beverage_id=other["beverages"][0],
            fields={},
            prices={},
            position=None,
            based_on=None,
            actor=ACTOR,
        )
    return entry_id


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=3, max_size=20))
async def test_random_edit_sequences_keep_the_invariants(
    db: asyncpg.Pool, foreign_entry: int, steps: list[tuple[Any, ...]]
) -> None:
    """Versions go +1 per saved change and not at all per refused one or one that changes
    nothing (which leaves everything as it was); positions stay dense;
    nothing is orphaned; the stored board matches the data; other venues are untouchable."""
    world = {**await new_venue(db, entries=3), "foreign_entry": foreign_entry}
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    for step in steps:
        async with db.acquire() as conn:
            before = await state(conn, venue_id, menu_id)
            try:
                async with conn.transaction():
                    await apply(conn, world, step)
                saved = True
            except (NotFound, Conflict, StaleVersion):
                saved = False
            after = await state(conn, venue_id, menu_id)
            if saved and after["version"] == before["version"]:  # it changed nothing
                assert after == before, f"a {step[0]} that made no version changed something"
            elif saved:
                assert after["version"] == before["version"] + 1, step
                assert after["revisions"] == before["revisions"] + 1
            else:
                assert after == before, f"a refused {step[0]} changed something"
            await check_invariants(conn, venue_id, menu_id)


async def test_two_saves_from_the_same_version_one_wins(db: asyncpg.Pool) -> None:
    """Two concurrent edits based on one version: one saves, the other is refused with the
    current board, and the saved change is the one in the database."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        board, entry_id = await operations.add_entry(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            section_id=board["sections"][0]["id"],
            beverage_id=world["beverages"][0],
            fields={},
            prices={},
            position=None,
            based_on=board["menu"]["version"],
            actor=ACTOR,
        )
    version = board["menu"]["version"]

    async def save(note: str) -> str:
        async with db.acquire() as conn, conn.transaction():
            await operations.update_entry(
                conn,
                venue_id=venue_id,
                menu_id=menu_id,
                entry_id=entry_id,
                changes={"note": note},
                prices=None,
                based_on=version,
                actor=ACTOR,
            )
            await asyncio.sleep(0.2)  # hold the lock while the other save arrives
        return note

    results = await asyncio.gather(save("Alice's"), save("Bob's"), return_exceptions=True)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0].current == version + 1
    note = await db.fetchval("SELECT note FROM menu_entries WHERE id = $1", entry_id)
    assert note == winners[0]
    assert losers[0].board["menu"]["version"] == version + 1


async def test_kick_promotes_the_on_deck_beverage_to_the_same_tap(db: asyncpg.Pool) -> None:
    """Kicking tap 3 puts the on-deck beer on tap 3 in its place; the kicked one goes last."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    common = {"venue_id": venue_id, "menu_id": menu_id, "based_on": None, "actor": ACTOR}
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        section = board["sections"][0]["id"]
        ids = []
        for beverage, tap, status in zip(
            world["beverages"],
            ["1", "3", "4", "3"],
            ["on_tap", "on_tap", "on_tap", "on_deck"],
            strict=True,
        ):
            _, entry_id = await operations.add_entry(
                conn,
                section_id=section,
                beverage_id=beverage,
                fields={
                    "tap_label": tap,
                    "status": status,
                    "keg_size_ml": 19000,
                    "keg_remaining_ml": 5000,
                },
                prices={},
                position=None,
                **common,
            )
            ids.append(entry_id)
        board = await operations.kick(conn, entry_id=ids[1], **common)
    entries = board["sections"][0]["entries"]
    assert [(e["id"], e["tap_label"], e["status"]) for e in entries] == [
        (ids[0], "1", "on_tap"),
        (ids[3], "3", "on_tap"),
        (ids[2], "4", "on_tap"),
        (ids[1], "3", "kicked"),
    ]
    assert entries[1]["keg_percent"] == 100
    assert entries[1]["keg_remaining_ml"] == 19000


async def test_undo_walks_back_and_restore_brings_back(db: asyncpg.Pool) -> None:
    """Undo twice reverts the last two changes in turn; restoring a version brings it back."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    common = {"venue_id": venue_id, "menu_id": menu_id, "based_on": None, "actor": ACTOR}

    def names(board: dict[str, Any]) -> list[int]:
        return [e["beverage"]["id"] for s in board["sections"] for e in s["entries"]]

    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        section = board["sections"][0]["id"]
        for beverage in world["beverages"][:3]:
            board, _ = await operations.add_entry(
                conn,
                section_id=section,
                beverage_id=beverage,
                fields={},
                prices={},
                position=None,
                **common,
            )
        full = board["menu"]["version"]
        board = await operations.undo(conn, **common)
        assert names(board) == world["beverages"][:2]
        board = await operations.undo(conn, **common)
        assert names(board) == world["beverages"][:1]
        board = await operations.restore(conn, version=full, **common)
        assert names(board) == world["beverages"][:3]
        kinds = [
            r.kind for r in await queries.list_revisions(conn, venue_id=venue_id, menu_id=menu_id)
        ]
        assert kinds[:3] == ["restore", "undo", "undo"]


async def test_pours_lower_the_keg_and_stop_at_empty(db: asyncpg.Pool) -> None:
    """A flow meter's pours reduce the remaining volume and the percentage, never below 0."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    common = {"venue_id": venue_id, "menu_id": menu_id, "actor": ACTOR}
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        _, entry_id = await operations.add_entry(
            conn,
            section_id=board["sections"][0]["id"],
            beverage_id=world["beverages"][0],
            fields={"keg_size_ml": 20000},
            prices={},
            position=None,
            based_on=None,
            **common,
        )
        level = await operations.record_pour(conn, entry_id=entry_id, volume_ml=5000, **common)
        assert (level.keg_remaining_ml, level.keg_percent) == (15000, 75)
        level = await operations.record_pour(conn, entry_id=entry_id, volume_ml=90000, **common)
        assert (level.keg_remaining_ml, level.keg_percent) == (0, 0)
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        entry = board["sections"][0]["entries"][0]
        assert (entry["keg_remaining_ml"], entry["keg_percent"]) == (0, 0.0)


async def test_a_beverage_on_a_menu_cannot_be_deleted_and_edits_reach_its_menus(
    db: asyncpg.Pool,
) -> None:
    """Deleting a listed beverage is refused naming the menu; renaming it re-versions the menu."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        board, _ = await operations.add_entry(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            section_id=board["sections"][0]["id"],
            beverage_id=world["beverages"][0],
            fields={},
            prices={},
            position=None,
            based_on=None,
            actor=ACTOR,
        )
        with pytest.raises(Conflict, match="Draft"):
            await operations.delete_beverage(
                conn, venue_id=venue_id, beverage_id=world["beverages"][0]
            )
        fields = {name: None for name in queries.BEVERAGE_FIELDS} | {
            "name": "Renamed Beer",
            "producer": "",
            "style": "",
            "kind": "beer",
            "description": "",
            "tags": [],
        }
        await operations.update_beverage(
            conn,
            venue_id=venue_id,
            beverage_id=world["beverages"][0],
            based_on=None,
            fields=fields,
            actor=ACTOR,
        )
        after = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
    assert after["menu"]["version"] == board["menu"]["version"] + 1
    assert after["sections"][0]["entries"][0]["beverage"]["name"] == "Renamed Beer"


async def test_a_new_keg_percentage_sets_the_remaining_volume(db: asyncpg.Pool) -> None:
    """Setting the percentage on a sized keg moves the remaining volume with it (and not back)."""
    world = await new_venue(db, entries=1)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        entry_id = board["sections"][0]["entries"][0]["id"]
        common = {"venue_id": venue_id, "menu_id": menu_id, "entry_id": entry_id, "actor": ACTOR}
        await operations.update_entry(
            conn,
            changes={"keg_size_ml": 20000, "keg_remaining_ml": 20000},
            prices=None,
            based_on=None,
            **common,
        )
        board = await operations.update_entry(
            conn, changes={"keg_percent": Decimal(25)}, prices=None, based_on=None, **common
        )
    entry = board["sections"][0]["entries"][0]
    assert (entry["keg_percent"], entry["keg_remaining_ml"]) == (25.0, 5000)
    async with db.acquire() as conn, conn.transaction():
        await operations.record_pour(conn, volume_ml=333, **common)
        board = await operations.update_entry(
            conn,
            changes={"keg_percent": Decimal("23.34"), "note": "Last call"},
            prices=None,
            based_on=None,
            **common,
        )
    entry = board["sections"][0]["entries"][0]
    assert entry["keg_remaining_ml"] == 4667, "an unchanged % resent by a form keeps the pour"


async def test_undo_of_a_rename_brings_the_old_name_back(db: asyncpg.Pool) -> None:
    """Undo restores the menu's name along with its sections and entries."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    common = {"venue_id": venue_id, "menu_id": menu_id, "based_on": None, "actor": ACTOR}
    async with db.acquire() as conn, conn.transaction():
        board = await operations.rename_menu(conn, name="Weekend Draft", **common)
        assert board["menu"]["name"] == "Weekend Draft"
        board = await operations.undo(conn, **common)
    assert board["menu"]["name"] == "Draft"
    assert await db.fetchval("SELECT name FROM menus WHERE id = $1", menu_id) == "Draft"


async def test_kick_takes_only_a_beverage_waiting_for_that_tap(db: asyncpg.Pool) -> None:
    """A beverage on deck for tap 3 stays put when tap 1 kicks; an unassigned one steps in."""
    world = await new_venue(db)
    venue_id, menu_id = world["venue_id"], world["menu_id"]
    common = {"venue_id": venue_id, "menu_id": menu_id, "based_on": None, "actor": ACTOR}
    async with db.acquire() as conn, conn.transaction():
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
        section = board["sections"][0]["id"]
        ids = []
        for beverage, tap, status in zip(
            world["beverages"][:3], ["1", "3", ""], ["on_tap", "on_deck", "on_deck"], strict=True
        ):
            _, entry_id = await operations.add_entry(
                conn,
                section_id=section,
                beverage_id=beverage,
                fields={"tap_label": tap, "status": status},
                prices={},
                position=None,
                **common,
            )
            ids.append(entry_id)
        board = await operations.kick(conn, entry_id=ids[0], **common)
        statuses = {e["id"]: (e["tap_label"], e["status"]) for e in board["sections"][0]["entries"]}
        assert statuses == {
            ids[0]: ("1", "kicked"),
            ids[1]: ("3", "on_deck"),
            ids[2]: ("1", "on_tap"),
        }
        board = await operations.kick(conn, entry_id=ids[2], **common)
        statuses = {e["id"]: (e["tap_label"], e["status"]) for e in board["sections"][0]["entries"]}
    assert statuses[ids[1]] == ("3", "on_deck"), "tap 3's beer waits for tap 3"
    assert statuses[ids[2]] == ("1", "kicked")
