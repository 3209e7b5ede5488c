"""What a task watches about itself on ECS: being told to stop, and the numbers it scales on.

- A rolling deploy or a scale-in first deregisters the task from the load balancer, which
  cuts every socket at once when `deregistration_delay` ends, and only then sends SIGTERM.
  The task sees the stop coming earlier, as `DesiredStatus: STOPPED` in its own task metadata
  (ECS task metadata endpoint v4, a link-local address: no API call, no credentials), and
  drains its TVs in batches before the load balancer would cut them (ADR 0004).
- Idle TVs move neither CPU nor request counts, so the service scales on TVs per task. Each
  task logs the number as a CloudWatch embedded-metric line: CloudWatch Logs turns it into
  a metric with no API call and no agent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import anyio

from chalkboard.db import ping

if TYPE_CHECKING:
    from chalkboard.app import Services

log = logging.getLogger("chalkboard.lifecycle")

METADATA_POLL_SECONDS = 2.0
METADATA_TIMEOUT_SECONDS = 2.0
METRICS_NAMESPACE = "Chalkboard"
DATABASE_CHECK_SECONDS = 2.0


def _desired_status(metadata_uri: str) -> str:
    with urllib.request.urlopen(  # noqa: S310 (ECS's own link-local http endpoint)
        f"{metadata_uri}/task", timeout=METADATA_TIMEOUT_SECONDS
    ) as answer:
        status: str = json.load(answer).get("DesiredStatus", "")
    return status


async def drain_when_told_to_stop(services: Services, metadata_uri: str) -> None:
    """Poll the task's metadata; drain as soon as ECS wants the task stopped."""
    while True:
        try:
            status = await anyio.to_thread.run_sync(_desired_status, metadata_uri)
        except (OSError, ValueError) as exc:  # the endpoint hiccuped: ask again shortly
            log.debug("task metadata unavailable: %s", exc)
        else:
            if status == "STOPPED":
                log.info("ECS is stopping this task: draining TVs before deregistration ends")
                await services.drain()
                return
        await asyncio.sleep(METADATA_POLL_SECONDS)


async def database_answers(services: Services) -> bool:
    try:
        async with asyncio.timeout(DATABASE_CHECK_SECONDS), services.pool.acquire() as conn:
            await ping(conn)
    except Exception:  # whatever the failure, the answer is "no"
        return False
    return True


def embedded_metrics(service: str, values: dict[str, float]) -> dict[str, Any]:
    """One CloudWatch embedded-metric-format record: `values` as metrics, by service."""
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": METRICS_NAMESPACE,
                    "Dimensions": [["Service"]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        "Service": service,
        **values,
    }


async def log_metrics(services: Services, every: float) -> None:
    """Every `every` seconds, one log line CloudWatch reads as metrics: this task's TVs (the
    scaling signal) and whether the database and the LISTEN connection answer (alarms)."""
    while True:
        await asyncio.sleep(every)
        values = {
            "TvSockets": float(len(services.hub.tvs)),
            "DatabaseUp": float(await database_answers(services)),
            "ListenerUp": float(services.hub.listening),
        }
        # Printed as is: the record's top level must be the EMF document itself.
        print(json.dumps(embedded_metrics(services.settings.service_name, values)), flush=True)
