"""The bill as a terminal table, as JSON, and as the tables in docs/cost.md."""

from __future__ import annotations

import dataclasses
from typing import Any

from chalkboard.cost.model import TITLES, Bill


def _usd(value: float) -> str:
    return f"${value:,.2f}" if value < 100_000 else f"${value:,.0f}"


def text(bills: list[Bill]) -> str:
    """Chalkboard's bill line by line, then every design's total beside it."""
    ours = bills[0]
    w = ours.workload
    width = max(len(line.item) for line in ours.lines)
    out = [
        f"{w.name}: {w.venues:,} venues, {w.tvs:,} TVs; {ours.region} list prices, "
        f"a month of {ours.hours:g} hours",
        "",
    ]
    for line in ours.lines:
        out.append(f"  {line.item:<{width}}  {_usd(line.usd):>12}  {line.usage}")
    out += [
        f"  {'Total':<{width}}  {_usd(ours.total):>12}",
        f"  {'per venue-month':<{width}}  {_usd(ours.per_venue):>12}",
        f"  {'per TV-month':<{width}}  {_usd(ours.per_tv):>12}",
        "",
        "The same workload on other designs (per month):",
    ]
    for other in bills:
        ratio = other.total / ours.total
        out.append(
            f"  {_usd(other.total):>12}  {_usd(other.per_tv):>8}/TV  {ratio:5.2f}x  "
            f"{TITLES[other.design]}"
        )
    for bill in bills:
        for warning in bill.warnings:
            out.append(f"  note ({bill.design}): {warning}")
    return "\n".join(out) + "\n"


def as_json(bills: list[Bill]) -> dict[str, Any]:
    ours = bills[0]
    return {
        "region": ours.region,
        "workload": ours.workload.model_dump(),
        "deployment": dataclasses.asdict(ours.deployment),
        "designs": [
            {
                "design": str(bill.design),
                "title": TITLES[bill.design],
                "total_usd": round(bill.total, 2),
                "per_venue_month_usd": round(bill.per_venue, 4),
                "per_tv_month_usd": round(bill.per_tv, 4),
                "lines": [
                    {"item": line.item, "usage": line.usage, "usd": round(line.usd, 2)}
                    for line in bill.lines
                ],
                "warnings": bill.warnings,
            }
            for bill in bills
        ],
    }


def markdown(bills: list[Bill]) -> str:
    """Chalkboard's bill and the comparison as two Markdown tables (for docs/cost.md)."""
    ours = bills[0]
    out = ["| line item | usage | per month |", "| --- | --- | ---: |"]
    for line in ours.lines:
        out.append(f"| {line.item} | {line.usage} | {_usd(line.usd)} |")
    out += [
        f"| **Total** | | **{_usd(ours.total)}** |",
        f"| per venue-month | {ours.workload.venues:,} venues | {_usd(ours.per_venue)} |",
        f"| per TV-month | {ours.workload.tvs:,} TVs | {_usd(ours.per_tv)} |",
        "",
        "| design | per month | per TV-month | vs Chalkboard |",
        "| --- | ---: | ---: | ---: |",
    ]
    for bill in bills:
        out.append(
            f"| {TITLES[bill.design]} | {_usd(bill.total)} | {_usd(bill.per_tv)} | "
            f"{bill.total / ours.total:.2f}x |"
        )
    return "\n".join(out) + "\n"
