"""/healthz (the process answers), /readyz (it can reach the database), /metrics."""

from __future__ import annotations

import asyncio

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from chalkboard import tokens
from chalkboard.db import ping
from chalkboard.http.routing import BareRoute

READY_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok", headers={"cache-control": "no-store"})


async def readyz(request: Request) -> Response:
    services = request.state.services
    if services.draining.is_set():
        return PlainTextResponse("draining", 503, headers={"cache-control": "no-store"})
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), services.pool.acquire() as conn:
            await ping(conn)
    except Exception as exc:  # whatever the failure, the answer is "not ready"
        return PlainTextResponse(
            f"database unreachable: {exc.__class__.__name__}",
            503,
            headers={"cache-control": "no-store"},
        )
    return PlainTextResponse("ready", headers={"cache-control": "no-store"})


async def metrics(request: Request) -> Response:
    services = request.state.services
    expected = services.settings.metrics_token
    if expected is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not tokens.same(sent, expected.reveal()):
            return PlainTextResponse("metrics need `Authorization: Bearer <METRICS_TOKEN>`", 401)
    services.metrics.observe_pool(services.pool)
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


routes = [
    BareRoute("/healthz", healthz),
    BareRoute("/readyz", readyz),
    BareRoute("/metrics", metrics),
]
