"""A workload measured on a running Chalkboard: the database's counts and the processes'
own request counters (Prometheus, from /metrics or the in-process registry).

What is not counted yet stays the profile's assumption and says so in `observed`: TV
online hours from the TV hub's `chalkboard_tv_connected_seconds`.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from chalkboard.cost.queries import Usage
from chalkboard.cost.workload import Workload

GB = 1024**3
# Widths the pages draw (service/media/images.py WIDTHS): embeds and the phone page show
# 4rem thumbnails (160 px at 1x, 480 at 2-3x); TVs draw beverage art at about 960.
PAGE_WIDTHS = (160, 480)
TV_WIDTH = 960
REQUESTS = "chalkboard_http_requests"
TV_SECONDS = "chalkboard_tv_connected_seconds"


@dataclass(frozen=True)
class Traffic:
    """Requests a day by kind, from counters that have run for `days`."""

    days: float
    embed_views: float
    phone_views: float
    api_requests: float
    editor_requests: float
    tv_hours: float  # summed over every TV


def traffic(samples: Iterable[tuple[str, dict[str, str], float]], *, now: float) -> Traffic:
    """Requests a day from `chalkboard_http_requests` and the process's start time."""
    counts = {"embed": 0.0, "phone": 0.0, "api": 0.0, "editor": 0.0}
    started = now
    tv_seconds = 0.0
    for name, labels, value in samples:
        if name == "process_start_time_seconds":
            started = min(started, value)
        if name == f"{TV_SECONDS}_total":
            tv_seconds += value
        if name != f"{REQUESTS}_total" or labels.get("status", "")[:1] not in ("2", "3"):
            continue
        route = labels.get("route", "")
        if route == "/embed/{public_id}":
            counts["embed"] += value
        elif route == "/m/{public_id}":
            counts["phone"] += value
        elif route.startswith("/api/"):
            counts["api"] += value
        elif route.startswith("/v/"):
            counts["editor"] += value
    days = max((now - started) / 86400, 1 / 24)  # under an hour of counting says little
    return Traffic(
        days=days,
        embed_views=counts["embed"] / days,
        phone_views=counts["phone"] / days,
        api_requests=counts["api"] / days,
        editor_requests=counts["editor"] / days,
        tv_hours=tv_seconds / 3600 / days,
    )


def registry_samples(registry: CollectorRegistry) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in registry.collect() for s in family.samples]


Sample = tuple[str, dict[str, str], float]


def scrape(url: str, token: str | None, *, timeout: float = 10) -> list[Sample]:
    """Samples from one process's /metrics (Bearer METRICS_TOKEN when set)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"--metrics-url must be an http(s) URL, got {url!r}")
    request = urllib.request.Request(url)  # noqa: S310 (scheme checked above)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        text = response.read().decode()
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def _average_bytes(usage: Usage, width: int) -> float | None:
    variants, total = usage.image_bytes_by_width.get(width, (0, 0))
    return total / variants if variants else None


def observed(base: Workload, usage: Usage, traffic: Traffic | None) -> Workload:
    """`base` with every number the running app counts replaced by its count."""
    changes: dict[str, object] = {}
    notes = dict(base.observed)
    changes["venues"] = max(1, usage.venues)
    changes["tvs"] = usage.displays
    notes["venues"] = notes["tvs"] = "database: venues and paired displays"
    notes["tv_online_hours_per_day"] = "assumed: no TV was connected while counting"
    changes["edits_per_day"] = usage.revisions_week / 7
    notes["edits_per_day"] = "database: menu revisions over the last 7 days"
    changes["media_gb"] = usage.media_bytes / GB
    changes["database_gb"] = usage.database_bytes / GB
    notes["media_gb"] = notes["database_gb"] = "database: stored image bytes, database size"
    if usage.images and usage.menus:
        per_view = min(24, round(usage.images / usage.menus))
        page = [b for w in PAGE_WIDTHS if (b := _average_bytes(usage, w)) is not None]
        if page:
            changes["images_per_view"] = per_view
            changes["image_bytes_per_view"] = round(per_view * sum(page) / len(page))
        tv = _average_bytes(usage, TV_WIDTH) or (sum(page) / len(page) if page else None)
        if tv is not None:
            changes["tv_image_bytes_per_load"] = round(per_view * tv)
        notes["image_bytes_per_view"] = (
            "database: image bytes at the widths drawn, AVIF/WebP where stored"
        )
    if traffic is not None and traffic.tv_hours > 0 and usage.displays:
        changes["tv_online_hours_per_day"] = min(24.0, traffic.tv_hours / usage.displays)
        notes["tv_online_hours_per_day"] = (
            f"TV hub: hours connected over {traffic.days * 24:.1f} hours, per paired display"
        )
    if traffic is not None:
        changes["embed_views_per_day"] = traffic.embed_views
        changes["phone_views_per_day"] = traffic.phone_views
        changes["api_requests_per_day"] = traffic.api_requests
        changes["editor_requests_per_day"] = traffic.editor_requests
        notes["embed_views_per_day"] = (
            f"request counters over {traffic.days * 24:.1f} hours (the processes scraped)"
        )
    changes["observed"] = notes
    return Workload.model_validate({**base.model_dump(), **changes})
