"""The price table: complete, dated and sourced; refreshed from Price List API answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chalkboard.cost import prices
from chalkboard.cost.pricelist import PriceNotFound, Query, refresh, usd_price

FIXTURES = Path(__file__).parent / "pricelist"
# One key per line item the issue names, for the stack and for the designs it replaces.
REQUIRED = [
    "alb.hour",
    "alb.lcu_hour",
    "alb.lcu.new_connections_per_second",
    "alb.lcu.active_connections_per_minute",
    "alb.lcu.processed_gb_per_hour",
    "alb.lcu.rule_evaluations_per_second",
    "fargate.x86.vcpu_hour",
    "fargate.x86.gb_hour",
    "fargate.arm.vcpu_hour",
    "fargate.arm.gb_hour",
    "fargate_spot.x86.vcpu_hour",
    "fargate_spot.x86.gb_hour",
    "fargate_spot.arm.vcpu_hour",
    "fargate_spot.arm.gb_hour",
    "rds.postgres.db.t4g.micro.hour",
    "rds.multi_az_factor",
    "rds.gp3.gb_month",
    "s3.standard.gb_month",
    "s3.put_per_1000",
    "s3.get_per_1000",
    "cloudfront.out.gb",
    "cloudfront.https_per_10000",
    "cloudfront.plan.pro.month",
    "cloudfront.plan.business.month",
    "cloudfront.plan.premium.month",
    "nat.hour",
    "nat.gb",
    "ipv4.hour",
    "logs.ingest.gb",
    "logs.storage.gb_month",
    "dto.internet.gb",
    "apigw.rest.million",
    "apigw.http.million",
    "apigw.ws.million_messages",
    "apigw.ws.million_connection_minutes",
    "lambda.million_requests",
    "lambda.x86.gb_second",
    "dynamodb.million_rru",
    "dynamodb.million_wru",
]


def pages(name: str) -> list[dict]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def entries(name: str) -> list[str]:
    return [entry for page in pages(name) for entry in page["PriceList"]]


def fake_price_list(region: str):
    """Answers `get_products` from the recorded pages, filtering the way the API does."""

    def fetch(query: Query) -> list[str]:
        found = []
        for path in FIXTURES.glob(f"{query.service}-{region}*.json"):
            for entry in entries(path.stem):
                product = json.loads(entry)["product"]
                attributes = {**product["attributes"], "productFamily": product["productFamily"]}
                wanted = dict(query.filters, **({"regionCode": region} if query.regional else {}))
                if all(attributes.get(k) == v for k, v in wanted.items()):
                    found.append(entry)
        return found

    return fetch


def test_both_regions_price_every_service_with_a_date_and_a_source() -> None:
    """us-east-1 and eu-west-2 have the same keys, each with a value, an ISO date and a source."""
    assert {"us-east-1", "eu-west-2"} <= set(prices.regions())
    east, london = prices.load("us-east-1"), prices.load("eu-west-2")
    assert east.prices.keys() == london.prices.keys()
    assert set(REQUIRED) <= set(east.prices)
    for table in (east, london):
        for key, price in table.prices.items():
            assert price.value >= 0, key
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.as_of), key
            assert price.source.startswith(("https://aws.amazon.com/", "AWS Price List API")), key


def test_an_unknown_region_names_the_regions_there_are() -> None:
    """Asking for a region without a table says which tables exist."""
    with pytest.raises(prices.UnknownRegion, match="us-east-1"):
        prices.load("mars-north-1")


def test_on_demand_fargate_is_not_mistaken_for_spot() -> None:
    """A usagetype suffix matches only after a region prefix, not after SpotUsage-."""
    ecs = entries("AmazonECS-eu-west-2")
    vcpu = Query("AmazonECS", {}, "Fargate-vCPU-Hours:perCPU")
    spot = Query("AmazonECS", {}, "SpotUsage-Fargate-vCPU-Hours:perCPU")
    assert usd_price(ecs, vcpu)[0] == pytest.approx(0.04656)
    assert usd_price(ecs, spot)[0] == pytest.approx(0.01407)


def test_the_first_tier_is_the_price_and_units_are_converted() -> None:
    """Tiered prices give the first tier; per-request prices become per million."""
    transfer = entries("AWSDataTransfer-us-east-1")
    out = Query("AWSDataTransfer", {"transferType": "AWS Outbound"}, "DataTransfer-Out-Bytes")
    assert usd_price(transfer, out)[0] == pytest.approx(0.09)
    api = entries("AmazonApiGateway-eu-west-2")
    http = Query("AmazonApiGateway", {}, "ApiGatewayHttpRequest", per=1e6)
    rest = Query("AmazonApiGateway", {}, "ApiGatewayRequest", per=1e6)
    assert usd_price(api, http)[0] == pytest.approx(1.11)
    assert usd_price(api, rest)[0] == pytest.approx(3.70)


def test_a_sku_missing_from_the_answer_is_an_error_naming_it() -> None:
    """No matching SKU raises PriceNotFound with the usagetype it looked for."""
    with pytest.raises(PriceNotFound, match="LCUUsage"):
        usd_price(entries("AmazonECS-eu-west-2"), Query("AWSELB", {}, "LCUUsage"))


def test_refresh_replaces_what_the_api_answers_and_keeps_the_rest() -> None:
    """Refreshed entries take the API's price, effective date and SKU; others are listed."""
    table = prices.load("eu-west-2")
    done = refresh(table, fake_price_list("eu-west-2"))
    new = done.table.prices
    assert new["alb.hour"].value == pytest.approx(0.02646)
    assert new["alb.hour"].as_of == "2026-11-01"
    assert new["alb.hour"].source.startswith("AWS Price List API: AWSELB SKU ")
    assert new["rds.postgres.db.t4g.micro.hour"].value == pytest.approx(0.018)  # not Multi-AZ
    assert done.changed["fargate_spot.x86.vcpu_hour"] == (pytest.approx(0.013968), 0.01407)
    assert "s3.get_per_1000" in done.missing
    assert new["s3.get_per_1000"] == table.prices["s3.get_per_1000"]
    assert new["fargate.x86.vcpu_hour"].unit == table.prices["fargate.x86.vcpu_hour"].unit


def test_a_saved_table_loads_back_the_same(tmp_path: Path) -> None:
    """save() then load() round-trips every entry."""
    table = prices.load("us-east-1")
    prices.save(table, tmp_path / "us-east-1.json")
    assert prices.load("us-east-1", directory=tmp_path) == table
