"""What the operator sees: JSON logs with a request id, and Prometheus metrics."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# Accept a caller's id (the ALB's or a client's) only when it looks like an id.
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._:=-]{8,128}$")
access_log = logging.getLogger("chalkboard.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(level: str) -> None:
    """JSON lines on stdout, for CloudWatch or a terminal alike. Called once, by the CLI."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = True  # our access log has the request id
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # narrates every initdb step


class Metrics:
    """The app's own registry (no global state): request counts, latency, pool usage."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chalkboard_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chalkboard_http_request_duration_seconds",
            "Time to answer HTTP requests, by route template",
            ["route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "chalkboard_db_pool_connections", "Open database connections", registry=self.registry
        )
        self.pool_idle = Gauge(
            "chalkboard_db_pool_idle_connections",
            "Idle database connections",
            registry=self.registry,
        )
        # process_start_time_seconds turns the request counters into requests a day
        # (`chalkboard cost --metrics-url`).
        ProcessCollector(registry=self.registry)

    def observe_pool(self, pool: asyncpg.Pool) -> None:
        self.pool_size.set(pool.get_size())
        self.pool_idle.set(pool.get_idle_size())


class Telemetry:
    """Gives each request an id, then logs and counts it by its route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if REQUEST_ID_SHAPE.match(sent) else uuid.uuid4().hex
        scope["chalkboard.request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            access_log.exception("unhandled error")
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            extra: dict[str, Any] = {
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "ms": round(elapsed * 1000, 1),
                "client": (scope.get("client") or ("", 0))[0],
            }
            access_log.info("request", extra=extra)
            REQUEST_ID.reset(token)
