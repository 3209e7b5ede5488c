"""Embeds under load: requests/s and p99 of the public embed page beside a bare Starlette hello.

Starts two server workers of Chalkboard (the app and uvicorn settings of `chalkboard serve`,
two processes sharing one port through SO_REUSEPORT, each with its own hub and LISTEN
connection) on a throwaway embedded Postgres holding a 20-entry menu, then drives them with
keep-alive HTTP/1.1 clients in separate processes (a raw asyncio protocol: no HTTP library
in the loop, so the load generator stays light). Measured, in one run:

  hello              a bare Starlette "hello" app, two workers under the same uvicorn settings:
                     the framework's ceiling on this machine
  embed              GET /embed/<id>: the full page, from the per-(menu, version, options) cache
  304                the same with If-None-Match: the ETag check alone
  uncached render    a new option set on every request (a cache miss each time): reads the
                     board's snapshot and renders it

The cases take turns (hello, embed, 304; five rounds of 4 s by default) against both sets of
workers running side by side, and each case's req/s is its median window, so a change in what
else the machine is doing touches every case alike. Prints a table and writes
bench/results/embed.json. The clients, the two workers and
Postgres share the machine's cores: every figure includes that contention, and the table
says how much CPU each side used.

    .venv/bin/python bench/embed.py [--rounds 5] [--seconds 4] [--clients 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from fanout import free_port, percentile  # bench/fanout.py, beside this file

BENCH = Path(__file__).parent
RESULTS = BENCH / "results" / "embed.json"
ENTRIES = 20  # as bench/fanout.py seeds it
WORKERS = 2
READY_TIMEOUT = 90
# The targets of issue #6, for two workers on two cores.
SHARE_TARGET = 0.5
P99_TARGET_MS = 10.0


class BenchError(Exception):
    """The bench could not measure: a process died or never came up."""


# --- the server workers (each runs as `python bench/embed.py --worker KIND --port N`) -------


def reuse_port_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def run_worker(kind: str, port: int) -> None:
    from chalkboard.serve import Server, uvicorn_config
    from chalkboard.settings import Settings

    settings = Settings.from_env()
    config = uvicorn_config(settings)
    if kind == "hello":
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        async def hello(request: object) -> PlainTextResponse:
            return PlainTextResponse("hello")

        app = Starlette(routes=[Route("/hello", hello), Route("/readyz", hello)])
        # The same uvicorn settings as `chalkboard serve`, around the bare app.
        config.app = app
        uvicorn.Server(config).run(sockets=[reuse_port_socket(port)])
    else:
        Server(config).run(sockets=[reuse_port_socket(port)])


@dataclass
class Workers:
    processes: list[subprocess.Popen[bytes]]
    url: str

    @classmethod
    def start(cls, kind: str, data_dir: Path) -> Workers:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "PUBLIC_BASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "SHUTDOWN_DRAIN_SECONDS": "1",
        }
        env.pop("DATABASE_URL", None)
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", kind, "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            for _ in range(WORKERS)
        ]
        workers = cls(processes, url)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                workers.stop()
                raise BenchError(f"a {kind} worker exited early")
            try:
                # Both must be up: ask on fresh connections until each pid has answered.
                if httpx.get(f"{url}/readyz", timeout=1, trust_env=False).status_code == 200:
                    time.sleep(1.0)  # the second worker, started at the same time
                    if all(p.poll() is None for p in processes):
                        return workers
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        workers.stop()
        raise BenchError(f"{kind} workers not ready after {READY_TIMEOUT}s")

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes:
            times = psutil.Process(process.pid).cpu_times()
            total += times.user + times.system
        return total

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- the load generator ------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    port: int
    path: str
    headers: str = ""
    unique_query: str = ""  # e.g. "accent": a new value on every request (a cache miss)
    seconds: float = 10.0
    warmup: float = 1.0
    connections: int = 8
    seed: int = 0


class Client(asyncio.Protocol):
    """One keep-alive connection sending GETs back to back; records each latency."""

    def __init__(
        self,
        load: Load,
        deadline: float,
        record_after: float,
        done: asyncio.Future[None],
        stats: dict[str, Any],
    ) -> None:
        self.load, self.deadline, self.record_after = load, deadline, record_after
        self.done, self.stats = done, stats
        self.buffer = b""
        self.started = 0.0
        self.transport: asyncio.Transport | None = None

    def request(self) -> bytes:
        path = self.load.path
        if self.load.unique_query:
            self.stats["n"] += 1
            value = f"{(self.load.seed << 20) + self.stats['n']:06x}"[-6:]
            path += ("&" if "?" in path else "?") + f"{self.load.unique_query}={value}"
        return (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.load.port}\r\n{self.load.headers}\r\n"
        ).encode()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.send()

    def send(self) -> None:
        assert self.transport is not None
        self.started = time.perf_counter()
        self.transport.write(self.request())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            status = int(head[9:12])
            at = head.find(b"\r\ncontent-length:")
            length = int(head[at + 17 : head.find(b"\r\n", at + 2)]) if at >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            now = time.perf_counter()
            if now >= self.record_after:
                self.stats["latencies"].append(now - self.started)
                self.stats["statuses"][status] = self.stats["statuses"].get(status, 0) + 1
            if now >= self.deadline:
                assert self.transport is not None
                self.transport.close()
                if not self.done.done():
                    self.done.set_result(None)
                return
            self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def drive(load: Load) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    stats: dict[str, Any] = {"latencies": [], "statuses": {}, "n": 0}
    start = time.perf_counter()
    record_after = start + load.warmup
    deadline = record_after + load.seconds
    waits = []
    for _ in range(load.connections):
        done: asyncio.Future[None] = loop.create_future()
        await loop.create_connection(
            lambda d=done: Client(load, deadline, record_after, d, stats), "127.0.0.1", load.port
        )
        waits.append(done)
    cpu_before = time.process_time()
    await asyncio.gather(*waits)
    stats["cpu"] = time.process_time() - cpu_before
    stats.pop("n")
    return stats


def client_process(load: Load) -> dict[str, Any]:
    return asyncio.run(drive(load))


@dataclass
class Sample:
    """One timed window of one case."""

    rps: float
    latencies: list[float]
    statuses: dict[int, int]
    server_cpu: float
    client_cpu: float
    elapsed: float


def measure(workers: Workers, load: Load, clients: int) -> Sample:
    """Run `clients` load processes at once over one timed window."""
    cpu_before = workers.cpu_seconds()
    context = multiprocessing.get_context("spawn")
    with context.Pool(clients) as pool:
        loads = [Load(**{**load.__dict__, "seed": n + 1}) for n in range(clients)]
        started = time.perf_counter()
        results = pool.map(client_process, loads)
        elapsed = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    latencies = [x for r in results for x in r["latencies"]]
    return Sample(
        len(latencies) / load.seconds,
        latencies,
        statuses,
        workers.cpu_seconds() - cpu_before,
        sum(r["cpu"] for r in results),
        elapsed,
    )


def summarize(samples: list[Sample]) -> dict[str, Any]:
    """Requests/s: the median window; latencies: all windows pooled; CPU: cores on average
    over the windows (warm-up included)."""
    latencies = [x for sample in samples for x in sample.latencies]
    statuses: dict[int, int] = {}
    for sample in samples:
        for status, count in sample.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    elapsed = sum(sample.elapsed for sample in samples)
    return {
        "rps": round(statistics.median(sample.rps for sample in samples)),
        "rps_per_window": [round(sample.rps) for sample in samples],
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_cpu_cores": round(sum(s.server_cpu for s in samples) / elapsed, 2),
        "client_cpu_cores": round(sum(s.client_cpu for s in samples) / elapsed, 2),
    }


# --- the data ----------------------------------------------------------------------------------


async def seed(data_dir: Path) -> str:
    """Schema and the fanout bench's venue (a 20-entry menu, two prices each); its public id."""
    from fanout import seed as seed_menu

    from chalkboard.db.pool import connect
    from chalkboard.embeds import queries as embeds
    from chalkboard.settings import Settings

    settings = Settings(data_dir=data_dir)
    menu = await seed_menu(settings, tvs=0)
    async with connect(settings) as conn:
        public_id = await embeds.get_public_id(conn, venue_id=menu.venue_id, menu_id=menu.menu_id)
    assert public_id is not None
    return public_id


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="timed window")
    parser.add_argument("--rounds", type=int, default=5, help="windows per case, taking turns")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--connections", type=int, default=8, help="per load process")
    parser.add_argument("--worker", choices=["chalkboard", "hello"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.port)
        return

    from chalkboard.db.server import embedded_server

    with tempfile.TemporaryDirectory(prefix="chalkboard-bench-embed-") as tmp:
        data_dir = Path(tmp)
        public_id = asyncio.run(seed(data_dir))
        common = {"seconds": args.seconds, "connections": args.connections}
        # Both sets of workers run side by side (the idle one costs nothing) and the cases
        # take turns, round after round, so a change in what else the machine is doing
        # touches every case alike; each case's req/s is its median window.
        hello = Workers.start("hello", data_dir)
        chalkboard = Workers.start("chalkboard", data_dir)
        samples: dict[str, list[Sample]] = {
            "hello": [],
            "embed": [],
            "not_modified": [],
            "uncached_render": [],
        }
        try:
            hello_port = int(hello.url.rsplit(":", 1)[1])
            port = int(chalkboard.url.rsplit(":", 1)[1])
            path = f"/embed/{public_id}"
            first = httpx.get(chalkboard.url + path, trust_env=False)
            first.raise_for_status()
            etag = first.headers["etag"]
            page_bytes = len(first.content)
            cases = [
                ("hello", hello, Load(hello_port, "/hello", **common)),
                ("embed", chalkboard, Load(port, path, **common)),
                (
                    "not_modified",
                    chalkboard,
                    Load(port, path, headers=f"If-None-Match: {etag}\r\n", **common),
                ),
            ]
            for _ in range(args.rounds):
                for name, workers, load in cases:
                    samples[name].append(measure(workers, load, args.clients))
            samples["uncached_render"].append(
                measure(chalkboard, Load(port, path, unique_query="accent", **common), args.clients)
            )
        finally:
            hello.stop()
            chalkboard.stop()
            embedded_server(data_dir / "postgres").cleanup()
        results = {name: summarize(taken) for name, taken in samples.items()}

    ceiling = results["hello"]["rps"]
    summary = {
        "embed_rps": results["embed"]["rps"],
        "embed_p99_ms": results["embed"]["p99_ms"],
        "not_modified_rps": results["not_modified"]["rps"],
        "not_modified_p99_ms": results["not_modified"]["p99_ms"],
        "uncached_render_rps": results["uncached_render"]["rps"],
        "uncached_render_p99_ms": results["uncached_render"]["p99_ms"],
        "hello_rps": ceiling,
        "hello_p99_ms": results["hello"]["p99_ms"],
        "embed_share_of_hello": round(results["embed"]["rps"] / ceiling, 3),
        "not_modified_share_of_hello": round(results["not_modified"]["rps"] / ceiling, 3),
        "page_bytes": page_bytes,
        "setup": {
            "server_workers": WORKERS,
            "load_processes": args.clients,
            "connections": args.clients * args.connections,
            "seconds_per_window": args.seconds,
            "rounds": args.rounds,
            "cpus": os.cpu_count(),
            "entries": ENTRIES,
        },
        "cases": results,
    }
    rows = [
        ("bare Starlette hello (ceiling)", "hello"),
        ("embed page, cached render (200)", "embed"),
        ("embed page, unchanged (304)", "not_modified"),
        ("embed page, uncached render", "uncached_render"),
    ]
    print(
        f"\n{WORKERS} server workers, {args.clients} load processes x {args.connections} "
        f"keep-alive connections, {args.rounds} rounds of {args.seconds:g} s per case, "
        f"{os.cpu_count()} CPUs\n"
    )
    header = (
        f"{'case':34} {'req/s':>8} {'of hello':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'server CPU':>11} {'client CPU':>11}"
    )
    print(header)
    print("-" * len(header))
    for label, key in rows:
        case = results[key]
        print(
            f"{label:34} {case['rps']:>8} {case['rps'] / ceiling:>8.0%} {case['p50_ms']:>8} "
            f"{case['p99_ms']:>8} {case['server_cpu_cores']:>10} c {case['client_cpu_cores']:>10} c"
        )
    share_met = summary["embed_share_of_hello"] >= SHARE_TARGET
    p99_met = summary["embed_p99_ms"] < P99_TARGET_MS
    print(
        f"\ntarget: cached embed >= {SHARE_TARGET:.0%} of hello: "
        f"{'met' if share_met else 'missed'}; p99 < {P99_TARGET_MS:g} ms: "
        f"{'met' if p99_met else 'missed'}  (page {page_bytes} bytes)"
    )
    summary["targets"] = {"share_met": share_met, "p99_met": p99_met}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
