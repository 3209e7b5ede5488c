"""create_app(settings): every route, middleware and exception handler, declared here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import anyio
import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from chalkboard.accounts import email_change, recovery
from chalkboard.accounts import queries as accounts
from chalkboard.accounts import views as account_views
from chalkboard.cost import views as cost_views
from chalkboard.db import migrate, server
from chalkboard.db.pool import create_pool
from chalkboard.displays import daypart_views
from chalkboard.displays import queries as displays
from chalkboard.displays import views as display_views
from chalkboard.embeds import views as embed_views
from chalkboard.embeds.cache import Embeds
from chalkboard.http.assets import Assets
from chalkboard.http.bodies import Arrivals
from chalkboard.http.errors import exception_handlers
from chalkboard.http.limits import RefuseControlCharacters
from chalkboard.http.pages import create_templates
from chalkboard.http.security import SecurityHeaders
from chalkboard.http.telemetry import Metrics, Telemetry
from chalkboard.live import views as live_views
from chalkboard.live.hub import Hub
from chalkboard.mail.mailer import Mailer, mailer_for
from chalkboard.media import api as media_api
from chalkboard.media import views as media_views
from chalkboard.media.service import Media
from chalkboard.media.store import open_store
from chalkboard.menus import api as menu_api
from chalkboard.menus import views as menu_views
from chalkboard.ops import lifecycle
from chalkboard.ops import views as ops_views
from chalkboard.promos import views as promo_views
from chalkboard.schedules import api as schedule_api
from chalkboard.schedules import boundaries, planned, planned_views
from chalkboard.schedules import views as schedule_views
from chalkboard.settings import Settings
from chalkboard.tv import views as tv_views
from chalkboard.venues import views as venue_views

log = logging.getLogger("chalkboard")
JANITOR_INTERVAL_SECONDS = 3600


class SchemaBehindError(RuntimeError):
    """The database lacks migrations this code needs."""


@dataclass
class Services:
    """What the running app holds: handed to every request as `request.state.services`."""

    settings: Settings
    pool: asyncpg.Pool
    templates: Jinja2Templates
    metrics: Metrics
    hub: Hub
    media: Media
    embeds: Embeds  # public menus: resolved ids and rendered pages, per process
    arrivals: Arrivals  # request bodies still arriving, per client address
    mailer: Mailer  # SMTP, SES or the log (docs/mail.md)
    # Set when the process was told to stop: /readyz fails so the load balancer moves on.
    draining: asyncio.Event = field(default_factory=asyncio.Event)
    _drained: asyncio.Task[None] | None = None

    async def drain(self) -> None:
        """Stop taking TVs and move those connected elsewhere, in batches over
        SHUTDOWN_DRAIN_SECONDS. Once, however many signals ask (ECS's deregistration, then
        SIGTERM); a later caller waits for the drain under way."""
        if self._drained is None:
            self.draining.set()
            self._drained = asyncio.create_task(
                self.hub.drain(self.settings.shutdown_drain_seconds)
            )
        await asyncio.shield(self._drained)


async def check_schema(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        missing = await migrate.pending(conn)
    if missing:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in missing)
        raise SchemaBehindError(
            f"The database schema is behind this code (missing: {names}). Run `chalkboard "
            "migrate` first, or `chalkboard serve --migrate` on a single-instance setup."
        )


async def janitor(pool: asyncpg.Pool, settings: Settings) -> None:
    """Hourly: forget expired sessions, old sign-in failures and old pairing codes and
    failures."""
    while True:
        try:
            async with pool.acquire() as conn:
                await accounts.delete_expired_sessions(
                    conn,
                    idle=timedelta(days=settings.session_idle_days),
                    absolute=timedelta(days=settings.session_absolute_days),
                )
                await accounts.delete_old_login_failures(conn, older_than=timedelta(days=1))
                await displays.delete_old_pairing_codes(conn)
                await displays.delete_old_pairing_failures(conn, older_than=timedelta(days=1))
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("janitor skipped a round: %s", exc)
        await asyncio.sleep(JANITOR_INTERVAL_SECONDS)


class Chalkboard(Starlette):
    """The app. WebSockets skip the middleware, which is all about HTTP (request ids and
    access logs, security headers, error pages): every layer would otherwise hold a frame for
    a socket's whole life, thousands of TVs times months."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope["app"] = self
            await self.router(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    assets = Assets(settings.web_dir / "static", prefix="/static")
    templates = create_templates(settings.web_dir / "templates", assets)
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Services]]:
        url = await anyio.to_thread.run_sync(server.database_url, settings)
        pool = await create_pool(url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        # TV hellos and pushes get connections of their own: they never queue behind editors.
        live_pool = await create_pool(url, min_size=1, max_size=settings.db_live_pool_max)
        hub = Hub(live_pool, settings, metrics.registry)
        media = Media.create(settings, await open_store(settings))
        try:
            await check_schema(pool)
            await hub.start(url)
            # Pages served through the CDN (EMBED_BASE_URL) keep their live stream on the ALB.
            live_origin = settings.public_base_url if settings.embed_base_url else ""
            embeds = Embeds(
                pool, hub.feeds, templates.env, settings.web_dir, live_origin=live_origin
            )
            services = Services(
                settings,
                pool,
                templates,
                metrics,
                hub,
                media,
                embeds,
                Arrivals(),
                mailer_for(settings),
            )
            chores = [
                asyncio.create_task(janitor(pool, settings)),
                # Schedules (#16): applies planned changes when due, once across all tasks.
                asyncio.create_task(planned.runner(pool)),
                asyncio.create_task(boundaries.push_at_boundaries(hub)),
            ]
            if settings.ecs_metadata_uri:
                chores.append(
                    asyncio.create_task(
                        lifecycle.drain_when_told_to_stop(services, settings.ecs_metadata_uri)
                    )
                )
            if settings.metrics_log_seconds:
                chores.append(
                    asyncio.create_task(
                        lifecycle.log_metrics(services, settings.metrics_log_seconds)
                    )
                )
            yield {"services": services}
            services.draining.set()
            for chore in chores:
                chore.cancel()
        finally:
            await hub.stop()
            await pool.close()
            await live_pool.close()
            await media.close()

    return Chalkboard(
        routes=[
            # Starlette tries routes in order: the busiest first, the TV socket (a restart
            # brings thousands of handshakes a second) and the public embeds.
            *live_views.routes,
            *embed_views.routes,
            *ops_views.routes,
            *cost_views.routes,
            *account_views.routes,
            *recovery.routes,
            *email_change.routes,
            *venue_views.routes,
            *menu_views.routes,
            *menu_api.routes,
            *media_api.routes,
            *schedule_api.routes,
            *daypart_views.api_routes,
            *schedule_views.routes,
            *planned_views.routes,
            *media_views.routes,
            *display_views.routes,
            *daypart_views.routes,
            *promo_views.routes,
            *tv_views.routes,
            Mount("/static", app=assets, name="static"),
        ],
        middleware=[
            Middleware(Telemetry, metrics=metrics),
            Middleware(SecurityHeaders, https=settings.is_https),
            Middleware(RefuseControlCharacters),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
