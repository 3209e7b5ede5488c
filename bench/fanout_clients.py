"""Simulated TVs for bench/fanout.py: one process holds many TV sockets (or polls instead).

bench/fanout.py starts several of these, so that the TVs' own CPU is spread over processes
and each process can use its own loopback source address. A process reads one JSON command
per line on stdin and answers each with one JSON line on stdout:

    connect  {url, origin, tokens, menu, version, source[, abnormal_spread, menus]}  open
             one TV per token (hello with that menu, or its own from `menus`, and version),
             keep them connected the way
             tv-client/tv.js does (ping every 25 s, reconnect with full jitter, resume from
             its version); `abnormal_spread` (s, default connection.js's 10; 0 is the policy before
             it) spreads the first retry after a connection cut without a close frame
    route    {url}                       connect there from now on (a load balancer that
             stopped sending new connections to a deregistered task)
    back     {since, within}             wait until every TV has opened a connection since
             `since`; when TVs dropped and opened again since then
    reached  {version, within, times}  wait until every TV shows `version`; when each got it
    boards   {since, within}             wait until every TV has had a board since `since`
             (a day-part boundary sends one with the same version); when each got it
    stats    {}                          close codes, failed connects, protocol surprises
    close    {}                          close every TV socket and stop reconnecting
    poll     {url, path, token, rate, phase, seconds}  GET path at `rate` per second instead

Times are time.time(): the parent compares them with its own commit times (same machine).

The TVs share the machine with the server they measure, so each costs as little CPU as it
can: a TV is a plain asyncio.Protocol on uvloop driving websockets' sans-I/O ClientProtocol
(the handshake, control frames, anything unusual), and every frame is handled synchronously
in data_received; a read that is exactly one whole text frame (nearly all of them) is taken
apart directly, which costs far less than websockets' parser. A connected TV owns no task
and no timer: one ticker per process sends every TV's pings, and a reconnect waits in a
loop.call_later. The only task is the short one that opens a connection
(create_connection is a coroutine), gone once the TV is open.
Of a message the TVs read only its `type` and `version`, from the start of the text when
the server put them there (it does: they are its first keys), else with orjson.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import re
import sys
import time
from collections import Counter
from typing import Any, cast

import httpx
import orjson
import uvloop
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake
from websockets.frames import BINARY, CONT, TEXT
from websockets.http11 import USER_AGENT
from websockets.protocol import OPEN
from websockets.typing import Origin
from websockets.uri import parse_uri

# As tv-client/connection.js: ping every 25 s; full jitter, base 0.5 s, cap 30 s (5 s for a minute
# after a 1012: the service is coming back); a connection that lasted 10 s resets the backoff.
PING_SECONDS = 25
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30
RESTART_CAP_SECONDS = 5
RESTART_WINDOW_SECONDS = 60
STABLE_SECONDS = 10
# As connection.js's ABNORMAL_SPREAD_MS: a connection cut without a close frame (1006: a load
# balancer or a task gone) was most likely cut for every TV at once, so the first retry after
# it comes within random(0, 10 s), not the backoff's 0.5 s.
ABNORMAL_SPREAD_SECONDS = 10
# As websockets.asyncio.client.connect: TCP connect and handshake within 10 s, and after the
# close frames the server gets 2 s to close the TCP connection before we drop it.
OPEN_TIMEOUT_SECONDS = 10
CLOSE_TIMEOUT_SECONDS = 2
# Only the first connect of each TV is gated: it sets the bench up fast without a SYN flood.
FIRST_CONNECTS_AT_ONCE = 100
MAX_ERRORS_KEPT = 5
# The ticker wakes this often and pings the TVs in one of PING_SECONDS / PING_TICK_SECONDS
# slots; a TV gets a random slot when it opens, so its first ping comes 0-25 s after the
# hello (as a per-TV pinger sleeping uniform(0, 25) did) and the pings stay spread.
PING_TICK_SECONDS = 0.25
PING_SLOTS = round(PING_SECONDS / PING_TICK_SECONDS)
PING = b'{"type":"ping"}'
MAX_MESSAGE_BYTES = 2**20  # ClientProtocol's default max_size, as connect()'s
LOGGER = logging.getLogger("websockets.client")  # else each ClientProtocol looks it up

# Chalkboard writes a message's `type` first and, in `board` and `up_to_date`, `version`
# second (service/live/boards.py, service/live/protocol.py; orjson, no spaces), so these
# can be read off the first bytes of a 7 KB board instead of parsing all of it. A message
# that does not start this way is parsed whole: the shortcut never changes what is read.
HEAD = re.compile(rb'\{"type":"([a-z_]+)"(?:,"version":(-?\d+)[,}])?')
VERSIONED = (b"board", b"up_to_date")

# service/serve.py's GC_THRESHOLDS (not imported: that would load the whole app here).
GC_THRESHOLDS = (50_000, 20, 100)


def type_and_version(data: bytes | bytearray) -> tuple[bytes, int | None]:
    head = HEAD.match(data)
    if head is not None:
        kind, version = head.group(1, 2)
        if version is not None:
            return kind, int(version)
        if kind not in VERSIONED:
            return kind, None
    message = orjson.loads(data)
    return message["type"].encode(), message.get("version")


def single_text_frame(ws: ClientProtocol, data: bytes) -> bytes | None:
    """The message, when `data` is exactly one whole text frame that `ws` would just pass on.

    That is nearly every read: a board, an up_to_date, a pong. Going through ws costs about
    20 µs a frame (its generator parser copies the 7 KB board several times), more than the
    rest of a TV's work on a push; this costs about 1. Anything else (a frame split over
    reads or several in one, a control frame, a fragment, bytes ws still holds, a closing
    ws) goes to ws. `reader.buffer` is websockets' own (sans-I/O StreamReader) buffer.
    """
    if len(data) < 2 or data[0] != 0x81 or ws.reader.buffer or ws.state is not OPEN:
        return None  # 0x81: FIN, no RSV bits (no extensions), opcode TEXT
    size, start = data[1], 2  # a server's frames are not masked: the high bit is 0
    if size == 126:
        size, start = int.from_bytes(data[2:4]), 4
    elif size == 127:
        size, start = int.from_bytes(data[2:10]), 10
    elif size > 126:
        return None  # masked: ws fails the connection, as it should
    if start + size != len(data) or size > MAX_MESSAGE_BYTES or ws.current_size is not None:
        return None
    return data[start:]


class Fleet:
    """The TVs of this process, where they connect, and what they saw."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        """`settings`: the `connect` command's url, origin, source and menu (none: no TVs)."""
        self.loop = asyncio.get_running_loop()
        self.tvs: list[Tv] = []
        self.closes: Counter[int] = Counter()
        self.failed_connects = 0
        self.errors: list[str] = []
        self.error_count = 0
        self.board_bytes = 0
        self.showing: Counter[int] = Counter()  # version → how many TVs have shown it
        self.all_showing: dict[int, asyncio.Event] = {}
        self.gate = asyncio.Semaphore(FIRST_CONNECTS_AT_ONCE)
        self.links = 0  # TCP connections not yet lost (close waits for them)
        self.opens: list[float] = []  # when a TV's connection opened (handshake done)
        self.drops: list[float] = []  # when an open TV's connection was lost
        self.no_links = asyncio.Event()
        if settings is not None:
            self.uri = parse_uri(settings["url"])
            self.origin = Origin(settings["origin"])
            self.source: str = settings["source"]
            self.menu: int = settings["menu"]
            self.abnormal_spread: float = settings.get("abnormal_spread", ABNORMAL_SPREAD_SECONDS)
        self.slots: list[set[Tv]] = [set() for _ in range(PING_SLOTS)]
        self.slot = 0
        self.ticker: asyncio.TimerHandle | None = None
        self.next_tick = self.loop.time()
        self.tick()

    def error(self, what: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(what)

    def tick(self) -> None:
        """Ping this slot's TVs; on an absolute schedule, so a slow tick does not drift."""
        for tv in self.slots[self.slot]:
            tv.send(PING)
        self.slot = (self.slot + 1) % PING_SLOTS
        self.next_tick += PING_TICK_SECONDS
        self.ticker = self.loop.call_at(self.next_tick, self.tick)

    async def close(self) -> int:
        """Close every TV (close frame 1000, as ws.close() did) and stop reconnecting."""
        if self.ticker is not None:
            self.ticker.cancel()
        tasks = [task for tv in self.tvs if (task := tv.stop()) is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.links:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await self.no_links.wait()
        for tv in self.tvs:
            if tv.link is not None:
                tv.link.transport.abort()
        await asyncio.sleep(0)  # let the aborted transports report connection_lost
        closed, self.tvs = len(self.tvs), []
        return closed


class Link(asyncio.Protocol):
    """One TCP connection of a TV: feeds the bytes through the sans-I/O WebSocket protocol."""

    __slots__ = ("closer", "fragments", "transport", "tv", "ws")

    def __init__(self, tv: Tv) -> None:
        self.tv = tv
        self.ws: ClientProtocol
        self.transport: asyncio.Transport
        self.closer: asyncio.TimerHandle | None = None
        self.fragments: bytearray | None = None  # a fragmented message so far

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        fleet = self.tv.fleet
        # The sans-I/O protocol is made, and the Link becomes the TV's, only now: uvloop
        # makes the Link before it connects, and while the server is down most tries are
        # refused (those never get here, nor to connection_lost). No extensions: no
        # deflate, as connect(compression=None).
        self.ws = ClientProtocol(
            fleet.uri, origin=fleet.origin, max_size=MAX_MESSAGE_BYTES, logger=LOGGER
        )
        self.tv.link = self
        fleet.links += 1
        fleet.no_links.clear()
        request = self.ws.connect()
        request.headers["User-Agent"] = USER_AGENT  # as connect() sends it
        self.ws.send_request(request)
        self.flush()

    def data_received(self, data: bytes) -> None:
        at = time.time()
        ws, tv = self.ws, self.tv
        if tv.link is not self:
            return  # given up on (an open timeout), but bytes were already on their way
        if tv.open and (message := single_text_frame(ws, data)) is not None:
            tv.receive(message, at)
            return
        ws.receive_data(data)
        events = ws.events_received()
        if not tv.open:
            if ws.handshake_exc is not None:
                tv.handshake_done(ws.handshake_exc)
                self.flush()
                return
            if ws.state is not OPEN:
                self.flush()
                return  # the response is not complete yet
            events = events[1:]  # the first event is the handshake's Response
            tv.opened()
        for frame in events:
            opcode = frame.opcode
            if opcode is TEXT or opcode is BINARY:
                if frame.fin:
                    tv.receive(frame.data, at)
                else:
                    self.fragments = bytearray(frame.data)
            elif opcode is CONT and self.fragments is not None:
                self.fragments += frame.data
                if frame.fin:
                    tv.receive(bytes(self.fragments), at)
                    self.fragments = None
            # PING is answered by ws itself (flushed below); CLOSE is read when the
            # server then closes the TCP connection (connection_lost); PONG needs nothing.
        self.flush()

    def flush(self) -> None:
        ws = self.ws
        for chunk in ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()
        if self.closer is None and ws.close_expected():
            self.closer = self.tv.fleet.loop.call_later(CLOSE_TIMEOUT_SECONDS, self.transport.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closer is not None:
            self.closer.cancel()
        fleet = self.tv.fleet
        fleet.links -= 1
        if not fleet.links:
            fleet.no_links.set()
        self.tv.lost(self)


class Tv:
    """A TV across its connections: what it shows, and when it tries to connect again."""

    __slots__ = (
        "attempt",
        "board_at",
        "first",
        "fleet",
        "handshake",
        "link",
        "menu",
        "open",
        "opened_at",
        "opening",
        "reached",
        "restarting_until",
        "retry",
        "slot",
        "stopped",
        "task",
        "token",
        "version",
    )

    def __init__(self, fleet: Fleet, token: str, menu: int, version: int | None) -> None:
        self.fleet = fleet
        self.token = token
        self.menu = menu
        self.version = version
        self.board_at = 0.0  # when the last board came
        self.reached: dict[int, float] = {}  # version → when this TV first showed it
        self.link: Link | None = None  # the current connection, open or opening
        self.open = False  # handshake done, hello sent: counted in `connected`
        self.opened_at = 0.0
        self.opening = False  # between create_connection and the handshake's end
        self.handshake: asyncio.Future[Exception | None] | None = None
        self.task: asyncio.Task[None] | None = None
        self.retry: asyncio.TimerHandle | None = None
        self.slot = 0
        self.first = True
        self.attempt = 0
        self.restarting_until = 0.0
        self.stopped = False
        self.connect()

    # --- connecting ------------------------------------------------------------------------

    def connect(self) -> None:
        self.retry = None
        self.task = self.fleet.loop.create_task(self.open_connection())

    async def open_connection(self) -> None:
        fleet = self.fleet
        try:
            async with fleet.gate if self.first else contextlib.nullcontext():
                async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
                    self.opening = True
                    self.handshake = fleet.loop.create_future()
                    await fleet.loop.create_connection(
                        lambda: Link(self),
                        fleet.uri.host,
                        fleet.uri.port,
                        local_addr=(fleet.source, 0),
                    )
                    # Outcomes come as results, never as exceptions: a handshake that ends
                    # after this task gave up must not leave a "never retrieved" warning.
                    if failure := await self.handshake:
                        raise failure
        except (OSError, InvalidHandshake, TimeoutError):
            if not self.opening:
                return  # the timeout fired just as the handshake completed: it is open
            self.opening = False
            if self.link is not None:
                self.link.transport.abort()  # its connection_lost is then stale: ignored
                self.link = None
            fleet.failed_connects += 1
            self.back_off(opened_at=None, abnormal=True)  # a browser reports it as 1006
        finally:
            self.task = None

    def handshake_done(self, failure: Exception | None) -> None:
        if self.handshake is not None and not self.handshake.done():
            self.handshake.set_result(failure)

    def opened(self) -> None:
        """The handshake is done: say hello (resuming from this TV's version), as tv.js does."""
        self.opening, self.open, self.first = False, True, False
        self.opened_at = time.monotonic()
        self.fleet.opens.append(time.time())
        self.handshake_done(None)
        hello = {
            "type": "hello",
            "token": self.token,
            "menu": self.menu,
            "version": self.version,
            "app": "bench/1",
            "screen": {"w": 1920, "h": 1080},
        }
        self.send(orjson.dumps(hello))
        self.slot = random.randrange(PING_SLOTS)
        self.fleet.slots[self.slot].add(self)

    def send(self, text: bytes) -> None:
        link = self.link
        if link is not None and link.ws.state is OPEN:
            link.ws.send_text(text)
            link.flush()

    def lost(self, link: Link) -> None:
        if link is not self.link:
            return  # a connection this TV already gave up on
        self.link = None
        if self.opening:  # the open task counts it as a failed connect
            self.handshake_done(ConnectionError("closed during the handshake"))
            return
        if not self.open:
            return
        self.open = False
        self.fleet.drops.append(time.time())
        self.fleet.slots[self.slot].discard(self)
        if self.stopped:
            return
        close = link.ws.close_rcvd
        code = close.code if close is not None else 1006
        self.fleet.closes[code] += 1
        if code == 1012:  # the only close a healthy server sends: "restarting"
            self.restarting_until = time.monotonic() + RESTART_WINDOW_SECONDS
        else:
            self.fleet.error(f"closed with {code}")
        self.back_off(opened_at=self.opened_at, abnormal=code == 1006)

    def back_off(self, opened_at: float | None, abnormal: bool) -> None:
        """Full jitter, as connection.js: the next try in random(0, min(cap, 0.5 s * 2^attempt)), or
        at least random(0, abnormal_spread) for the first retry after an abnormal close."""
        now = time.monotonic()
        if opened_at is not None and now - opened_at > STABLE_SECONDS:
            self.attempt = 0
        cap = RESTART_CAP_SECONDS if now < self.restarting_until else BACKOFF_CAP_SECONDS
        ceiling = min(cap, BACKOFF_BASE_SECONDS * 2**self.attempt)
        if abnormal and self.attempt == 0:
            ceiling = max(ceiling, self.fleet.abnormal_spread)
        delay = random.uniform(0, ceiling)
        self.attempt = min(self.attempt + 1, 16)
        self.retry = self.fleet.loop.call_later(delay, self.connect)

    def stop(self) -> asyncio.Task[None] | None:
        """No more reconnects; send a close frame if open. The open task, if any, to await."""
        self.stopped = True
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        link = self.link
        if link is not None:
            if link.ws.state is OPEN:
                link.ws.send_close(1000)
                link.flush()  # the server answers and closes the TCP connection
            else:
                link.transport.abort()
        if self.task is not None:
            self.task.cancel()
        return self.task

    # --- receiving -------------------------------------------------------------------------

    def receive(self, data: bytes | bytearray, at: float) -> None:
        kind, version = type_and_version(data)
        if kind == b"board":
            self.fleet.board_bytes = len(data)
            self.board_at = at
            self.show(version, at)
        elif kind == b"up_to_date":
            if version != self.version:
                self.fleet.error(f"up_to_date {version} while showing {self.version}")
            self.show(version, at)
        elif kind != b"display" and kind != b"pong":
            self.fleet.error(f"unexpected {kind.decode()}")

    def show(self, version: Any, at: float) -> None:
        if self.version is not None and version < self.version:
            self.fleet.error(f"went back from version {self.version} to {version}")
        self.version = version
        if version not in self.reached:
            self.reached[version] = at
            fleet = self.fleet
            fleet.showing[version] += 1
            if fleet.showing[version] == len(fleet.tvs) and (
                everyone := fleet.all_showing.get(version)
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


async def boards(fleet: Fleet, since: float, within: float) -> dict[str, Any]:
    """Wait (at most `within` s) until every TV has had a board since `since` (wall clock);
    when each got its latest."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(tv.board_at >= since for tv in fleet.tvs):
            break
        await asyncio.sleep(0.02)
    got = [tv.board_at for tv in fleet.tvs if tv.board_at >= since]
    return {"got": len(got), "of": len(fleet.tvs), "times": got}


async def back(fleet: Fleet, since: float, within: float) -> dict[str, Any]:
    """Wait (at most `within` s) until every TV has opened a connection since `since` (wall
    clock) and is open; the drops and opens since then."""
    after = since - time.time() + time.monotonic()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(tv.open and tv.opened_at >= after for tv in fleet.tvs):
            break
        await asyncio.sleep(0.1)
    return {
        "back": sum(tv.open and tv.opened_at >= after for tv in fleet.tvs),
        "of": len(fleet.tvs),
        "drops": [t for t in fleet.drops if t >= since],
        "opens": [t for t in fleet.opens if t >= since],
    }


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
    # As chalkboard serve does (service/serve.py): collect rarely, and once the TVs are up
    # keep them out of the collector's passes, so that a full collection in a TV process
    # does not land in the middle of a push it is timing.
    gc.set_threshold(*GC_THRESHOLDS)
    fleet = Fleet()  # no TVs until the first `connect`
    reader = asyncio.StreamReader(limit=2**24)  # `connect` carries every token of this process
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = orjson.loads(line)
        kind = command.pop("cmd")
        if kind == "connect":
            started = time.monotonic()
            await fleet.close()
            tokens = command.pop("tokens")
            fleet = Fleet(command)  # a fresh count of what this round of TVs saw
            menus = command.pop("menus", None) or [command["menu"]] * len(tokens)
            fleet.tvs = [
                Tv(fleet, token, menu, command["version"])
                for token, menu in zip(tokens, menus, strict=True)
            ]
            answer = await reached(fleet, command["version"], within=120, times=False)
            answer["seconds"] = time.monotonic() - started
            gc.freeze()
        elif kind == "reached":
            answer = await reached(fleet, **command)
        elif kind == "route":
            fleet.uri = parse_uri(command["url"])
            answer = {"routed": len(fleet.tvs)}
        elif kind == "boards":
            answer = await boards(fleet, **command)
        elif kind == "back":
            answer = await back(fleet, **command)
        elif kind == "stats":
            answer = {
                "closes": fleet.closes,
                "failed_connects": fleet.failed_connects,
                "error_count": fleet.error_count,
                "errors": fleet.errors,
                "connected": sum(tv.open for tv in fleet.tvs),
            }
        elif kind == "close":
            answer = {"closed": await fleet.close()}
        elif kind == "poll":
            answer = await poll(**command)
        else:
            answer = {"error": f"unknown command {kind}"}
        sys.stdout.write(orjson.dumps(answer, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")
        sys.stdout.flush()
    await fleet.close()


if __name__ == "__main__":
    uvloop.run(serve())
