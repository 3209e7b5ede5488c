"""`chalkboard serve`: uvicorn tuned for an ALB in front and Fargate Spot underneath."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import sys

import uvicorn

from chalkboard import demo
from chalkboard.app import Services, create_app
from chalkboard.cli import CommandError
from chalkboard.db import migrate
from chalkboard.db.pool import connect
from chalkboard.http.limits import LimitedHttpProtocol
from chalkboard.http.telemetry import configure_logging
from chalkboard.live.frames import FramesProtocol
from chalkboard.settings import Settings

log = logging.getLogger("chalkboard")
WS_MAX_MESSAGE_BYTES = 64 * 1024
SHUTDOWN_GRACE_SECONDS = 5
GC_THRESHOLDS = (50_000, 20, 100)
# Connections the kernel holds until the server accepts them. uvicorn's 2048 overflowed when
# 10,000 TVs came back after a restart: each dropped handshake waits 1, 3, 7 s for the TV's
# kernel to retry, and the server idled between the waves (the kernel caps this at
# net.core.somaxconn, 4096 by default on current Linux, Fargate included).
LISTEN_BACKLOG = 4096


class Server(uvicorn.Server):
    """uvicorn that drains before it stops (DESIGN.md, convention 9).

    On SIGTERM plain uvicorn closes every WebSocket at once, and every TV comes back in the
    same second. This first fails /readyz (the load balancer stops sending new connections
    here), then closes the TVs with 1012 in batches over SHUTDOWN_DRAIN_SECONDS, and only
    then shuts down as usual.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        services: Services | None = self.lifespan.state.get("services")
        if services is not None:
            await services.drain()  # or wait for the one ECS's deregistration started
        await super().shutdown(sockets)


def uvicorn_config(settings: Settings, port: int | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port if port is None else port,
        # The ALB closes idle connections after 60 s; ours must stay open longer, or the
        # ALB reuses a connection we just closed and the user gets a 502.
        timeout_keep_alive=settings.keepalive_seconds,
        # Only the ALB (or local proxy) may say who the client is and that it used https.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        # httptools, with limits on the header block (http/limits.py).
        http=LimitedHttpProtocol,
        # uvicorn's sans-I/O protocol, plus writing pre-framed pushes (live/frames.py).
        ws=FramesProtocol,
        # Deflate costs ~35 KiB per idle socket and CPU per message; menus are small.
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_MESSAGE_BYTES,
        backlog=LISTEN_BACKLOG,
        # TVs ping every 25 s and the hub closes a quiet one after 60 s: no protocol-level
        # pings needed, and 10,000 TVs do not cost a timer each.
        ws_ping_interval=None,
        # What is left after Server.shutdown's drain gets this long (and ECS's stopTimeout
        # of 120 s covers SHUTDOWN_DRAIN_SECONDS ≤ 110 plus this).
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        server_header=False,
        date_header=True,
        log_config=None,
        access_log=False,
    )


async def prepare(
    settings: Settings, *, migrate_first: bool, with_demo: bool
) -> demo.DemoLogin | None:
    async with connect(settings) as conn:
        if migrate_first:
            for m in await migrate.migrate(conn):
                log.info("applied migration %04d_%s", m.version, m.name)
        if with_demo:
            async with conn.transaction():
                return await demo.ensure_demo(conn)
    return None


def run(settings: Settings, *, migrate_first: bool, demo: bool) -> None:
    if demo and settings.env == "production":
        raise CommandError("--demo creates a known login; it is for development only")
    configure_logging(settings.log_level)
    login = None
    if migrate_first or demo:  # else not even a connection: a replacement task starts sooner
        login = asyncio.run(prepare(settings, migrate_first=migrate_first, with_demo=demo))
    if login is not None:
        url = settings.public_base_url
        print(
            f"\n  Chalkboard is starting at {url}/v/{login.slug}\n"
            f"  Sign in as {login.email} with password {login.password}\n",
            file=sys.stderr,
            flush=True,
        )
    config = uvicorn_config(settings)
    tune_garbage_collector()
    # Ctrl-C: uvicorn shuts down cleanly, then raises the interrupt again; as uvicorn.run()
    # does, end there, without a traceback under `make run`.
    with contextlib.suppress(KeyboardInterrupt):
        Server(config).run()


def tune_garbage_collector() -> None:
    """Python's default thresholds suit short scripts. A server holding thousands of sockets
    has hundreds of thousands of long-lived objects, and a full collection walks them all
    (a third of a second with 5,000 TVs, in the middle of a push). Collect the young
    generation less often, so short-lived objects die first, and full collections rarely;
    and leave what exists before serving (modules, the app) out of every collection."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()
