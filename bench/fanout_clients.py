"""Simulated TVs for bench/fanout.py: one process holds many TV sockets (or polls instead).

bench/fanout.py starts several of these, so that the TVs' own CPU is spread over processes
and each process can use its own loopback source address. A process reads one JSON command
per line on stdin and answers each with one JSON line on stdout:

    connect  {url, origin, tokens, menu, version, source}  open one TV per token (hello with
             that menu and version), keep them connected the way tv-client/tv.js does
             (ping every 25 s, reconnect with full jitter, resume from its version)
    reached  {version, within, times}  wait until every TV shows `version`; when each got it
    stats    {}                          close codes, failed connects, protocol surprises
    close    {}                          close every TV socket and stop reconnecting
    poll     {url, path, token, rate, phase, seconds}  GET path at `rate` per second instead

Times are time.time(): the parent compares them with its own commit times (same machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from collections import Counter
from typing import Any

import httpx
import orjson
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin

# As tv-client/tv.js: ping every 25 s; full jitter, base 0.5 s, cap 30 s (5 s for a minute
# after a 1012: the service is coming back); a connection that lasted 10 s resets the backoff.
PING_SECONDS = 25
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30
RESTART_CAP_SECONDS = 5
RESTART_WINDOW_SECONDS = 60
STABLE_SECONDS = 10
# Only the first connect of each TV is gated: it sets the bench up fast without a SYN flood.
FIRST_CONNECTS_AT_ONCE = 100
MAX_ERRORS_KEPT = 5


class Fleet:
    """The TVs of this process, and what they saw."""

    def __init__(self) -> None:
        self.tvs: list[Tv] = []
        self.closes: Counter[int] = Counter()
        self.failed_connects = 0
        self.errors: list[str] = []
        self.error_count = 0
        self.board_bytes = 0
        self.showing: Counter[int] = Counter()  # version → how many TVs have shown it
        self.all_showing: dict[int, asyncio.Event] = {}
        self.gate = asyncio.Semaphore(FIRST_CONNECTS_AT_ONCE)

    def error(self, what: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(what)


class Tv:
    def __init__(self, fleet: Fleet, settings: dict[str, Any], token: str) -> None:
        self.fleet = fleet
        self.settings = settings
        self.token = token
        self.menu: int = settings["menu"]
        self.version: int | None = settings["version"]
        self.reached: dict[int, float] = {}  # version → when this TV first showed it
        self.connected = False
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        attempt, delay, first, restarting_until = 0, 0.0, True, 0.0
        while True:
            await asyncio.sleep(delay)
            opened = None
            try:
                async with self.fleet.gate if first else contextlib.nullcontext():
                    ws = await self.open()
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed):
                self.fleet.failed_connects += 1
            else:
                first, opened = False, time.monotonic()
                code = await self.listen(ws)
                self.fleet.closes[code] += 1
                if code == 1012:  # the only close a healthy server sends: "restarting"
                    restarting_until = time.monotonic() + RESTART_WINDOW_SECONDS
                else:
                    self.fleet.error(f"closed with {code}")
            if opened is not None and time.monotonic() - opened > STABLE_SECONDS:
                attempt = 0
            cap = BACKOFF_CAP_SECONDS
            if time.monotonic() < restarting_until:
                cap = RESTART_CAP_SECONDS
            delay = random.uniform(0, min(cap, BACKOFF_BASE_SECONDS * 2**attempt))
            attempt = min(attempt + 1, 16)

    async def open(self) -> ClientConnection:
        ws = await connect(
            self.settings["url"],
            origin=Origin(self.settings["origin"]),
            local_addr=(self.settings["source"], 0),
            proxy=None,
            compression=None,
            ping_interval=None,  # a browser sends no protocol-level pings; the server does
            open_timeout=10,
            close_timeout=2,
        )
        hello = {
            "type": "hello",
            "token": self.token,
            "menu": self.menu,
            "version": self.version,
            "app": "bench/1",
            "screen": {"w": 1920, "h": 1080},
        }
        await ws.send(orjson.dumps(hello).decode())
        return ws

    async def listen(self, ws: ClientConnection) -> int:
        """Take messages until the socket closes; the close code."""
        self.connected = True
        pinger = asyncio.create_task(self.ping(ws))
        try:
            while True:
                data = await ws.recv(decode=False)
                self.receive(data, time.time())
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        finally:
            self.connected = False
            pinger.cancel()
            await ws.close()

    async def ping(self, ws: ClientConnection) -> None:
        await asyncio.sleep(random.uniform(0, PING_SECONDS))
        while True:
            await ws.send('{"type":"ping"}')
            await asyncio.sleep(PING_SECONDS)

    def receive(self, data: bytes, at: float) -> None:
        message = orjson.loads(data)
        kind = message["type"]
        if kind == "board":
            self.fleet.board_bytes = len(data)
            self.show(message["version"], at)
        elif kind == "up_to_date":
            if message["version"] != self.version:
                self.fleet.error(f"up_to_date {message['version']} while showing {self.version}")
            self.show(message["version"], at)
        elif kind not in ("display", "pong"):
            self.fleet.error(f"unexpected {kind}")

    def show(self, version: int, at: float) -> None:
        if self.version is not None and version < self.version:
            self.fleet.error(f"went back from version {self.version} to {version}")
        self.version = version
        if version not in self.reached:
            self.reached[version] = at
            self.fleet.showing[version] += 1
            if self.fleet.showing[version] == len(self.fleet.tvs) and (
                everyone := self.fleet.all_showing.get(version)
            ):
                everyone.set()


async def reached(fleet: Fleet, version: int, within: float, times: bool) -> dict[str, Any]:
    """Wait (at most `within` s) until every TV has shown `version`; when each did."""
    everyone = fleet.all_showing.setdefault(version, asyncio.Event())
    if fleet.showing[version] < len(fleet.tvs):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await everyone.wait()
    got = [tv.reached[version] for tv in fleet.tvs if version in tv.reached]
    answer: dict[str, Any] = {
        "got": len(got),
        "of": len(fleet.tvs),
        "last": max(got, default=None),
        "board_bytes": fleet.board_bytes,
    }
    if times:
        answer["times"] = got
    return answer


async def close(fleet: Fleet) -> dict[str, Any]:
    for tv in fleet.tvs:
        tv.task.cancel()
    await asyncio.gather(*(tv.task for tv in fleet.tvs), return_exceptions=True)
    closed, fleet.tvs = len(fleet.tvs), []
    return {"closed": closed}


async def poll(
    url: str, path: str, token: str, rate: float, phase: float, seconds: float
) -> dict[str, Any]:
    """GET `path` `rate` times a second, evenly spaced (shifted by `phase` s); latencies."""
    latencies: list[float] = []
    failed = 0

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal failed
        started = time.monotonic()
        try:
            response = await client.get(path)
        except httpx.HTTPError:
            failed += 1
            return
        if response.status_code == 200:
            latencies.append((time.monotonic() - started) * 1000)
        else:
            failed += 1

    async with httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=64),
        timeout=10,
        trust_env=False,
    ) as client:
        start = time.monotonic() + phase
        requests = []
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            requests.append(asyncio.create_task(one(client)))
        await asyncio.gather(*requests)
    return {"ok": len(latencies), "failed": failed, "latencies_ms": latencies}


async def serve() -> None:
    fleet = Fleet()
    reader = asyncio.StreamReader(limit=2**24)  # `connect` carries every token of this process
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = orjson.loads(line)
        kind = command.pop("cmd")
        if kind == "connect":
            started = time.monotonic()
            await close(fleet)
            fleet = Fleet()  # a fresh count of what this round of TVs saw
            tokens = command.pop("tokens")
            fleet.tvs = [Tv(fleet, command, token) for token in tokens]
            answer = await reached(fleet, command["version"], within=120, times=False)
            answer["seconds"] = time.monotonic() - started
        elif kind == "reached":
            answer = await reached(fleet, **command)
        elif kind == "stats":
            answer = {
                "closes": fleet.closes,
                "failed_connects": fleet.failed_connects,
                "error_count": fleet.error_count,
                "errors": fleet.errors,
                "connected": sum(tv.connected for tv in fleet.tvs),
            }
        elif kind == "close":
            answer = await close(fleet)
        elif kind == "poll":
            answer = await poll(**command)
        else:
            answer = {"error": f"unknown command {kind}"}
        sys.stdout.write(orjson.dumps(answer, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")
        sys.stdout.flush()
    await close(fleet)


if __name__ == "__main__":
    uvloop.run(serve())
