"""`chalkboard cost`: the monthly bill, `--json`, the chart, the docs; `cost prices`."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from chalkboard.cost import chart, model, observe, pricelist, prices, report
from chalkboard.cost.deployment import Deployment, DeploymentError, from_terraform
from chalkboard.cost.workload import ProfileError, Workload, load_profile

if TYPE_CHECKING:
    from chalkboard.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
DOC_PROFILES = ("small", "medium", "large")
CHART_PROFILE = "medium"  # the habits the chart scales from 10 to 200,000 TVs


class CostError(Exception):
    """A problem with the cost inputs; the CLI prints it without a traceback."""


def _deployment(args: argparse.Namespace, overrides: dict[str, object], source: str) -> Deployment:
    try:
        deployment = from_terraform(args.infra, args.tfvars)
        deployment = deployment.with_overrides(overrides, source=source)
    except DeploymentError as exc:
        raise CostError(str(exc)) from None
    if args.region:
        deployment = deployment.with_overrides({"region": args.region}, source="--region")
    if args.via_cdn:
        deployment = deployment.with_overrides({"public_pages_via_cdn": True}, source="--via-cdn")
    return deployment


def _table(region: str) -> prices.PriceTable:
    try:
        return prices.load(region)
    except prices.UnknownRegion as exc:
        raise CostError(str(exc)) from None


def _profile(name: str) -> tuple[Workload, dict[str, object]]:
    try:
        return load_profile(name)
    except ProfileError as exc:
        raise CostError(str(exc)) from None


async def _observed(settings: Settings, base: Workload, urls: list[str]) -> Workload:
    from chalkboard.cost import queries
    from chalkboard.db.pool import connect

    async with connect(settings) as conn:
        usage = await queries.usage(conn)
    traffic = None
    if urls:
        token = os.environ.get("METRICS_TOKEN") or None
        samples = []
        for url in urls:
            try:
                samples += observe.scrape(url, token)
            except (OSError, ValueError) as exc:
                raise CostError(f"cannot read {url}: {exc}") from None
        traffic = observe.traffic(samples, now=time.time())
    return observe.observed(base, usage, traffic)


async def cmd_cost(settings: Settings, args: argparse.Namespace) -> None:
    if args.docs:
        write_docs(args)
        return
    workload, overrides = _profile(args.profile)
    if args.observe:
        workload = await _observed(settings, workload, args.metrics_url or [])
    deployment = _deployment(args, overrides, args.profile)
    table = _table(deployment.region)
    bills = model.compare(workload, deployment, table)
    if args.chart:
        curves = model.curve(workload, deployment, table, chart.TV_COUNTS)
        args.chart.write_text(chart.svg(curves, chart.TV_COUNTS, title=_chart_title(table)))
    if args.json:
        print(json.dumps(report.as_json(bills), indent=1))
    else:
        print(report.text(bills), end="")


def _chart_title(table: prices.PriceTable) -> str:
    return f"Monthly AWS cost by number of TVs ({table.region} list prices)"


def render_docs(doc: str, args: argparse.Namespace) -> tuple[str, str]:
    """docs/cost.md with its tables (between `<!-- cost:NAME -->` markers) regenerated, and
    the chart's SVG."""
    for name in DOC_PROFILES:
        workload, overrides = _profile(name)
        deployment = _deployment(args, overrides, name)
        for suffix, via_cdn in (("", False), ("-cdn", True)):
            marker = f"cost:{name}{suffix}"
            if f"<!-- {marker} -->" not in doc:
                continue
            d = deployment.with_overrides({"public_pages_via_cdn": via_cdn}, source="docs")
            tables = report.markdown(model.compare(workload, d, _table(d.region)))
            before, _, rest = doc.partition(f"<!-- {marker} -->")
            _, _, after = rest.partition(f"<!-- /{marker} -->")
            doc = f"{before}<!-- {marker} -->\n{tables}<!-- /{marker} -->{after}"
    workload, overrides = _profile(CHART_PROFILE)
    deployment = _deployment(args, overrides, CHART_PROFILE)
    table = _table(deployment.region)
    curves = model.curve(workload, deployment, table, chart.TV_COUNTS)
    return doc, chart.svg(curves, chart.TV_COUNTS, title=_chart_title(table))


def write_docs(args: argparse.Namespace) -> None:
    doc_path, chart_path = DOCS / "cost.md", DOCS / "cost-chart.svg"
    if not doc_path.is_file():
        raise CostError(f"--docs needs a checkout of the repository: no {doc_path}")
    doc, svg = render_docs(doc_path.read_text(), args)
    doc_path.write_text(doc)
    chart_path.write_text(svg)
    print(f"updated {doc_path} and {chart_path}")


async def cmd_prices(settings: Settings, args: argparse.Namespace) -> None:
    regions = [args.region] if args.region else prices.regions()
    for region in regions:
        table = _table(region)
        if not args.refresh:
            print(f"{region} ({len(table.prices)} prices):")
            for key, price in table.prices.items():
                print(
                    f"  {key:42} {price.value:>14.10g}  {price.unit}; {price.as_of}, {price.source}"
                )
            continue
        problem = pricelist.credentials_problem()
        if problem is not None:
            raise CostError(
                f"{problem}: the Price List API needs any signed-in AWS identity "
                "(AWS_PROFILE, AWS_ACCESS_KEY_ID, or a role); the table is unchanged"
            )
        from botocore.exceptions import (  # type: ignore[import-untyped]
            BotoCoreError,
            ClientError,
        )

        try:
            done = await pricelist.refresh_from_aws(table)
        except (BotoCoreError, ClientError) as exc:
            raise CostError(f"the Price List API failed: {exc}; the table is unchanged") from None
        prices.save(done.table, prices.path_of(region))
        print(f"{region}: {len(done.changed)} prices changed, {len(done.missing)} kept")
        for key, (old, new) in done.changed.items():
            print(f"  {key}: {old:g} -> {new:g}")
        for key, why in done.missing.items():
            print(f"  kept {key}: {why}")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `cost` (and `cost prices`) to the `chalkboard` command."""
    cost = verbs.add_parser(
        "cost",
        help="what the deployment costs on AWS, beside the designs it replaces",
        description="Print the monthly AWS bill for a workload (a profile, or --observe "
        "this Chalkboard) on the deployment in infra/ (variables.tf and --tfvars), per "
        "venue-month and per TV-month, beside TVs polling through API Gateway, Lambda or "
        "the ALB. See docs/cost.md.",
    )
    cost.add_argument(
        "--profile",
        default="small",
        help="a bundled profile (small, medium, large) or a TOML file; default small",
    )
    cost.add_argument(
        "--observe",
        action="store_true",
        help="take venues, TVs, edits and images from the database (DATABASE_URL)",
    )
    cost.add_argument(
        "--metrics-url",
        action="append",
        metavar="URL",
        help="with --observe: a process's /metrics for page views and API calls "
        "(repeat for each task; METRICS_TOKEN is sent when set)",
    )
    cost.add_argument("--infra", type=Path, default=None, help="the Terraform directory")
    cost.add_argument("--tfvars", type=Path, default=None, help="a .tfvars file on top")
    cost.add_argument("--region", default=None, help="price in this region instead")
    cost.add_argument(
        "--via-cdn",
        action="store_true",
        help="price embeds and the phone page served through CloudFront",
    )
    cost.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cost.add_argument("--chart", type=Path, default=None, help="write the SVG chart here")
    cost.add_argument(
        "--docs",
        action="store_true",
        help="regenerate docs/cost.md's tables and docs/cost-chart.svg (from a checkout)",
    )
    cost.set_defaults(run=cmd_cost)
    cost_verbs = cost.add_subparsers(dest="cost_verb", required=False, metavar="VERB")
    listing = cost_verbs.add_parser(
        "prices",
        help="list the price table, or --refresh it from the AWS Price List API",
        description="List the price table, each price with its date and source; with "
        "--refresh, fetch the current list prices from the AWS Price List API (needs AWS "
        "credentials) and rewrite the table file.",
    )
    listing.add_argument("--region", default=None, help="one region (default: every table)")
    listing.add_argument("--refresh", action="store_true", help="fetch from the Price List API")
    listing.set_defaults(run=cmd_prices)
