"""/ops/cost: the operator's bill page, behind the METRICS_TOKEN bearer and nothing else."""

from __future__ import annotations

from dataclasses import replace

import httpx

from chalkboard.settings import Secret, Settings
from tests.conftest import Browser, RunningServer, start_server

TOKEN = "operator-token-for-tests-0123456789"


async def test_without_a_metrics_token_the_page_does_not_exist(live: RunningServer) -> None:
    """With METRICS_TOKEN unset, /ops/cost is a 404 for everyone."""
    async with httpx.AsyncClient(base_url=live.url) as client:
        response = await client.get("/ops/cost", headers={"authorization": "Bearer x"})
    assert response.status_code == 404


async def test_only_the_operator_token_opens_the_page(
    settings: Settings, owner: tuple[Browser, str]
) -> None:
    """No token, a wrong one or a venue owner's session: 401; the token: the bill and chart."""
    server, task, running = await start_server(replace(settings, metrics_token=Secret(TOKEN)))
    try:
        boss, _ = owner
        async with httpx.AsyncClient(base_url=running.url) as client:
            bare = await client.get("/ops/cost")
            wrong = await client.get("/ops/cost", headers={"authorization": "Bearer nope"})
            page = await client.get("/ops/cost", headers={"authorization": f"Bearer {TOKEN}"})
        async with httpx.AsyncClient(base_url=running.url, cookies=boss.cookies) as signed_in:
            session = await signed_in.get("/ops/cost")
        assert [bare.status_code, wrong.status_code, session.status_code] == [401, 401, 401]
        assert bare.headers["www-authenticate"] == "Bearer"
        assert page.status_code == 200
        assert "Per TV-month" in page.text
        assert "<svg" in page.text
        assert "API Gateway REST API + Lambda" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "set-cookie" not in page.headers
    finally:
        server.should_exit = True
        await task
