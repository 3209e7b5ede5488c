"""`chalkboard cost`: the bill on the terminal, as JSON, as a chart, from a running app."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from pathlib import Path
from subprocess import CompletedProcess

import asyncpg
import httpx
import pytest

from chalkboard.cli import build_parser
from chalkboard.cost import commands, prices
from tests.conftest import Browser, ServerProcess
from tests.test_live import hello, new_tv, receive, tv_socket
from tests.test_tenancy import menu_objects

Cli = Callable[..., CompletedProcess[str]]
NO_AWS = {
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SESSION_TOKEN": "",
    "AWS_PROFILE": "",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    "AWS_CONFIG_FILE": "/nonexistent",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
}


def test_cost_prints_the_bill_line_by_line_and_per_venue_and_tv(cli: Cli) -> None:
    """The default profile prints each line item, the total, per venue and per TV-month."""
    done = cli("cost")
    assert done.returncode == 0, done.stderr
    for item in ("Fargate Spot", "ALB LCUs", "NAT gateway", "RDS PostgreSQL", "CloudFront"):
        assert item in done.stdout
    assert "per venue-month" in done.stdout
    assert "per TV-month" in done.stdout
    assert "API Gateway REST API + Lambda" in done.stdout


def test_cost_json_has_every_design_and_adds_up(cli: Cli) -> None:
    """--json lists the six designs; each total is the sum of its lines."""
    done = cli("cost", "--profile", "medium", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["designs"][0]["design"] == "chalkboard"
    assert len(doc["designs"]) == 6
    for design in doc["designs"]:
        assert design["total_usd"] == pytest.approx(
            sum(line["usd"] for line in design["lines"]), abs=0.05
        )
    assert doc["workload"]["tvs"] == 3000


def test_cost_prices_in_the_tfvars_region(cli: Cli, tmp_path: Path) -> None:
    """A tfvars file with region = eu-west-2 prices the ALB at London's $0.02646 an hour."""
    tfvars = tmp_path / "london.tfvars"
    tfvars.write_text('region = "eu-west-2"\n')
    done = cli("cost", "--tfvars", str(tfvars), "--json")
    assert done.returncode == 0, done.stderr
    ours = json.loads(done.stdout)["designs"][0]
    alb = next(line for line in ours["lines"] if line["item"] == "ALB")
    assert alb["usd"] == pytest.approx(19.32, abs=0.01)


def test_cost_writes_a_chart_with_a_line_per_design(cli: Cli, tmp_path: Path) -> None:
    """--chart writes an SVG with six lines over 14 TV counts, titled for people."""
    chart = tmp_path / "cost.svg"
    done = cli("cost", "--chart", str(chart))
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(chart.read_text())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    lines = root.findall("svg:polyline", ns)
    assert len(lines) == 6
    assert all(len(line.get("points", "").split()) == 14 for line in lines)
    assert "TVs" in (root.find("svg:title", ns).text or "")


def test_refresh_without_credentials_changes_nothing(cli: Cli) -> None:
    """`cost prices --refresh` with no AWS credentials says so and leaves the table alone."""
    before = prices.path_of("eu-west-2").read_bytes()
    done = cli("cost", "prices", "--refresh", "--region", "eu-west-2", env=NO_AWS)
    assert done.returncode == 1
    assert "the table is unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert prices.path_of("eu-west-2").read_bytes() == before


def test_a_bad_profile_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    """A profile with a misspelt field fails naming the field, without a traceback."""
    profile = tmp_path / "typo.toml"
    profile.write_text("venues = 2\ntvs = 4\nedits_per_day = 1\nembed_view_per_day = 9\n")
    done = cli("cost", "--profile", str(profile))
    assert done.returncode == 1
    assert "embed_view_per_day" in done.stderr
    assert "Traceback" not in done.stderr


async def test_observe_counts_the_running_apps_venues_tvs_and_views(
    cli: Cli,
    serve: Callable[..., Awaitable[ServerProcess]],
    owner: tuple[Browser, str],
    db: asyncpg.Pool,
) -> None:
    """--observe takes venues and TVs from the database, page views and TV-hours online from
    /metrics."""
    _, slug = owner
    url, _ = await serve()
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    ids = await menu_objects(db, venue_id)
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", ids["menu_id"])
    async with httpx.AsyncClient(base_url=url) as anyone:
        for _ in range(3):
            assert (await anyone.get(f"/m/{public_id}")).status_code == 200
    tv = await new_tv(db)
    async with tv_socket(url) as ws:
        await hello(ws, tv.token)
        assert (await receive(ws))["type"] == "display"
        await asyncio.sleep(2.5)  # the hub counts connected seconds once a second
    venues = await db.fetchval("SELECT count(*) FROM venues")
    displays = await db.fetchval("SELECT count(*) FROM displays")
    done = cli("cost", "--observe", "--metrics-url", f"{url}/metrics", "--json")
    assert done.returncode == 0, done.stderr
    workload = json.loads(done.stdout)["workload"]
    assert (workload["venues"], workload["tvs"]) == (venues, displays)
    assert workload["phone_views_per_day"] > 0
    assert workload["tv_online_hours_per_day"] > 0
    assert workload["observed"]["tv_online_hours_per_day"].startswith("TV hub")


def test_the_docs_tables_and_chart_are_what_the_tool_prints() -> None:
    """docs/cost.md and docs/cost-chart.svg are current: `make cost-docs` would change nothing."""
    args = build_parser().parse_args(["cost", "--docs"])
    doc, svg = commands.render_docs((commands.DOCS / "cost.md").read_text(), args)
    assert doc == (commands.DOCS / "cost.md").read_text()
    assert svg == (commands.DOCS / "cost-chart.svg").read_text()
    for marker in ("cost:small", "cost:medium", "cost:large", "cost:large-cdn"):
        assert f"<!-- {marker} -->\n| line item |" in doc
