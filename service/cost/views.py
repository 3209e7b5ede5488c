"""/ops/cost: the bill for this deployment's own counts, for the operator only.

Operator-only means the METRICS_TOKEN bearer, as for /metrics: the operator of the stack
holds it, no venue account does. With no METRICS_TOKEN set the page does not exist (404):
a venue owner signing in never reaches it, and neither does a guess.
"""

from __future__ import annotations

import asyncio
import time

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from chalkboard import tokens
from chalkboard.cost import chart, model, observe, prices, queries
from chalkboard.cost.deployment import Deployment
from chalkboard.cost.workload import load_profile
from chalkboard.http.pages import render_bare
from chalkboard.http.routing import BareRoute

QUERY_TIMEOUT_SECONDS = 5.0
NO_STORE = {"cache-control": "no-store"}


def _operator(request: Request) -> Response | None:
    """None when the caller holds the operator token; otherwise the answer to give."""
    expected = request.state.services.settings.metrics_token
    if expected is None:
        return PlainTextResponse("Not found", 404, headers=NO_STORE)
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not tokens.same(sent, expected.reveal()):
        return PlainTextResponse(
            "the operator pages need `Authorization: Bearer <METRICS_TOKEN>`",
            401,
            headers={**NO_STORE, "www-authenticate": "Bearer"},
        )
    return None


async def cost_page(request: Request) -> Response:
    refused = _operator(request)
    if refused is not None:
        return refused
    services = request.state.services
    async with asyncio.timeout(QUERY_TIMEOUT_SECONDS), services.pool.acquire() as conn:
        usage = await queries.usage(conn)
    samples = observe.registry_samples(services.metrics.registry)
    base, _ = load_profile("small")
    workload = observe.observed(base, usage, observe.traffic(samples, now=time.time()))
    region = services.settings.s3_region
    table = prices.load(region if region in prices.regions() else "us-east-1")
    deployment = Deployment(region=table.region)
    bills = model.compare(workload, deployment, table)
    curves = model.curve(workload, deployment, table, chart.TV_COUNTS)
    title = f"Monthly AWS cost by number of TVs ({table.region} list prices)"
    response = render_bare(
        request,
        "ops_cost.html",
        ours=bills[0],
        bills=bills,
        titles=model.TITLES,
        chart=Markup(chart.svg(curves, chart.TV_COUNTS, title=title)),  # noqa: S704 (ours)
        observed=[f"{name}: {how}" for name, how in workload.observed.items()],
    )
    response.headers.update(NO_STORE)
    return response


routes = [BareRoute("/ops/cost", cost_page)]
