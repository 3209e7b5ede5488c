"""What the load balancer and operator rely on: health, readiness, metrics and logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace

import asyncpg
import httpx
import pytest

from chalkboard.http.telemetry import REQUEST_ID, configure_logging
from chalkboard.serve import uvicorn_config
from chalkboard.settings import Settings
from tests.conftest import Browser, RunningServer, start_server


async def test_health_readiness_and_status(live: RunningServer) -> None:
    """/healthz says the process is alive, /readyz that this task can serve, /statusz how the
    database and the LISTEN connection are; none cached."""
    async with httpx.AsyncClient(base_url=live.url) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        status = await client.get("/statusz")
    assert (health.status_code, health.text) == (200, "ok")
    assert (ready.status_code, ready.text) == (200, "ready")
    assert ready.headers["cache-control"] == "no-store"
    assert status.status_code == 200
    assert status.json()["database"] is True
    assert status.json()["listener"] is True


async def test_the_app_recovers_when_the_database_drops_its_connections(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """After Postgres kills every app connection (a failover), the next requests succeed."""
    boss, slug = owner
    killed = await db.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'chalkboard' AND pid <> pg_backend_pid()"
    )
    assert killed >= 1
    statuses = [(await boss.get(f"/v/{slug}")).status_code for _ in range(4)]
    # A request may meet a dead connection once (503, nothing saved); then all is well.
    assert set(statuses) <= {200, 503}
    assert statuses[-2:] == [200, 200]


async def test_metrics_count_requests_by_route_template(
    live: RunningServer, owner: tuple[Browser, str]
) -> None:
    """/metrics has request counts labelled by route template (not raw path) and pool gauges."""
    boss, slug = owner
    await boss.get(f"/v/{slug}/team")
    async with httpx.AsyncClient(base_url=live.url) as client:
        text = (await client.get("/metrics")).text
    assert (
        'chalkboard_http_requests_total{method="GET",route="/v/{slug}/team",status="200"}' in text
    )
    assert "chalkboard_http_request_duration_seconds_bucket" in text
    assert "chalkboard_db_pool_connections" in text
    assert slug not in text


async def test_each_response_names_its_request_id(browser: Browser) -> None:
    """Responses carry X-Request-ID: a sane caller's id is kept, a hostile one replaced."""
    kept = await browser.get("/healthz", headers={"X-Request-ID": "trace-1234-abcd"})
    assert kept.headers["x-request-id"] == "trace-1234-abcd"
    replaced = await browser.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"
    assert len(replaced.headers["x-request-id"]) == 32


def test_logs_are_json_lines_with_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    """A log line is one JSON object with time, level, logger, message and request_id."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO")
        token = REQUEST_ID.set("req-42")
        logging.getLogger("chalkboard.test").info("kicked tap %d", 3, extra={"venue": "demo"})
        REQUEST_ID.reset(token)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["message"] == "kicked tap 3"
    assert line["request_id"] == "req-42"
    assert line["level"] == "INFO"
    assert line["logger"] == "chalkboard.test"
    assert line["venue"] == "demo"
    assert "time" in line


async def test_errors_answer_people_with_pages_and_programs_with_json(
    new_browser: Callable[[], Browser],
) -> None:
    """An unknown page is a friendly 404 page; an API error is a JSON body with its status."""
    person = new_browser()
    page = await person.get("/definitely/not/here")
    assert page.status_code == 404
    assert "Not found" in page.text
    api = await person.get("/api/v1/venues/x", headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert api.json()["error"]["status"] == 401


def test_uvicorn_is_tuned_for_the_load_balancer(settings: Settings) -> None:
    """Keep-alive outlives the ALB's 60 s, no deflate, small WebSocket frames, and proxy
    headers believed only from the configured addresses, and room for a reconnect storm."""
    tuned = replace(settings, trusted_proxies=("10.0.0.0/16",), keepalive_seconds=75)
    config = uvicorn_config(tuned)
    assert config.timeout_keep_alive > 60
    assert config.ws_per_message_deflate is False
    assert config.ws_max_size <= 64 * 1024
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == ["10.0.0.0/16"]
    assert config.server_header is False
    assert config.backlog >= 4096  # a reconnect storm's handshakes wait in the kernel


async def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """X-Forwarded-For sets the client address only when the peer is a trusted proxy."""
    seen = {}
    for trusted in ("127.0.0.1", "10.9.9.9"):
        server, task, running = await start_server(replace(settings, trusted_proxies=(trusted,)))
        try:
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="chalkboard.access"):
                async with httpx.AsyncClient(base_url=running.url) as client:
                    await client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
            seen[trusted] = next(r.client for r in caplog.records if r.name == "chalkboard.access")
        finally:
            server.should_exit = True
            await task
    assert seen == {"127.0.0.1": "203.0.113.7", "10.9.9.9": "127.0.0.1"}
