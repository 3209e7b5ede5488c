"""Faults under connected TVs: a database outage and a rolling deploy, as an operator sees them.

Reuses bench/fanout.py's setup (`chalkboard serve` on a throwaway embedded Postgres, one venue,
a 20-entry menu, paired displays) and its simulated TVs (bench/fanout_clients.py, which
reconnect as tv-client/connection.js does), and measures, in one run:

  database outage   N TVs (--tvs) on one server; Postgres stopped for --outage seconds, then
                    started; an edit committed as soon as it answers. How many TVs stayed
                    connected through it, and Postgres back → edit committed → last TV on the
                    new version, beside an ordinary edit's commit → last TV.
  rolling deploy    two servers, A and B, each holding half of --deploy-tvs TVs. A is replaced
                    as ECS does it, and the TVs it loses reconnect to B, three ways:
                      drain      A's task metadata (a stand-in for ECS's endpoint v4) turns
                                 DesiredStatus STOPPED: A closes its TVs with 1012 in batches
                                 over SHUTDOWN_DRAIN_SECONDS (--drain), as it does now
                      cut        every socket of A cut at once (SIGKILL: what the ALB does when
                                 deregistration_delay ends), TVs with connection.js's spread first
                                 retry
                      cut, old   the same cut, TVs with the old first retry (within 0.5 s)
                    For each: the peak reconnects B took in any one second, and the time from
                    A's first dropped TV to the last one back on B. The old client's peak is
                    what one process takes back per second at most: its TVs arrive faster.

The two servers listen on two ports, and at the moment A is deregistered the TVs are told to
connect to B from then on (fanout_clients' `route`): that is what the ALB does, which sends no
new connection to a deregistering target. With SO_REUSEPORT on one port the kernel would keep
handing half of the reconnects to A, which refuses them with 503 while it drains: a retry
storm no deployed TV sees. Each reconnect is timed by the TV that made it (exact, where a
/metrics poll during a storm queues behind the very handshakes it counts); B's
`chalkboard_tv_sockets` is sampled every 0.25 s as the server's own record (in the JSON).

Prints a table and writes bench/results/faults.json. Timings are wall-clock on a shared
machine: the TVs, Postgres and both servers share its cores.

    .venv/bin/python bench/faults.py --tvs 1000 --outage 30
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import json
import re
import statistics
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fanout import (  # bench/fanout.py, beside this file
    BenchError,
    Chalkboard,
    Clients,
    Seed,
    commit_edit,
    free_port,
    host_rows,
    measure,
    print_table,
    seed,
)
from fanout_clients import ABNORMAL_SPREAD_SECONDS, BACKOFF_BASE_SECONDS

import chalkboard
from chalkboard.db.server import embedded_server
from chalkboard.settings import Settings

RESULTS = Path(__file__).parent / "results" / "faults.json"
ORDINARY_EDITS = 5
SETTLE_SECONDS = 2
BACK_TIMEOUT = 60  # the old backoff's cap is 30 s: by then every TV has had several tries
SAMPLE_SECONDS = 0.25

# Targets (issue 12).
OUTAGE_TARGET_S = 2
DRAIN_SPREAD_TARGET = 0.8  # of the drain window: the reconnects are spread over it

# name → (what, the TVs' abnormal-close spread)
DEPLOYS = {
    "drain": ("A drains on deregistration (now)", ABNORMAL_SPREAD_SECONDS),
    "cut": ("A's sockets cut at once, new client", ABNORMAL_SPREAD_SECONDS),
    "cut_old_client": ("A's sockets cut at once, old client", 0),
}


class TaskMetadata:
    """A stand-in for ECS's task metadata endpoint v4 (`GET $URI/task`), on a real port: its
    DesiredStatus turns STOPPED when the bench deregisters the task."""

    def __init__(self) -> None:
        self.desired = "RUNNING"
        metadata = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"DesiredStatus": metadata.desired, "KnownStatus": "RUNNING"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass  # polled every 2 s: no line each

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.http.server_port}/v4/bench"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def stop_postgres(postgres: Any) -> None:
    """pg_ctl stop, fast mode: what tests/test_database_outage.py does."""
    from pgserver._commands import pg_ctl  # loaded by embedded_server, warnings handled

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=postgres.pgdata, user=postgres.system_user)


def peak_in_one_second(times: list[float]) -> int:
    """The most of `times` that fall in any one-second window."""
    ordered, first, peak = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= 1:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def peak_rise_per_second(samples: list[tuple[float, int]]) -> float:
    """From (time, count) samples: the fastest the count rose over any second or more."""
    peak = 0.0
    for n, (at, count) in enumerate(samples):
        later = next(((t, c) for t, c in samples[n + 1 :] if t - at >= 1), None)
        if later is not None:
            peak = max(peak, (later[1] - count) / (later[0] - at))
    return peak


def per_second(times: list[float], start: float) -> list[int]:
    """How many of `times` fell in each whole second after `start`."""
    counts = Counter(int(at - start) for at in times if at >= start)
    return [counts[n] for n in range(max(counts, default=-1) + 1)]


def merged(answers: list[dict[str, Any]], key: str) -> Any:
    """The processes' lists (or close-code counts) under `key`, as one."""
    if isinstance(answers[0][key], dict):
        return dict(sum((Counter(a[key]) for a in answers), Counter()))
    return sorted(t for a in answers for t in a[key])


# --- the database outage -------------------------------------------------------------------


async def first_edit_after(settings: Settings, seed_data: Seed, n: int) -> tuple[int, float]:
    """The edit, retried until the database takes it (a new connection may still be refused
    while Postgres finishes starting)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return await commit_edit(settings, seed_data, n)
        except (OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def measure_outage(
    settings: Settings,
    postgres: Any,
    data_dir: Path,
    seed_data: Seed,
    clients: Clients,
    tvs: int,
    outage: float,
) -> dict[str, Any]:
    """N TVs on one server; Postgres down `outage` s; the first edit after it."""
    server = Chalkboard(data_dir, free_port())
    server.start()
    try:
        tv_tokens = seed_data.tv_tokens[:tvs]
        await clients.connect(
            server.ws_url, server.url, tv_tokens, seed_data.menu_id, seed_data.version
        )
        ordinary = []
        for n in range(ORDINARY_EDITS):
            seed_data.version, committed = await commit_edit(settings, seed_data, n)
            last, missed, _ = await clients.last_received(seed_data.version)
            if last is None or missed:
                raise BenchError(f"{missed} TVs missed an ordinary edit")
            ordinary.append(last - committed)
            await asyncio.sleep(0.3)
        before = await clients.ask_all({"cmd": "stats"}, 30)
        print(f"Postgres stopped for {outage:.0f} s …", file=sys.stderr)
        await asyncio.to_thread(stop_postgres, postgres)
        await asyncio.sleep(outage)
        during = await clients.ask_all({"cmd": "stats"}, 30)
        await asyncio.to_thread(postgres.ensure_postgres_running)
        back = time.time()
        seed_data.version, committed = await first_edit_after(settings, seed_data, ORDINARY_EDITS)
        last, missed, _ = await clients.last_received(seed_data.version)
        await clients.close()
    finally:
        server.kill()
    closes_before, closes_during = merged(before, "closes"), merged(during, "closes")
    return {
        "tvs": tvs,
        "connected_through_outage": sum(a["connected"] for a in during),
        "dropped_during_outage": sum(closes_during.values()) - sum(closes_before.values()),
        "back_to_commit_s": committed - back,
        "commit_to_last_tv_s": None if last is None else last - committed,
        "back_to_last_tv_s": None if last is None else last - back,
        "missed_first_edit": missed,
        "ordinary_commit_to_last_tv_s": statistics.median(ordinary),
        "ordinary_commit_to_last_tv_max_s": max(ordinary),
    }


# --- the rolling deploy --------------------------------------------------------------------


def tv_sockets(metrics: str) -> int:
    found = re.search(r"^chalkboard_tv_sockets (\S+)$", metrics, re.MULTILINE)
    if found is None:
        raise BenchError("/metrics has no chalkboard_tv_sockets")
    return int(float(found.group(1)))


async def sample_sockets(url: str, samples: list[tuple[float, int]]) -> None:
    """B's chalkboard_tv_sockets every SAMPLE_SECONDS, until cancelled."""
    async with httpx.AsyncClient(base_url=url, timeout=5, trust_env=False) as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                samples.append((time.time(), tv_sockets((await client.get("/metrics")).text)))
            await asyncio.sleep(SAMPLE_SECONDS)


async def measure_deploy(
    kind: str, data_dir: Path, seed_data: Seed, on_a: Clients, on_b: Clients, args: Any
) -> dict[str, Any]:
    """A's TVs move to B: by A's drain, or by a cut with the new or the old client."""
    _, spread = DEPLOYS[kind]
    metadata = TaskMetadata()
    a, b = Chalkboard(data_dir, free_port()), Chalkboard(data_dir, free_port())
    a.env["ECS_CONTAINER_METADATA_URI_V4"] = metadata.uri
    for server in (a, b):
        # One service behind one load balancer: the same public address (TVs' Origin).
        server.env["PUBLIC_BASE_URL"] = a.url
        server.env["SHUTDOWN_DRAIN_SECONDS"] = str(args.drain)
        server.env.pop("METRICS_TOKEN", None)
    samples: list[tuple[float, int]] = []
    try:
        a.start()
        b.start()
        tv_tokens = seed_data.tv_tokens[: args.deploy_tvs]
        half = len(tv_tokens) // 2
        for clients, server, share in ((on_a, a, tv_tokens[:half]), (on_b, b, tv_tokens[half:])):
            await clients.connect(
                server.ws_url,
                a.url,
                share,
                seed_data.menu_id,
                seed_data.version,
                abnormal_spread=spread,
            )
        await asyncio.sleep(SETTLE_SECONDS)
        sampler = asyncio.create_task(sample_sockets(b.url, samples))
        await asyncio.sleep(SAMPLE_SECONDS)
        await on_a.ask_all({"cmd": "route", "url": b.ws_url}, 30)  # A is deregistered
        cut = time.time()
        if kind == "drain":
            metadata.desired = "STOPPED"
        else:
            a.kill()
        answers = await on_a.ask_all(
            {"cmd": "back", "since": cut, "within": BACK_TIMEOUT}, BACK_TIMEOUT + 30
        )
        stats = await on_a.ask_all({"cmd": "stats"}, 30)
        await asyncio.sleep(2 * SAMPLE_SECONDS)
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        await on_a.close()
        await on_b.close()
    finally:
        a.kill()
        b.kill()
        metadata.close()
    moved = sum(answer["of"] for answer in answers)
    back = sum(answer["back"] for answer in answers)
    drops, opens = merged(answers, "drops"), merged(answers, "opens")
    return {
        "tvs_on_a": moved,
        "tvs_on_b": len(tv_tokens) - half,
        "back_on_b": back,
        "peak_reconnects_per_s": peak_in_one_second(opens),
        "peak_rise_of_b_sockets_per_s": peak_rise_per_second(samples),
        "first_drop_s": drops[0] - cut if drops else None,
        "first_drop_to_all_back_s": opens[-1] - drops[0] if back == moved and drops else None,
        "reconnect_span_s": opens[-1] - opens[0] if opens else None,
        "close_codes": merged(stats, "closes"),
        "failed_connects": sum(s["failed_connects"] for s in stats),
        "reconnects_per_second": per_second(opens, drops[0] if drops else cut),
        "b_sockets": [(round(at - cut, 2), n) for at, n in samples],
    }


def takes_back(old_client_cut: dict[str, Any]) -> int | None:
    """What one process takes back per second at most: the old client's peak, when its TVs
    (all back within 0.5 s if nothing held them) had to queue for B. Else unknown."""
    all_back = old_client_cut["first_drop_to_all_back_s"]
    if all_back is None or all_back <= 2 * BACKOFF_BASE_SECONDS:
        return None
    peak: int = old_client_cut["peak_reconnects_per_s"]
    return peak


# --- the run -------------------------------------------------------------------------------


async def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, db_pool_min=1, db_pool_max=2)
    postgres = embedded_server(data_dir / "postgres")
    compileall.compile_dir(Path(chalkboard.__file__).parent, quiet=1)  # as the image ships it
    half = args.clients // 2
    on_a = await Clients.start(half)
    on_b = await Clients.start(args.clients - half, first_source=2 + half)
    everyone = Clients(on_a.processes + on_b.processes)
    try:
        print(f"seeding a venue and {max(args.tvs, args.deploy_tvs)} displays …", file=sys.stderr)
        seed_data = await seed(settings, max(args.tvs, args.deploy_tvs))
        print(f"database outage under {args.tvs} TVs …", file=sys.stderr)
        outage = await measure_outage(
            settings, postgres, data_dir, seed_data, everyone, args.tvs, args.outage
        )
        deploys = {}
        for kind, (what, _) in DEPLOYS.items():
            print(f"rolling deploy, {args.deploy_tvs} TVs: {what} …", file=sys.stderr)
            deploys[kind] = await measure_deploy(kind, data_dir, seed_data, on_a, on_b, args)
        return {
            "outage_s": args.outage,
            "drain_s": args.drain,
            "outage": outage,
            "deploy": deploys,
            "one_process_takes_back_per_s": takes_back(deploys["cut_old_client"]),
        }
    finally:
        everyone.kill()
        with contextlib.suppress(Exception):  # already down if the outage went wrong
            stop_postgres(postgres)


def report(result: dict[str, Any]) -> None:
    def s(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f} s"

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    outage, deploy = result["outage"], result["deploy"]
    back_to_last = outage["back_to_last_tv_s"]
    drain = deploy["drain"]
    most = result["one_process_takes_back_per_s"]
    window = result["drain_s"]
    rows = [
        (f"outage: TVs connected through {result['outage_s']:.0f} s", "", ""),
        (
            "  still connected at its end",
            f"{outage['connected_through_outage']} of {outage['tvs']}",
            f"all: {met(outage['connected_through_outage'] == outage['tvs'])}",
        ),
        ("  Postgres back → edit committed", s(outage["back_to_commit_s"]), ""),
        ("  edit committed → last TV has it", s(outage["commit_to_last_tv_s"]), ""),
        (
            "  Postgres back → last TV has the edit",
            s(back_to_last),
            f"≤ {OUTAGE_TARGET_S} s: "
            f"{met(back_to_last is not None and back_to_last <= OUTAGE_TARGET_S)}",
        ),
        (
            f"  no outage: commit → last TV (median of {ORDINARY_EDITS})",
            s(outage["ordinary_commit_to_last_tv_s"]),
            "",
        ),
        (
            f"deploy: {drain['tvs_on_a']} TVs move from A to B "
            f"(B holds {drain['tvs_on_b']}; drain {window:.0f} s)",
            "",
            "",
        ),
    ]
    for kind, (what, _) in DEPLOYS.items():
        one = deploy[kind]
        target = ""
        if kind == "drain":
            below = "unknown" if most is None else met(one["peak_reconnects_per_s"] < most)
            target = f"< what one process takes back per second: {below}"
        elif kind == "cut_old_client":
            target = (
                "what one process takes back per second"
                if most is not None
                else "B kept up: not one process's most (raise --deploy-tvs)"
            )
        rows += [
            (
                f"  {what}: peak reconnects/s at B (B's /metrics)",
                f"{one['peak_reconnects_per_s']}/s ({one['peak_rise_of_b_sockets_per_s']:.0f}/s)",
                target,
            ),
            (
                "    first drop → all back on B",
                s(one["first_drop_to_all_back_s"]),
                f"spread over ≥ {DRAIN_SPREAD_TARGET:.0%} of the window: "
                f"{met((one['reconnect_span_s'] or 0) >= DRAIN_SPREAD_TARGET * window)}"
                if kind == "drain"
                else "",
            ),
            (
                "    close codes; failed connects",
                f"{one['close_codes']}; {one['failed_connects']}",
                "",
            ),
        ]
    rows += host_rows(result)
    print_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tvs", type=int, default=1000, help="TVs through the outage")
    parser.add_argument("--outage", type=float, default=30, help="seconds Postgres is down")
    parser.add_argument(
        "--deploy-tvs", type=int, default=4000, help="TVs on the two servers, half on each"
    )
    parser.add_argument("--drain", type=int, default=10, help="SHUTDOWN_DRAIN_SECONDS")
    parser.add_argument("--clients", type=int, default=4, help="TV processes (half per server)")
    measure(run, parser.parse_args(), report, RESULTS)


if __name__ == "__main__":
    main()
