"""A day-part boundary end to end: 1,000 venues share a happy hour; how long from the instant
it begins (or ends) until the last of 10,000 TVs shows the new board, beside the same TVs
receiving 1,000 ordinary edits committed at once.

Starts `chalkboard serve` on a throwaway embedded Postgres with `--venues` venues, each with
a 12-tap menu (two sizes) and `--tvs` / `--venues` paired displays, connects the TVs from
separate processes (bench/fanout_clients.py, as bench/fanout.py does), then:

  edits      one transaction renames every menu (1,000 menus change at one COMMIT): from
             the COMMIT's return to each TV receiving its menu's new version
  day-parts  one transaction gives every venue a "Happy hour" pricing every pint, on for a
             minute twice (so four boundaries); saving it versions every menu, measured as
             edits are
  boundary   at each boundary nothing is written: each task's boundary push re-sends its
             menus' boards as they show now. From the boundary instant to each TV's next
             board, and the server's CPU seconds for the push

One witness TV (a real websockets client in this process) checks the price it is sent: the
happy-hour price during the window, the usual one outside it.

Prints a table and writes bench/results/boundary_fanout.json.

    .venv/bin/python bench/boundary_fanout.py --venues 1000 --tvs 10000
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import json
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from fanout import (  # bench/fanout.py, beside this file
    BenchError,
    Chalkboard,
    Clients,
    cpu_seconds,
    free_port,
    host_rows,
    measure,
    paired_displays,
    percentile,
    print_table,
    tap_list,
)
from fanout_clients import PING_SECONDS
from websockets.asyncio.client import connect as ws_connect

import chalkboard
from chalkboard.db import migrate
from chalkboard.db.pool import connect
from chalkboard.db.server import embedded_server
from chalkboard.menus import operations
from chalkboard.menus.operations import Actor
from chalkboard.schedules.dayparts import save_daypart
from chalkboard.schedules.forms import DayPartIn
from chalkboard.settings import Settings
from chalkboard.venues import queries as venues

BENCH = Path(__file__).parent
RESULTS = BENCH / "results" / "boundary_fanout.json"
ACTOR = Actor()
TAPS = 12  # the tap list a new owner builds first
USUAL_PINT, HAPPY_PINT = 650, 450
EDIT_ROUNDS = 3
PUSH_TIMEOUT = 20
# Seeding and saving the day-parts must be done before the first boundary.
LEAD_SECONDS = 45


@dataclass
class Venue:
    id: int
    menu_id: int
    pint_size: int
    entry_ids: list[int]
    display_tokens: list[str]


async def seed_venue(conn: Any, n: int, displays: int) -> Venue:
    venue = await venues.create_venue(
        conn,
        slug=f"bench-{n}",
        name=f"Bench Taproom {n}",
        timezone="UTC",
        currency="USD",
        volume_unit="oz",
    )
    assert venue is not None
    menu = await tap_list(conn, venue.id, TAPS, (400, USUAL_PINT))
    tv_tokens = await paired_displays(conn, venue.id, menu.id, displays)
    return Venue(venue.id, menu.id, menu.pint_size, menu.entry_ids, tv_tokens)


async def seed(settings: Settings, count: int, displays: int) -> tuple[list[Venue], int]:
    """`count` venues, each with one menu and `displays` displays; the menus' one version
    (every menu is built by the same steps, so they share it)."""
    async with connect(settings) as conn:
        await migrate.migrate(conn)
    made: list[Venue] = []

    async def worker(first: int) -> None:
        async with connect(settings) as conn:
            for n in range(first, count, 4):
                async with conn.transaction():
                    made.append(await seed_venue(conn, n, displays))
                if len(made) % 100 == 0:
                    print(f"  {len(made)} venues", file=sys.stderr)

    await asyncio.gather(*(worker(first) for first in range(4)))
    async with connect(settings) as conn:
        versions = set(
            await conn.fetchval("SELECT array_agg(DISTINCT version) FROM menus")  # type: ignore[arg-type]
        )
    if len(versions) != 1:
        raise BenchError(f"the menus were seeded at different versions: {versions}")
    return sorted(made, key=lambda v: v.id), versions.pop()


async def rename_all(settings: Settings, all_venues: list[Venue], n: int) -> float:
    """Every menu renamed in one transaction; when COMMIT returned."""
    async with connect(settings) as conn:
        async with conn.transaction():
            for venue in all_venues:
                await operations.rename_menu(
                    conn,
                    venue_id=venue.id,
                    menu_id=venue.menu_id,
                    based_on=None,
                    name=f"Draft {n}",
                    actor=ACTOR,
                )
        return time.time()


async def happy_hour_everywhere(
    settings: Settings, all_venues: list[Venue], starts: list[datetime]
) -> float:
    """Every venue's "Happy hour": one minute from each of `starts`, every pint cheaper."""

    def window(start: datetime) -> dict[str, Any]:
        end = start + timedelta(minutes=1)
        return {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "overnight": end.time() < start.time(),
        }

    async with connect(settings) as conn:
        async with conn.transaction():
            for venue in all_venues:
                form = DayPartIn.model_validate(
                    {
                        "name": "Happy hour",
                        "windows": [window(start) for start in starts],
                        "entries": [
                            {"entry_id": e, "prices": {venue.pint_size: HAPPY_PINT}}
                            for e in venue.entry_ids
                        ],
                    }
                )
                await save_daypart(conn, venue_id=venue.id, daypart_id=None, form=form, actor=ACTOR)
        return time.time()


class Witness:
    """One real TV of the first venue: the pint price of its first tap, as last sent."""

    def __init__(self, url: str, origin: str, token: str, venue: Venue) -> None:
        self.url, self.origin, self.token, self.venue = url, origin, token, venue
        self.prices: list[tuple[float, int | None]] = []
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        async with ws_connect(self.url, origin=self.origin, max_size=2**20) as ws:  # type: ignore[arg-type]
            hello = {"type": "hello", "token": self.token, "menu": self.venue.menu_id}
            await ws.send(json.dumps(hello))
            pinger = asyncio.create_task(self.ping(ws))
            try:
                async for text in ws:
                    message = json.loads(text)
                    if message["type"] == "board":
                        self.prices.append((time.time(), self.pint(message)))
            finally:
                pinger.cancel()
        raise BenchError("the witness TV was disconnected")

    @staticmethod
    async def ping(ws: Any) -> None:
        """As connection.js does: the server closes a TV it has not heard from in a while."""
        while True:
            await asyncio.sleep(PING_SECONDS)
            await ws.send('{"type":"ping"}')

    def pint(self, message: dict[str, Any]) -> int | None:
        for section in message["board"]["sections"]:
            for entry in section["entries"]:
                if entry["id"] == self.venue.entry_ids[0]:
                    return entry["prices"].get(str(self.venue.pint_size))
        return None

    def price_since(self, since: float) -> int | None:
        later = [price for at, price in self.prices if at >= since]
        return later[-1] if later else None


async def measure_edit(
    clients: Clients, server: Chalkboard, commit: Any, version: int
) -> dict[str, Any]:
    cpu = cpu_seconds(server.ps)
    committed = await commit()
    answers = await clients.ask_all(
        {"cmd": "reached", "version": version, "within": PUSH_TIMEOUT, "times": True},
        PUSH_TIMEOUT + 10,
    )
    times = [(t - committed) * 1000 for a in answers for t in a["times"]]
    missed = sum(a["of"] - a["got"] for a in answers)
    return summary(times, missed, cpu_seconds(server.ps) - cpu)


async def measure_boundary(clients: Clients, server: Chalkboard, at: datetime) -> dict[str, Any]:
    boundary = at.timestamp()
    await asyncio.sleep(max(0.0, boundary - 1 - time.time()))
    cpu = cpu_seconds(server.ps)
    answers = await clients.ask_all(
        {"cmd": "boards", "since": boundary, "within": PUSH_TIMEOUT}, PUSH_TIMEOUT + 10
    )
    times = [(t - boundary) * 1000 for a in answers for t in a["times"]]
    missed = sum(a["of"] - a["got"] for a in answers)
    return summary(times, missed, cpu_seconds(server.ps) - cpu)


def summary(times_ms: list[float], missed: int, cpu_s: float) -> dict[str, Any]:
    return {
        "p50_ms": percentile(times_ms, 50) if times_ms else None,
        "p99_ms": percentile(times_ms, 99) if times_ms else None,
        "last_ms": max(times_ms, default=None),
        "missed": missed,
        "server_cpu_s": cpu_s,
    }


async def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, db_pool_min=1, db_pool_max=2)
    postmaster = psutil.Process(embedded_server(data_dir / "postgres").get_pid())
    compileall.compile_dir(Path(chalkboard.__file__).parent, quiet=1)
    server = Chalkboard(data_dir, free_port())
    clients = await Clients.start(args.clients)
    witness: Witness | None = None
    try:
        per_venue = args.tvs // args.venues
        print(f"seeding {args.venues} venues, {per_venue} displays each …", file=sys.stderr)
        all_venues, version = await seed(settings, args.venues, per_venue + 1)
        server.start()
        tv_tokens = [t for v in all_venues for t in v.display_tokens[1:]]
        menu_of = [v.menu_id for v in all_venues for _ in v.display_tokens[1:]]
        print(f"connecting {len(tv_tokens)} TVs …", file=sys.stderr)
        await clients.connect(
            server.ws_url, server.url, tv_tokens, menu_of[0], version, menus=menu_of
        )
        first = all_venues[0]
        witness = Witness(server.ws_url, server.url, first.display_tokens[0], first)
        witness.task = asyncio.create_task(witness.run())
        result: dict[str, Any] = {"venues": args.venues, "tvs": len(tv_tokens), "taps": TAPS}

        edits = []
        for n in range(EDIT_ROUNDS):
            print(f"{args.venues} edits at one commit, round {n + 1} …", file=sys.stderr)
            version += 1
            edits.append(
                await measure_edit(
                    clients, server, lambda n=n: rename_all(settings, all_venues, n), version
                )
            )
            await asyncio.sleep(2)
        result["edits"] = edits

        now = datetime.now(UTC)
        first_start = (now + timedelta(seconds=LEAD_SECONDS)).replace(second=0, microsecond=0)
        first_start += timedelta(minutes=1)
        starts = [first_start, first_start + timedelta(minutes=2)]
        print(f"saving {args.venues} happy hours (from {first_start:%H:%M} UTC) …", file=sys.stderr)
        version += 1
        result["daypart_save"] = await measure_edit(
            clients, server, lambda: happy_hour_everywhere(settings, all_venues, starts), version
        )
        boundaries = []
        for start in starts:
            for at, happy in ((start, True), (start + timedelta(minutes=1), False)):
                print(f"boundary at {at:%H:%M:%S} …", file=sys.stderr)
                measured = await measure_boundary(clients, server, at)
                await asyncio.sleep(1)
                assert witness.task is not None
                if witness.task.done():
                    await witness.task  # raises what stopped it
                shown = witness.price_since(at.timestamp())
                measured["happy_hour"] = happy
                measured["witness_pint"] = shown
                if shown != (HAPPY_PINT if happy else USUAL_PINT):
                    raise BenchError(f"the witness TV showed {shown} after the {at} boundary")
                boundaries.append(measured)
        result["boundaries"] = boundaries
        stats = await clients.ask_all({"cmd": "stats"}, 30)
        result["tv_errors"] = sum(s["error_count"] for s in stats)
        result["tv_error_samples"] = [e for s in stats for e in s["errors"]][:5]
        await clients.close()
        server.stop()
        return result
    finally:
        if witness is not None and witness.task is not None:
            witness.task.cancel()
            with contextlib.suppress(BaseException):
                await witness.task
        clients.kill()
        await asyncio.gather(*(process.wait() for process in clients.processes))
        server.kill()
        postmaster.send_signal(signal.SIGINT)


def report(result: dict[str, Any]) -> None:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}"

    def row(what: str, m: dict[str, Any]) -> tuple[str, str, str]:
        return (
            what,
            f"{ms(m['p50_ms'])} / {ms(m['p99_ms'])} / {ms(m['last_ms'])} ms",
            f"missed {m['missed']}, server CPU {m['server_cpu_s']:.2f} s",
        )

    rows = [
        (
            "venues / TVs / taps per menu",
            f"{result['venues']} / {result['tvs']} / {result['taps']}",
            "",
        ),
        *(
            row(f"{result['venues']} edits at one commit ({n + 1})", m)
            for n, m in enumerate(result["edits"])
        ),
        row(f"{result['venues']} happy hours saved", result["daypart_save"]),
        *(
            row(f"boundary: happy hour {'begins' if m['happy_hour'] else 'ends'} ({n + 1})", m)
            for n, m in enumerate(result["boundaries"])
        ),
        ("TV protocol surprises", f"{result['tv_errors']}", "0"),
        *host_rows(result),
    ]
    print("\nto each TV: p50 / p99 / last")
    print_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=1000)
    parser.add_argument("--tvs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4, help="TV processes")
    measure(run, parser.parse_args(), report, RESULTS)


if __name__ == "__main__":
    main()
