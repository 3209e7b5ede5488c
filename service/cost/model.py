"""The monthly bill: Chalkboard's, and the same workload on the designs it replaces.

Everything is a small function of (workload, deployment, prices) that returns bill lines,
so a test can check one price formula against a published figure and the bill uses the
same function. Traffic happens while venues are open (`tv_online_hours_per_day`): the ALB
bills the busiest of its four LCU dimensions each hour, so averaging over 24 hours would
hide the peak. GB here are GiB, as AWS bills them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from chalkboard.cost.deployment import Deployment
from chalkboard.cost.prices import PriceTable
from chalkboard.cost.workload import Workload

GB = 1024**3
# Measured (DESIGN.md, `make bench-fanout`): one 0.5 vCPU task pushes to 10,000 TVs in
# 185 ms p99 holding 23 KiB each; more vCPU holds proportionally more.
TVS_PER_HALF_VCPU = 10_000
# Cached embed pages answer 20k req/s on 2 cores (`make bench-embed`); budget a tenth of
# that per 0.5 vCPU for a mix of cached pages, API calls and editor pages.
REQUESTS_PER_HALF_VCPU = 1_000
ACCESS_LOG_BYTES = 420  # one JSON access-log line (service/http/telemetry.py)
LAMBDA_LOG_BYTES = 350  # START, END and REPORT lines of one invocation
REQUEST_HEADER_BYTES = 600  # a browser's request line and headers, as the ALB counts them
# Poll-based designs: what a poll costs in the function behind it (the seeds' Pourwall).
POLL_SECONDS = 30
POLL_LAMBDA_MB = 128
POLL_LAMBDA_MS = 50


class Design(StrEnum):
    """How the TVs get the menu, and where images come from."""

    CHALKBOARD = "chalkboard"  # WebSockets on Fargate behind the ALB, images via CloudFront
    POLL_APP_ALB = "poll-app-alb"  # TVs poll the app's own endpoint behind the ALB
    POLL_ALB_LAMBDA = "poll-alb-lambda"  # TVs poll a Lambda behind the ALB
    POLL_HTTP_API = "poll-http-api"  # TVs poll API Gateway HTTP API + Lambda
    POLL_REST_API = "poll-rest-api"  # TVs poll API Gateway REST API + Lambda (Pourwall 1)
    IMAGES_FROM_S3 = "images-from-s3"  # Chalkboard, but images straight from S3


TITLES = {
    Design.CHALKBOARD: "Chalkboard: TV sockets on Fargate + ALB, images via CloudFront",
    Design.POLL_APP_ALB: "TVs poll every 30 s: the app's endpoint behind the ALB",
    Design.POLL_ALB_LAMBDA: "TVs poll every 30 s: ALB + Lambda",
    Design.POLL_HTTP_API: "TVs poll every 30 s: API Gateway HTTP API + Lambda",
    Design.POLL_REST_API: "TVs poll every 30 s: API Gateway REST API + Lambda",
    Design.IMAGES_FROM_S3: "Chalkboard with images straight from S3 (no CDN)",
}


@dataclass(frozen=True)
class Line:
    item: str
    usage: str
    usd: float


@dataclass
class Bill:
    design: Design
    region: str
    workload: Workload
    deployment: Deployment
    hours: float
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, item: str, usage: str, usd: float) -> None:
        self.lines.append(Line(item, usage, usd))

    @property
    def total(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def per_venue(self) -> float:
        return self.total / self.workload.venues

    @property
    def per_tv(self) -> float:
        return self.total / self.workload.tvs if self.workload.tvs else 0.0


# --- price formulas, one per service ------------------------------------------------------


@dataclass
class AlbLoad:
    """What the ALB sees during open hours, per second (connections: concurrent)."""

    new_connections: float = 0.0
    active_connections: float = 0.0
    bytes: float = 0.0  # processed, to and from instance/IP targets
    lambda_bytes: float = 0.0  # processed to and from Lambda targets (smaller LCU)
    requests: float = 0.0


def alb_lcus(p: PriceTable, load: AlbLoad, *, rules: int) -> dict[str, float]:
    """LCUs in each of the four dimensions; the ALB bills the largest."""
    per_hour = 3600 / GB
    rule_evals = load.requests * max(0, rules - p["alb.lcu.free_rules"])
    return {
        "new connections": load.new_connections / p["alb.lcu.new_connections_per_second"],
        "active connections": load.active_connections / p["alb.lcu.active_connections_per_minute"],
        "processed bytes": load.bytes * per_hour / p["alb.lcu.processed_gb_per_hour"]
        + load.lambda_bytes * per_hour / p["alb.lcu.processed_gb_per_hour_lambda"],
        "rule evaluations": rule_evals / p["alb.lcu.rule_evaluations_per_second"],
    }


def alb_month(p: PriceTable, load: AlbLoad, *, rules: int, busy_hours: float) -> list[Line]:
    """One ALB: its hours, and LCU-hours for the busy part of each day."""
    lcus = alb_lcus(p, load, rules=rules)
    dimension, lcu = max(lcus.items(), key=lambda kv: kv[1])
    hours = p.hours_per_month
    lcu_hours = lcu * busy_hours / 24 * hours
    return [
        Line("ALB", f"1 load balancer x {hours:.0f} h", p["alb.hour"] * hours),
        Line(
            "ALB LCUs",
            f"{lcu:.2f} LCU ({dimension}) for {busy_hours:g} h a day",
            p["alb.lcu_hour"] * lcu_hours,
        ),
    ]


def fargate_task_month(
    p: PriceTable, *, vcpu: float, memory_gb: float, spot: bool, arch: str = "x86"
) -> float:
    """One task running all month."""
    kind = "fargate_spot" if spot else "fargate"
    hourly = vcpu * p[f"{kind}.{arch}.vcpu_hour"] + memory_gb * p[f"{kind}.{arch}.gb_hour"]
    return hourly * p.hours_per_month


def lambda_calls(p: PriceTable, calls: float, *, memory_mb: float, ms: float) -> float:
    """Invocations plus GB-seconds (billed by the millisecond)."""
    gb_seconds = calls * memory_mb / 1024 * math.ceil(ms) / 1000
    return calls / 1e6 * p["lambda.million_requests"] + gb_seconds * p["lambda.x86.gb_second"]


def api_gateway_calls(p: PriceTable, calls: float, *, kind: str) -> float:
    """REST or HTTP API calls (HTTP API meters each 512 KB as one call; ours are small)."""
    return calls / 1e6 * p[f"apigw.{kind}.million"]


def serverless_call(
    p: PriceTable,
    *,
    api: str,
    memory_mb: float,
    ms: float,
    response_bytes: float,
    log_bytes: float,
    dynamodb_rru: float = 0,
    s3_gets: float = 0,
) -> float:
    """One call through API Gateway to a Lambda: the API, the function, what it reads, the
    answer's transfer to the internet and the logs it writes."""
    return (
        api_gateway_calls(p, 1, kind=api)
        + lambda_calls(p, 1, memory_mb=memory_mb, ms=ms)
        + dynamodb_rru / 1e6 * p["dynamodb.million_rru"]
        + s3_gets / 1000 * p["s3.get_per_1000"]
        + response_bytes / GB * p["dto.internet.gb"]
        + log_bytes / GB * p["logs.ingest.gb"]
    )


def cloudfront_month(p: PriceTable, *, gb: float, requests: float) -> tuple[float, str]:
    """Pay-as-you-go after the always-free tier, or a flat-rate plan when that is cheaper
    (and its allowance covers the month)."""
    paid_gb = max(0.0, gb - p["cloudfront.free.gb_month"])
    paid_requests = max(0.0, requests - p["cloudfront.free.requests_month"])
    payg = paid_gb * p["cloudfront.out.gb"] + paid_requests / 1e4 * p["cloudfront.https_per_10000"]
    plans = [  # (plan, GB allowance, requests allowance)
        ("free", 100, 1e6),
        ("pro", 50 * 1024, 10e6),
        ("business", 50 * 1024, 125e6),
        ("premium", 50 * 1024, 500e6),
    ]
    for plan, allowance_gb, allowance_requests in plans:
        price = p[f"cloudfront.plan.{plan}.month"]
        if gb <= allowance_gb and requests <= allowance_requests and price < payg:
            return price, f"flat-rate {plan.title()} plan (cheaper than ${payg:,.2f} pay-as-you-go)"
    return payg, "pay-as-you-go"


# --- the bill ---------------------------------------------------------------------------


def _tasks_needed(d: Deployment, *, tvs: float, requests_per_second: float) -> int:
    halves = d.vcpu / 0.5
    by_tvs = tvs / (TVS_PER_HALF_VCPU * halves)
    by_requests = requests_per_second / (REQUESTS_PER_HALF_VCPU * halves)
    return max(d.desired_count, math.ceil(by_tvs), math.ceil(by_requests))


def bill(w: Workload, d: Deployment, p: PriceTable, design: Design = Design.CHALKBOARD) -> Bill:
    """The month's bill for `w` on `d`, line by line."""
    b = Bill(design, p.region, w, d, p.hours_per_month)
    hours = p.hours_per_month
    days = hours / 24
    open_seconds = w.tv_online_hours_per_day * 3600
    polling = design in (
        Design.POLL_APP_ALB,
        Design.POLL_ALB_LAMBDA,
        Design.POLL_HTTP_API,
        Design.POLL_REST_API,
    )

    # Web pages and API calls. Through CloudFront, only the misses reach the ALB.
    page_views = w.embed_views_per_day + w.phone_views_per_day
    page_bytes = (
        w.embed_views_per_day * w.embed_page_bytes + w.phone_views_per_day * w.phone_page_bytes
    )
    to_origin = (1 - w.cdn_hit_ratio) if d.public_pages_via_cdn else 1.0
    direct = w.api_requests_per_day + w.editor_requests_per_day  # never cached
    origin_requests = page_views * to_origin + direct
    origin_bytes = page_bytes * to_origin + direct * 8_000 + origin_requests * REQUEST_HEADER_BYTES
    alb = AlbLoad(
        new_connections=origin_requests / open_seconds,
        active_connections=origin_requests / open_seconds * 5,  # kept alive ~5 s each
        bytes=origin_bytes / open_seconds,
        requests=origin_requests / open_seconds,
    )
    internet_bytes = (0 if d.public_pages_via_cdn else page_bytes) + direct * 8_000
    log_bytes = origin_requests * ACCESS_LOG_BYTES  # the tasks' logs, through the NAT
    lambda_log_bytes = 0.0
    cdn_bytes = page_bytes if d.public_pages_via_cdn else 0.0
    # Static assets have hashed URLs, cached by browsers for a year: not counted per view.
    cdn_requests = page_views if d.public_pages_via_cdn else 0.0
    app_requests = origin_requests

    # The TVs.
    tv_bytes_per_day = 0.0
    app_tvs = 0.0
    if not polling:
        tvs_per_venue = w.tvs / w.venues
        pushes = w.edits_per_day * tvs_per_venue + w.tvs * w.tv_reconnects_per_day
        pings = w.tvs * open_seconds / 25  # ping and pong, each a 2-frame exchange
        tv_bytes_per_day = pushes * w.board_bytes + pings * 2 * 40
        alb.new_connections += w.tvs * w.tv_reconnects_per_day / open_seconds
        alb.active_connections += w.tvs
        alb.bytes += tv_bytes_per_day / open_seconds
        internet_bytes += tv_bytes_per_day
        log_bytes += w.tvs * w.tv_reconnects_per_day * ACCESS_LOG_BYTES
        app_tvs = w.tvs
    else:
        polls = w.tvs * open_seconds / POLL_SECONDS
        poll_bytes = w.board_bytes + REQUEST_HEADER_BYTES
        monthly_polls = polls * days
        if design in (Design.POLL_APP_ALB, Design.POLL_ALB_LAMBDA):
            alb.active_connections += w.tvs  # kept alive between polls (idle timeout > 30 s)
            alb.new_connections += w.tvs * w.tv_reconnects_per_day / open_seconds
            alb.requests += polls / open_seconds
            if design is Design.POLL_APP_ALB:
                alb.bytes += polls * poll_bytes / open_seconds
                app_requests += polls
                log_bytes += polls * ACCESS_LOG_BYTES
            else:
                alb.lambda_bytes += polls * poll_bytes / open_seconds
            internet_bytes += polls * w.board_bytes
        if design is not Design.POLL_APP_ALB:
            monthly = monthly_polls
            b.add(
                "Lambda (TV polls)",
                f"{monthly / 1e6:,.1f} M calls x {POLL_LAMBDA_MB} MB x {POLL_LAMBDA_MS} ms",
                lambda_calls(p, monthly, memory_mb=POLL_LAMBDA_MB, ms=POLL_LAMBDA_MS),
            )
            b.add(
                "DynamoDB reads (TV polls)",
                f"{monthly / 1e6:,.1f} M reads of a {w.board_bytes / 1000:.0f} KB board",
                monthly * _rru(w.board_bytes) / 1e6 * p["dynamodb.million_rru"],
            )
            lambda_log_bytes = polls * LAMBDA_LOG_BYTES  # Lambda logs skip the NAT gateway
        if design in (Design.POLL_HTTP_API, Design.POLL_REST_API):
            kind = "http" if design is Design.POLL_HTTP_API else "rest"
            b.add(
                f"API Gateway {kind.upper()} API (TV polls)",
                f"{monthly_polls / 1e6:,.1f} M calls",
                api_gateway_calls(p, monthly_polls, kind=kind),
            )
            internet_bytes += polls * w.board_bytes

    # Images: the TVs keep theirs; embed and phone views download theirs each time.
    image_bytes = (
        page_views * w.image_bytes_per_view
        + w.tvs * w.tv_image_loads_per_day * w.tv_image_bytes_per_load
    )
    image_requests = page_views * w.images_per_view + w.tvs * w.tv_image_loads_per_day * (
        w.images_per_view
    )
    s3_gets = image_requests
    if design is Design.IMAGES_FROM_S3:
        internet_bytes += image_bytes
    else:
        cdn_bytes += image_bytes
        cdn_requests += image_requests
        s3_gets = image_requests * (1 - w.cdn_hit_ratio)

    # Compute.
    rps = app_requests / open_seconds
    tasks = _tasks_needed(d, tvs=app_tvs, requests_per_second=rps)
    if tasks > d.max_count:
        b.warnings.append(
            f"needs {tasks} tasks while open but max_count is {d.max_count}: raise max_count"
        )
    busy = w.tv_online_hours_per_day / 24
    task_months = busy * tasks + (1 - busy) * d.desired_count
    on_demand = min(task_months, d.on_demand_base)
    extra = task_months - on_demand
    on_demand += extra * d.on_demand_weight / (d.on_demand_weight + 1)
    spot = task_months - on_demand
    size = f"{d.vcpu:g} vCPU, {d.memory_gb:g} GB"
    one = {"vcpu": d.vcpu, "memory_gb": d.memory_gb, "arch": d.arch}
    b.add(
        "Fargate (on-demand)",
        f"{on_demand:.2f} task-months x {size}",
        on_demand * fargate_task_month(p, spot=False, **one),  # type: ignore[arg-type]
    )
    b.add(
        "Fargate Spot",
        f"{spot:.2f} task-months x {size} ({tasks} tasks while open)",
        spot * fargate_task_month(p, spot=True, **one),  # type: ignore[arg-type]
    )

    b.lines.extend(alb_month(p, alb, rules=d.alb_rules, busy_hours=w.tv_online_hours_per_day))
    addresses = 2 + d.nat_gateways  # the ALB has one per AZ; tasks are in private subnets
    b.add("Public IPv4 addresses", f"{addresses} addresses", addresses * p["ipv4.hour"] * hours)

    log_gb = log_bytes * days / GB
    all_logs_gb = log_gb + lambda_log_bytes * days / GB
    if d.nat_gateways:
        b.add(
            "NAT gateway",
            f"{d.nat_gateways} x {hours:.0f} h, {log_gb:,.1f} GB (logs, AWS APIs)",
            d.nat_gateways * p["nat.hour"] * hours + log_gb * p["nat.gb"],
        )

    multi = p["rds.multi_az_factor"] if d.db_multi_az else 1
    instance_key = f"rds.postgres.{d.db_instance_class}.hour"
    if instance_key not in p.prices:
        raise KeyError(f"no price for RDS class {d.db_instance_class} in {p.region}")
    storage = max(d.db_allocated_storage, w.database_gb)
    b.add(
        "RDS PostgreSQL",
        f"{d.db_instance_class}{', Multi-AZ' if d.db_multi_az else ''}, {storage:g} GB gp3",
        multi * (p[instance_key] * hours + storage * p["rds.gp3.gb_month"]),
    )
    b.add(
        "S3",
        f"{w.media_gb:,.0f} GB, {s3_gets * days / 1e6:,.1f} M GETs",
        w.media_gb * p["s3.standard.gb_month"] + s3_gets * days / 1000 * p["s3.get_per_1000"],
    )
    if design is not Design.IMAGES_FROM_S3 or cdn_requests:
        gb = cdn_bytes * days / GB
        usd, how = cloudfront_month(p, gb=gb, requests=cdn_requests * days)
        b.add(
            "CloudFront", f"{gb:,.0f} GB, {cdn_requests * days / 1e6:,.1f} M requests, {how}", usd
        )
    out_gb = internet_bytes * days / GB
    paid_gb = max(0.0, out_gb - p["dto.free.gb_month"])
    b.add(
        "Data transfer out",
        f"{out_gb:,.0f} GB ({p['dto.free.gb_month']:g} GB free)",
        paid_gb * p["dto.internet.gb"],
    )
    stored_gb = all_logs_gb * min(d.log_retention_days, 365) / 30 * 0.15  # compressed
    b.add(
        "CloudWatch Logs",
        f"{all_logs_gb:,.1f} GB ingested, {d.log_retention_days} days kept",
        all_logs_gb * p["logs.ingest.gb"] + stored_gb * p["logs.storage.gb_month"],
    )
    b.add("Secrets Manager", "2 secrets", 2 * p["secrets.secret_month"])
    b.add("ECR", "2 GB of images", 2 * p["ecr.gb_month"])
    return b


def _rru(item_bytes: float) -> float:
    """Read request units for one eventually consistent read (4 KB per unit, halved)."""
    return math.ceil(item_bytes / 4096) / 2


def compare(w: Workload, d: Deployment, p: PriceTable) -> list[Bill]:
    """Chalkboard's bill first, then each design it replaces."""
    return [bill(w, d, p, design) for design in Design]


def curve(
    w: Workload, d: Deployment, p: PriceTable, tv_counts: list[int]
) -> dict[Design, list[float]]:
    """Monthly total per design at each number of TVs (the workload scaled to match)."""
    return {
        design: [bill(w.scaled_to(n), d, p, design).total for n in tv_counts] for design in Design
    }
