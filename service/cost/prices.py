"""The price table: one JSON file per region in prices/, every entry with its date and source."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

PRICES_DIR = Path(str(resources.files("chalkboard.cost") / "prices"))


class UnknownRegion(LookupError):
    """No price file for the region."""


@dataclass(frozen=True)
class Price:
    value: float
    unit: str
    as_of: str  # the date the price was recorded (or the Price List's effectiveDate)
    source: str  # the pricing page, or the Price List SKU it came from
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "value": self.value,
            "unit": self.unit,
            "as_of": self.as_of,
            "source": self.source,
        }
        if self.note:
            entry["note"] = self.note
        return entry


@dataclass(frozen=True)
class PriceTable:
    region: str
    hours_per_month: float
    prices: dict[str, Price]
    about: str = ""

    def __getitem__(self, key: str) -> float:
        return self.prices[key].value

    def with_prices(self, values: dict[str, float], *, why: str) -> PriceTable:
        """The same table with some prices replaced (another day's list prices, say)."""
        changed = dict(self.prices)
        for key, value in values.items():
            changed[key] = replace(self.prices[key], value=value, note=why)
        return replace(self, prices=changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "currency": "USD",
            "hours_per_month": self.hours_per_month,
            "about": self.about,
            "prices": {key: price.as_json() for key, price in self.prices.items()},
        }


def regions() -> list[str]:
    return sorted(path.stem for path in PRICES_DIR.glob("*.json"))


def path_of(region: str) -> Path:
    return PRICES_DIR / f"{region}.json"


def load(region: str, *, directory: Path | None = None) -> PriceTable:
    path = (directory or PRICES_DIR) / f"{region}.json"
    if not path.is_file():
        raise UnknownRegion(
            f"no price table for {region!r}; tables exist for {', '.join(regions())}"
        )
    doc = json.loads(path.read_text())
    return PriceTable(
        region=doc["region"],
        hours_per_month=doc["hours_per_month"],
        about=doc.get("about", ""),
        prices={key: Price(**entry) for key, entry in doc["prices"].items()},
    )


def save(table: PriceTable, path: Path) -> None:
    path.write_text(json.dumps(table.as_json(), indent=1) + "\n")
