"""Push to TVs: how fast a committed edit reaches N connected TVs, and what they cost idle.

Starts `chalkboard serve` on a throwaway embedded Postgres with one venue, a menu
of 20 entries and N paired displays, connects N simulated TVs from separate processes
(bench/fanout_clients.py, each on its own loopback source address), and measures, in order:

  memory per idle TV       server RSS with the TVs connected minus before, over N
  idle CPU                 server CPU seconds over an idle window, per TV-hour
  commit → last TV         for each edit (operations.rename_menu, committed on a direct
                           connection): the last TV's receive time minus the COMMIT's return
  reconnect storm          SIGTERM (drain 5 s), one edit while down, start again: when the
                           TVs (full-jitter backoff, hello with their version) are back on it
  polling baseline         the same N TVs polling GET .../menus/{id} every 30 s instead
  the floor                a bare websockets.broadcast() server (bench/fanout_floor.py) sending
                           the same board to the same N TVs, measured the same way

Prints a table and writes bench/results/fanout.json. Timings are wall-clock on a shared
machine: the TVs, Postgres and the server share its cores.

    .venv/bin/python bench/fanout.py --tvs 10000
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

import chalkboard
from chalkboard import tokens
from chalkboard.accounts import queries as accounts
from chalkboard.accounts.sessions import new_api_token
from chalkboard.db import Conn, migrate
from chalkboard.db.pool import connect, create_pool
from chalkboard.db.server import database_url, embedded_server
from chalkboard.live.boards import Boards
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.operations import Actor
from chalkboard.settings import Settings
from chalkboard.venues import queries as venues

BENCH = Path(__file__).parent
RESULTS = BENCH / "results" / "fanout.json"
ACTOR = Actor()
ENTRIES = 20
# A p99 needs about 100 samples: of 20 it is simply the slowest, one hiccup of a shared host.
EDITS = 100
DRAIN_SECONDS = 5
POLL_EVERY_SECONDS = 30  # the polling TV's interval (the WebSocket TV pings every 25 s)
PUSH_TIMEOUT = 10  # a TV that has not got an edit by then missed it
STORM_TIMEOUT = 90  # the backoff cap is 30 s: by then every TV has had several tries
CONNECT_TIMEOUT = 180
SERVER_READY_TIMEOUT = 60
SETTLE_SECONDS = 5

# Targets for 2 cores and 10,000 TVs.
P99_TARGET_MS = 250
FLOOR_FACTOR = 2
KIB_TARGET = 25
RECONNECT_95_TARGET_S = 10
RECONNECT_100_TARGET_S = 30


class BenchError(Exception):
    """The bench could not measure: a process died or never came up."""


@dataclass
class Seed:
    venue_id: int
    slug: str
    menu_id: int
    version: int
    tv_tokens: list[str]
    api_token: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: of 100 samples, p99 is the second slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def kill_group(process: subprocess.Popen[bytes] | asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# --- setup ---------------------------------------------------------------------------------


async def seed(settings: Settings, tvs: int) -> Seed:
    """Schema, a venue with a 20-entry menu, N paired displays and a read API token."""
    async with connect(settings) as conn:
        await migrate.migrate(conn)
        async with conn.transaction():
            venue = await venues.create_venue(
                conn,
                slug="bench-taproom",
                name="Bench Taproom",
                timezone="UTC",
                currency="USD",
                volume_unit="oz",
            )
            assert venue is not None
            menu = await tap_list(conn, venue.id, ENTRIES, (450, 750))
            tv_tokens = await paired_displays(conn, venue.id, menu.id, tvs)
            api_token, api_hash = new_api_token()
            await accounts.create_api_token(
                conn,
                venue_id=venue.id,
                name="bench poller",
                token_hash=api_hash,
                scope="read",
                created_by=None,
            )
    return Seed(venue.id, venue.slug, menu.id, menu.version, tv_tokens, api_token)


async def paired_displays(conn: Conn, venue_id: int, menu_id: int, count: int) -> list[str]:
    """`count` displays showing the menu, paired: their TV tokens."""
    pairs = [tokens.new_token("cbd_") for _ in range(count)]
    # In one statement: pairing them one by one would take minutes.
    await conn.execute(
        "INSERT INTO displays (venue_id, name, menu_id, token_hash) "
        "SELECT $1, 'TV ' || n, $2, h FROM unnest($3::bytea[]) WITH ORDINALITY AS t(h, n)",
        venue_id,
        menu_id,
        [token_hash for _, token_hash in pairs],
    )
    return [token for token, _ in pairs]


@dataclass
class TapList:
    id: int
    version: int
    pint_size: int
    entry_ids: list[int]


async def tap_list(conn: Conn, venue_id: int, taps: int, prices: tuple[int, int]) -> TapList:
    """A menu "Draft" with one "On tap" section of `taps` beers priced Half and Pint (in
    cents)."""
    sizes = [
        await menus.create_serving_size(conn, venue_id=venue_id, name=name, volume_ml=None)
        for name in ("Half", "Pint")
    ]
    board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=ACTOR)
    menu_id = board["menu"]["id"]
    _, section_id = await operations.add_section(
        conn,
        venue_id=venue_id,
        menu_id=menu_id,
        based_on=None,
        name="On tap",
        kind="taps",
        actor=ACTOR,
    )
    entry_ids = []
    for n in range(taps):
        beverage = await menus.create_beverage(
            conn,
            venue_id=venue_id,
            name=f"Bench Beer No. {n + 1}",
            producer="Loopback Brewing Co.",
            style="West Coast IPA",
        )
        board, entry_id = await operations.add_entry(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            section_id=section_id,
            beverage_id=beverage.id,
            fields={},
            prices={sizes[0].id: prices[0], sizes[1].id: prices[1]},
            position=None,
            based_on=None,
            actor=ACTOR,
        )
        entry_ids.append(entry_id)
    return TapList(menu_id, board["menu"]["version"], sizes[1].id, entry_ids)


async def commit_edit(settings: Settings, seed: Seed, n: int) -> tuple[int, float]:
    """Rename the menu as the editor would: (the new version, when COMMIT returned)."""
    async with connect(settings) as conn:
        async with conn.transaction():
            board = await operations.rename_menu(
                conn,
                venue_id=seed.venue_id,
                menu_id=seed.menu_id,
                based_on=None,
                name=f"Draft {n}",
                actor=ACTOR,
            )
        committed = time.time()
    return board["menu"]["version"], committed


async def board_message(settings: Settings, seed: Seed, version: int) -> str:
    """The exact `board` text the server sends for this version (for the floor to send)."""
    pool = await create_pool(database_url(settings), min_size=1, max_size=1)
    try:
        board = await Boards(pool).get(
            venue_id=seed.venue_id, menu_id=seed.menu_id, version=version
        )
    finally:
        await pool.close()
    assert board is not None
    return board.text


class Chalkboard:
    """`chalkboard serve` in its own process group, on the bench's data dir. The bench has
    migrated the database already; like a deployed task, the server only serves."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "PUBLIC_BASE_URL": self.url,
            "LOG_LEVEL": "WARNING",
            "SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
        }
        self.env.pop("DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1) + "/tv/ws"

    @property
    def ps(self) -> psutil.Process:
        assert self.process is not None
        return psutil.Process(self.process.pid)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chalkboard", "serve"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_READY_TIMEOUT
        # One client for all the probes: httpx.get() builds an SSL context each time (about
        # 30 ms of CPU), which would slow the very start being measured.
        with httpx.Client(timeout=1, trust_env=False) as probe:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"chalkboard serve exited early with {self.process.returncode}"
                    )
                try:
                    if probe.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        raise BenchError(f"chalkboard serve not ready after {SERVER_READY_TIMEOUT}s")

    def stop(self) -> None:
        """SIGTERM: the server drains its TVs (1012) over DRAIN_SECONDS, then exits."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=DRAIN_SECONDS + 20)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)
            self.process.wait()


class Clients:
    """The simulated-TV processes (bench/fanout_clients.py); each command goes to all."""

    def __init__(self, processes: list[asyncio.subprocess.Process], first_source: int = 2) -> None:
        self.processes = processes
        self.first_source = first_source

    @classmethod
    async def start(cls, count: int, first_source: int = 2) -> Clients:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(BENCH / "fanout_clients.py"),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                start_new_session=True,
                limit=2**24,  # answers carry up to one float per TV
            )
            for _ in range(count)
        ]
        return cls(processes, first_source)

    @property
    def sources(self) -> list[str]:
        """One loopback source address per process: N sockets stay far from the port range."""
        return [f"127.0.0.{self.first_source + n}" for n in range(len(self.processes))]

    async def ask(self, commands: list[dict[str, Any]], within: float) -> list[dict[str, Any]]:
        async def one(process: asyncio.subprocess.Process, command: dict[str, Any]) -> Any:
            assert process.stdin is not None
            assert process.stdout is not None
            try:
                process.stdin.write(json.dumps(command).encode() + b"\n")
                await process.stdin.drain()
                line = await process.stdout.readline()
            except ConnectionError:
                line = b""
            if not line:
                raise BenchError(f"a TV process exited with {await process.wait()}")
            return json.loads(line)

        return await asyncio.wait_for(
            asyncio.gather(*(one(p, c) for p, c in zip(self.processes, commands, strict=True))),
            within,
        )

    async def ask_all(self, command: dict[str, Any], within: float) -> list[dict[str, Any]]:
        return await self.ask([command] * len(self.processes), within)

    async def connect(
        self,
        url: str,
        origin: str,
        tv_tokens: list[str],
        menu: int,
        version: int,
        menus: list[int] | None = None,
        **options: Any,
    ) -> float:
        """Connect one TV per token, spread over the processes; seconds until all are up.
        `menus`: each token's menu, when they differ. `options` go to each process's
        `connect` as they are (abnormal_spread)."""
        started = time.monotonic()
        share = len(self.processes)
        answers = await self.ask(
            [
                {
                    "cmd": "connect",
                    "url": url,
                    "origin": origin,
                    "tokens": tv_tokens[n::share],
                    "menu": menu,
                    "menus": menus[n::share] if menus else None,
                    "version": version,
                    "source": source,
                    **options,
                }
                for n, source in enumerate(self.sources)
            ],
            CONNECT_TIMEOUT,
        )
        up = sum(a["got"] for a in answers)
        if up < len(tv_tokens):
            raise BenchError(f"only {up} of {len(tv_tokens)} TVs connected")
        return time.monotonic() - started

    async def last_received(self, version: int) -> tuple[float | None, int, int]:
        """When the last TV got `version`; how many got it; the board's size in bytes."""
        answers = await self.ask_all(
            {"cmd": "reached", "version": version, "within": PUSH_TIMEOUT, "times": False},
            PUSH_TIMEOUT + 10,
        )
        missed = sum(a["of"] - a["got"] for a in answers)
        lasts = [a["last"] for a in answers if a["last"] is not None]
        return max(lasts, default=None), missed, max(a["board_bytes"] for a in answers)

    async def close(self) -> None:
        await self.ask_all({"cmd": "close"}, 60)

    def kill(self) -> None:
        for process in self.processes:
            kill_group(process)


# --- measurements --------------------------------------------------------------------------


async def measure_connected_memory(
    server: Chalkboard, clients: Clients, seed: Seed
) -> dict[str, float]:
    """RSS per idle TV connection; how long N TVs took to connect (hello → up_to_date), and
    the server CPU that took per TV."""
    await asyncio.sleep(SETTLE_SECONDS)
    before = server.ps.memory_info().rss
    cpu_before = cpu_seconds(server.ps)
    seconds = await clients.connect(
        server.ws_url, server.url, seed.tv_tokens, seed.menu_id, seed.version
    )
    hello_cpu = cpu_seconds(server.ps) - cpu_before
    await asyncio.sleep(SETTLE_SECONDS)
    after = server.ps.memory_info().rss
    return {
        "connect_s": seconds,
        "connect_cpu_ms_per_tv": hello_cpu / len(seed.tv_tokens) * 1000,
        "kib_per_connection": (after - before) / len(seed.tv_tokens) / 1024,
        "rss_before_mib": before / 2**20,
        "rss_connected_mib": after / 2**20,
    }


async def measure_idle_cpu(process: psutil.Process, tvs: int, seconds: float) -> float:
    """Server CPU seconds per TV-hour while the TVs only ping (every 25 s, as the app does)."""
    before, started = cpu_seconds(process), time.monotonic()
    await asyncio.sleep(seconds)
    used, wall = cpu_seconds(process) - before, time.monotonic() - started
    return used / tvs / (wall / 3600)


async def measure_pushes(
    settings: Settings, clients: Clients, seed: Seed, edits: int
) -> dict[str, Any]:
    """Commit → last TV received, per edit."""
    latencies, missed, size = [], 0, 0
    for n in range(edits):
        version, committed = await commit_edit(settings, seed, n)
        last, missing, size = await clients.last_received(version)
        missed += missing
        if last is not None:
            latencies.append((last - committed) * 1000)
        await asyncio.sleep(0.3)  # let the server go quiet between edits
    seed.version = version
    return {"latencies_ms": latencies, "missed": missed, "payload_bytes": size}


async def measure_storm(
    settings: Settings, server: Chalkboard, clients: Clients, seed: Seed
) -> dict[str, Any]:
    """Restart with every TV attached; an edit lands while the server is down, so each TV
    must come back with hello(its old version) and get the new board."""
    before = await clients.ask_all({"cmd": "stats"}, 30)
    await asyncio.to_thread(server.stop)
    seed.version, _ = await commit_edit(settings, seed, EDITS)
    started = time.time()
    await asyncio.to_thread(server.start)
    ready = time.time()
    answers = await clients.ask_all(
        {"cmd": "reached", "version": seed.version, "within": STORM_TIMEOUT, "times": True},
        STORM_TIMEOUT + 30,
    )
    after = await clients.ask_all({"cmd": "stats"}, 30)
    back = sorted(t - started for a in answers for t in a["times"])
    never = sum(a["of"] - a["got"] for a in answers)
    surprises = sum(a["error_count"] for a in after) - sum(b["error_count"] for b in before)
    closes: dict[str, int] = {}
    for stats in after:
        for code, count in stats["closes"].items():
            closes[code] = closes.get(code, 0) + count
    tvs = len(seed.tv_tokens)
    return {
        "server_start_s": ready - started,
        "reconnect_50_s": back[tvs // 2 - 1] if len(back) >= tvs / 2 else None,
        "reconnect_95_s": back[math.ceil(0.95 * tvs) - 1] if len(back) >= 0.95 * tvs else None,
        "reconnect_100_s": back[-1] if never == 0 else None,
        "reconnect_errors": never + surprises,
        "reconnect_never_back": never,
        "reconnect_failed_attempts": sum(a["failed_connects"] for a in after)
        - sum(b["failed_connects"] for b in before),
        "close_codes": closes,
        "error_samples": [e for a in after for e in a["errors"]][:5],
    }


async def measure_polling(
    server: Chalkboard, clients: Clients, seed: Seed, seconds: float
) -> dict[str, Any]:
    """The same TVs polling the menu every 30 s: N/30 requests a second, evenly spread."""
    rate = len(seed.tv_tokens) / POLL_EVERY_SECONDS
    share = len(clients.processes)
    process, cpu_before, started = server.ps, cpu_seconds(server.ps), time.monotonic()
    answers = await clients.ask(
        [
            {
                "cmd": "poll",
                "url": server.url,
                "path": f"/api/v1/venues/{seed.slug}/menus/{seed.menu_id}",
                "token": seed.api_token,
                "rate": rate / share,
                "phase": n / rate,  # interleave the processes' requests
                "seconds": seconds,
            }
            for n in range(share)
        ],
        seconds + 60,
    )
    wall = time.monotonic() - started
    latencies = [ms for a in answers for ms in a["latencies_ms"]]
    return {
        "polling_requests_per_s": len(latencies) / wall,
        "polling_target_per_s": rate,
        "polling_failed": sum(a["failed"] for a in answers),
        "polling_p99_ms": percentile(latencies, 99) if latencies else None,
        "polling_cpu_fraction": (cpu_seconds(process) - cpu_before) / wall,
    }


async def measure_floor(
    clients: Clients, seed: Seed, payload: str, workdir: Path, edits: int
) -> dict[str, Any]:
    """The same board to the same TVs from a bare websockets.broadcast() server."""
    port = free_port()
    payload_file = workdir / "board.json"
    payload_file.write_text(payload)
    floor = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BENCH / "fanout_floor.py"),
        str(port),
        str(payload_file),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    assert floor.stdin is not None
    assert floor.stdout is not None
    try:
        await asyncio.wait_for(floor.stdout.readline(), SERVER_READY_TIMEOUT)  # "ready"
        await asyncio.sleep(1)
        before = psutil.Process(floor.pid).memory_info().rss
        url = f"ws://127.0.0.1:{port}/"
        await clients.connect(url, url, seed.tv_tokens, seed.menu_id, 1)
        await asyncio.sleep(SETTLE_SECONDS)
        after = psutil.Process(floor.pid).memory_info().rss
        latencies = []
        for version in range(2, edits + 2):
            floor.stdin.write(f"{version}\n".encode())
            await floor.stdin.drain()
            sent = json.loads(await asyncio.wait_for(floor.stdout.readline(), PUSH_TIMEOUT))
            last, _, _ = await clients.last_received(version)
            if last is not None:
                latencies.append((last - sent["sent"]) * 1000)
            await asyncio.sleep(0.3)
        await clients.close()
    finally:
        kill_group(floor)
        await floor.wait()
    return {
        "floor_p50_ms": percentile(latencies, 50),
        "floor_ms": percentile(latencies, 99),
        "floor_kib_per_connection": (after - before) / len(seed.tv_tokens) / 1024,
    }


# --- the run -------------------------------------------------------------------------------


async def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, db_pool_min=1, db_pool_max=2)
    # Started here, not by the server, so that Postgres outlives the server's restart.
    postmaster = psutil.Process(embedded_server(data_dir / "postgres").get_pid())
    # As the image ships it (Dockerfile): compiled, so a restart does not compile every module.
    compileall.compile_dir(Path(chalkboard.__file__).parent, quiet=1)
    server = Chalkboard(data_dir, free_port())
    clients = await Clients.start(args.clients)
    try:
        print(f"seeding a venue and {args.tvs} displays …", file=sys.stderr)
        seed_data = await seed(settings, args.tvs)
        server.start()
        print(f"connecting {args.tvs} TVs …", file=sys.stderr)
        result: dict[str, Any] = {"tvs": args.tvs}
        result |= await measure_connected_memory(server, clients, seed_data)
        print(f"idle for {args.idle_seconds:.0f} s …", file=sys.stderr)
        result["idle_cpu_s_per_tv_hour"] = await measure_idle_cpu(
            server.ps, args.tvs, args.idle_seconds
        )
        print(f"{EDITS} edits …", file=sys.stderr)
        pushes = await measure_pushes(settings, clients, seed_data, EDITS)
        result["commit_to_last_p50_ms"] = percentile(pushes["latencies_ms"], 50)
        result["commit_to_last_p99_ms"] = percentile(pushes["latencies_ms"], 99)
        result["push_missed"] = pushes["missed"]
        result["payload_bytes"] = pushes["payload_bytes"]
        print("restarting the server under its TVs …", file=sys.stderr)
        result |= await measure_storm(settings, server, clients, seed_data)
        await clients.close()
        print(f"polling for {args.poll_seconds:.0f} s …", file=sys.stderr)
        result |= await measure_polling(server, clients, seed_data, args.poll_seconds)
        server.stop()
        print("the floor: bare websockets.broadcast() …", file=sys.stderr)
        payload = await board_message(settings, seed_data, seed_data.version)
        result |= await measure_floor(clients, seed_data, payload, data_dir, EDITS)
        return result
    finally:
        clients.kill()
        server.kill()
        # pgserver stops Postgres only when its last user exits cleanly: stop it ourselves.
        postmaster.send_signal(signal.SIGINT)  # "fast" shutdown
        try:
            postmaster.wait(timeout=30)
        except psutil.TimeoutExpired:
            postmaster.kill()


def steal_percent(before: Any, after: Any) -> float:
    """Of the machine's CPU time between two psutil.cpu_times(), the share the hypervisor gave
    to other machines: on a shared host, the run's figures are only as quiet as this."""
    # Linux counts guest time inside user time: leave it out of the total.
    total = sum(after) - sum(before) - (after.guest + after.guest_nice)
    total += before.guest + before.guest_nice
    return 100 * (after.steal - before.steal) / total if total else 0.0


def report(result: dict[str, Any]) -> None:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} ms"

    def s(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} s"

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    p99, floor = result["commit_to_last_p99_ms"], result["floor_ms"]
    r95, r100 = result["reconnect_95_s"], result["reconnect_100_s"]
    rows = [
        ("TVs", f"{result['tvs']}", ""),
        ("commit → last TV, p50", ms(result["commit_to_last_p50_ms"]), ""),
        (
            f"commit → last TV, p99 ({EDITS} edits)",
            ms(p99),
            f"≤ {P99_TARGET_MS} ms: {met(p99 <= P99_TARGET_MS)}; "
            f"≤ {FLOOR_FACTOR}x the floor: {met(p99 <= FLOOR_FACTOR * floor)}",
        ),
        (
            "floor: websockets.broadcast(), p50 / p99",
            f"{ms(result['floor_p50_ms'])} / {ms(floor)}",
            "",
        ),
        ("TVs that missed an edit", f"{result['push_missed']}", "0"),
        ("board payload", f"{result['payload_bytes']} B", ""),
        (
            "server memory per idle TV",
            f"{result['kib_per_connection']:.1f} KiB",
            f"≤ {KIB_TARGET} KiB: {met(result['kib_per_connection'] <= KIB_TARGET)}",
        ),
        ("floor memory per idle TV", f"{result['floor_kib_per_connection']:.1f} KiB", ""),
        ("idle CPU per TV-hour", f"{result['idle_cpu_s_per_tv_hour']:.3f} s", ""),
        (
            "first connect: all TVs / server CPU per TV",
            f"{s(result['connect_s'])} / {result['connect_cpu_ms_per_tv']:.1f} ms",
            "",
        ),
        ("restart: new process → /readyz", s(result["server_start_s"]), ""),
        ("reconnect: 50 % back on the new version", s(result["reconnect_50_s"]), ""),
        (
            "reconnect: 95 % back on the new version",
            s(r95),
            f"≤ {RECONNECT_95_TARGET_S} s: {met(r95 is not None and r95 <= RECONNECT_95_TARGET_S)}",
        ),
        (
            "reconnect: 100 % back",
            s(r100),
            f"≤ {RECONNECT_100_TARGET_S} s: "
            f"{met(r100 is not None and r100 <= RECONNECT_100_TARGET_S)}",
        ),
        (
            "reconnect errors",
            f"{result['reconnect_errors']}",
            f"0: {met(result['reconnect_errors'] == 0)}",
        ),
        (
            "polling every 30 s: requests/s",
            f"{result['polling_requests_per_s']:.0f} of {result['polling_target_per_s']:.0f}",
            "",
        ),
        ("polling: server CPU", f"{result['polling_cpu_fraction']:.0%} of a core", ""),
        *host_rows(result),
    ]
    print_table(rows)


def host_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """How quiet the run was: its figures are only as steady as this."""
    start, end = result["host_load_1m"]
    return [
        ("host: CPU stolen by other machines", f"{result['host_steal_percent']:.1f} %", ""),
        (
            f"host: load average (1 min), start / end ({result['host_cpus']} cores)",
            f"{start:.1f} / {end:.1f}",
            "",
        ),
    ]


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """what, value, target: one line each, in aligned columns."""
    width = max(len(what) for what, _, _ in rows)
    print(f"\n{'what':<{width}}  {'value':>18}  target")
    for what, value, target in rows:
        print(f"{what:<{width}}  {value:>18}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tvs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4, help="TV processes")
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--poll-seconds", type=float, default=30)
    measure(run, parser.parse_args(), report, RESULTS)


def measure(
    run: Callable[[argparse.Namespace, Path], Awaitable[dict[str, Any]]],
    args: argparse.Namespace,
    report: Callable[[dict[str, Any]], None],
    results: Path,
) -> None:
    """`run` on a throwaway data dir; add how busy the host was (CPU stolen by other machines,
    the load average: others' work on this one), print the table, write JSON."""
    name = results.stem
    before, load_before = psutil.cpu_times(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix=f"chalkboard-{name}-") as data_dir:
        try:
            result = asyncio.run(run(args, Path(data_dir)))
        except BenchError as error:
            sys.exit(f"{name}: {error}")
    result["host_steal_percent"] = steal_percent(before, psutil.cpu_times())
    result["host_load_1m"] = [load_before, os.getloadavg()[0]]
    result["host_cpus"] = os.cpu_count()
    report(result)
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
