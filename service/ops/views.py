"""Health for the load balancer, the state of what the task depends on for operators, metrics.

Two questions, two answers (DESIGN.md, convention 18):
- /healthz and /readyz: can *this task* serve? The container check and the load balancer
  ask. Only the task's own state decides (draining, or an event loop too stuck to answer):
  never the database, or one database blip would have the load balancer replace every
  task at once and drop every TV, though the TVs could have kept their boards.
- /statusz: do the database and the LISTEN connection answer? For operators and alarms
  (the same facts go to CloudWatch as metrics, ops/lifecycle.py).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from chalkboard import tokens
from chalkboard.http.routing import BareRoute
from chalkboard.ops.lifecycle import database_answers

NO_STORE = {"cache-control": "no-store"}


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok", headers=NO_STORE)


async def readyz(request: Request) -> Response:
    if request.state.services.draining.is_set():
        return PlainTextResponse("draining", 503, headers=NO_STORE)
    return PlainTextResponse("ready", headers=NO_STORE)


def operator_only(request: Request) -> Response | None:
    """401 unless the caller sends METRICS_TOKEN (when one is set)."""
    expected = request.state.services.settings.metrics_token
    if expected is None:
        return None
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if tokens.same(sent, expected.reveal()):
        return None
    return PlainTextResponse("send `Authorization: Bearer <METRICS_TOKEN>`", 401, headers=NO_STORE)


async def statusz(request: Request) -> Response:
    if (refused := operator_only(request)) is not None:
        return refused
    services = request.state.services
    state = {
        "database": await database_answers(services),
        "listener": services.hub.listening,
        "draining": services.draining.is_set(),
        "tv_sockets": len(services.hub.tvs),
        "pool": {"size": services.pool.get_size(), "idle": services.pool.get_idle_size()},
    }
    healthy = state["database"] and state["listener"]
    return JSONResponse(state, 200 if healthy else 503, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    if (refused := operator_only(request)) is not None:
        return refused
    services = request.state.services
    services.metrics.observe_pool(services.pool)
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


routes = [
    BareRoute("/healthz", healthz),
    BareRoute("/readyz", readyz),
    BareRoute("/statusz", statusz),
    BareRoute("/metrics", metrics),
]
