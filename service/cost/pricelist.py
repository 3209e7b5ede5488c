"""Refresh the price table from the AWS Price List API (boto3 `pricing`).

`get_products` answers pages of `PriceList` entries, each a JSON *string* holding one SKU:
its `product.attributes` (usagetype, instanceType, location, ...) and `terms.OnDemand`,
whose `priceDimensions` carry `pricePerUnit.USD` per tier (`beginRange`/`endRange`). Each
table entry we can refresh has a `Query` saying which product and which tier is its price.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from chalkboard.cost.prices import Price, PriceTable

# Where the Price List API is served (it answers for every region).
PRICING_ENDPOINT_REGION = "us-east-1"
REGION_PREFIX = re.compile(r"([A-Z]{2,4}[0-9]*-)?")


@dataclass(frozen=True)
class Query:
    """Which SKU and which tier of it is one entry of the table."""

    service: str
    filters: dict[str, str]  # exact attribute matches sent to the API (TERM_MATCH)
    usagetype_suffix: str  # usagetypes carry a region prefix (EUW2-...); us-east-1 has none
    per: float = 1.0  # the API's price is per unit; the table's may be per million
    begin_range: str = "0"  # the tier the table quotes
    regional: bool = True  # filter on regionCode (CloudFront is priced by edge location)


def _queries(region: str) -> dict[str, Query]:
    edge = "Europe" if region.startswith("eu-") else "United States"
    q: dict[str, Query] = {
        "alb.hour": Query(
            "AWSELB", {"productFamily": "Load Balancer-Application"}, "LoadBalancerUsage"
        ),
        "alb.lcu_hour": Query("AWSELB", {"productFamily": "Load Balancer-Application"}, "LCUUsage"),
        "fargate.x86.vcpu_hour": Query("AmazonECS", {}, "Fargate-vCPU-Hours:perCPU"),
        "fargate.x86.gb_hour": Query("AmazonECS", {}, "Fargate-GB-Hours"),
        "fargate.arm.vcpu_hour": Query("AmazonECS", {}, "Fargate-ARM-vCPU-Hours:perCPU"),
        "fargate.arm.gb_hour": Query("AmazonECS", {}, "Fargate-ARM-GB-Hours"),
        "fargate_spot.x86.vcpu_hour": Query("AmazonECS", {}, "SpotUsage-Fargate-vCPU-Hours:perCPU"),
        "fargate_spot.x86.gb_hour": Query("AmazonECS", {}, "SpotUsage-Fargate-GB-Hours"),
        "rds.gp3.gb_month": Query(
            "AmazonRDS",
            {"volumeApiName": "gp3", "deploymentOption": "Single-AZ"},
            "RDS:GP3-Storage",
        ),
        "s3.standard.gb_month": Query(
            "AmazonS3", {"volumeType": "Standard"}, "TimedStorage-ByteHrs"
        ),
        "s3.put_per_1000": Query("AmazonS3", {}, "Requests-Tier1", per=1000),
        "s3.get_per_1000": Query("AmazonS3", {}, "Requests-Tier2", per=1000),
        "cloudfront.out.gb": Query(
            "AmazonCloudFront",
            {"fromLocation": edge, "transferType": "CloudFront Outbound"},
            "DataTransfer-Out-Bytes",
            regional=False,
        ),
        "cloudfront.https_per_10000": Query(
            "AmazonCloudFront",
            {"location": edge},
            "Requests-Tier2-HTTPS",
            per=10_000,
            regional=False,
        ),
        "nat.hour": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Hours"),
        "nat.gb": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Bytes"),
        "ipv4.hour": Query("AmazonVPC", {}, "PublicIPv4:InUseAddress"),
        "logs.ingest.gb": Query("AmazonCloudWatch", {}, "DataProcessing-Bytes"),
        "logs.storage.gb_month": Query("AmazonCloudWatch", {}, "TimedStorage-ByteHrs"),
        "dto.internet.gb": Query(
            "AWSDataTransfer", {"transferType": "AWS Outbound"}, "DataTransfer-Out-Bytes"
        ),
        "apigw.rest.million": Query("AmazonApiGateway", {}, "ApiGatewayRequest", per=1e6),
        "apigw.http.million": Query("AmazonApiGateway", {}, "ApiGatewayHttpRequest", per=1e6),
        "apigw.ws.million_messages": Query("AmazonApiGateway", {}, "ApiGatewayMessage", per=1e6),
        "apigw.ws.million_connection_minutes": Query(
            "AmazonApiGateway", {}, "ApiGatewayMinute", per=1e6
        ),
        "lambda.million_requests": Query(
            "AWSLambda", {"group": "AWS-Lambda-Requests"}, "Request", per=1e6
        ),
        "lambda.x86.gb_second": Query(
            "AWSLambda", {"group": "AWS-Lambda-Duration"}, "Lambda-GB-Second"
        ),
        "lambda.arm.gb_second": Query(
            "AWSLambda", {"group": "AWS-Lambda-Duration-ARM"}, "Lambda-GB-Second-ARM"
        ),
        "dynamodb.million_rru": Query("AmazonDynamoDB", {}, "ReadRequestUnits", per=1e6),
        "dynamodb.million_wru": Query("AmazonDynamoDB", {}, "WriteRequestUnits", per=1e6),
        "dynamodb.gb_month": Query("AmazonDynamoDB", {}, "TimedStorage-ByteHrs"),
    }
    for instance in ("micro", "small", "medium", "large"):
        q[f"rds.postgres.db.t4g.{instance}.hour"] = _rds(f"db.t4g.{instance}")
    for klass in ("db.m7g.large", "db.m7g.xlarge", "db.r7g.large"):
        q[f"rds.postgres.{klass}.hour"] = _rds(klass)
    return q


def _rds(instance_type: str) -> Query:
    return Query(
        "AmazonRDS",
        {
            "instanceType": instance_type,
            "databaseEngine": "PostgreSQL",
            "deploymentOption": "Single-AZ",
        },
        "InstanceUsage:" + instance_type,
    )


class PriceNotFound(LookupError):
    """The Price List answer held no SKU (or no tier) matching a query."""


def usd_price(entries: Iterable[str | dict[str, Any]], query: Query) -> tuple[float, str, str]:
    """(price in the table's unit, effective date, SKU) for `query` in `get_products` entries."""
    for raw in entries:
        entry = json.loads(raw) if isinstance(raw, str) else raw
        product = entry["product"]
        # The API filters on productFamily as on any attribute.
        attributes = {
            **product.get("attributes", {}),
            "productFamily": product.get("productFamily"),
        }
        if not attributes.get("usagetype", "").endswith(query.usagetype_suffix):
            continue
        # A suffix also matches a longer usagetype (SpotUsage-Fargate-… ends like
        # Fargate-…); only a region prefix (EUW2-, USE1-, EU-) may come before it.
        if not REGION_PREFIX.fullmatch(attributes["usagetype"][: -len(query.usagetype_suffix)]):
            continue
        if any(attributes.get(k) != v for k, v in query.filters.items()):
            continue
        for term in entry["terms"].get("OnDemand", {}).values():
            for dimension in term["priceDimensions"].values():
                if dimension.get("beginRange", "0") != query.begin_range:
                    continue
                usd = float(dimension["pricePerUnit"]["USD"])
                effective = term.get("effectiveDate", "")[:10]
                return usd * query.per, effective, product["sku"]
    raise PriceNotFound(f"no {query.service} price for usagetype *{query.usagetype_suffix}")


Fetch = Callable[[Query], list[str]]


def boto3_fetch(region: str) -> Fetch:
    """`get_products` for a query, all pages, through a real boto3 client."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    client = boto3.client(
        "pricing",
        region_name=PRICING_ENDPOINT_REGION,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 5}),
    )

    def fetch(query: Query) -> list[str]:
        filters = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in query.filters.items()]
        if query.regional:
            filters.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
        pages = client.get_paginator("get_products").paginate(
            ServiceCode=query.service, Filters=filters, FormatVersion="aws_v1"
        )
        return [entry for page in pages for entry in page["PriceList"]]

    return fetch


def credentials_problem() -> str | None:
    """Why boto3 cannot sign a Price List call, or None when it can."""
    import boto3
    from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped]

    try:
        found = boto3.Session().get_credentials()
    except BotoCoreError as exc:
        return str(exc)
    return None if found is not None else "no AWS credentials"


@dataclass(frozen=True)
class Refreshed:
    table: PriceTable
    changed: dict[str, tuple[float, float]]  # key → (old, new)
    missing: dict[str, str]  # key → why it kept its old value


def refresh(table: PriceTable, fetch: Fetch) -> Refreshed:
    """The table with every entry the Price List answers for replaced by the API's price."""
    prices = dict(table.prices)
    changed: dict[str, tuple[float, float]] = {}
    missing: dict[str, str] = {}
    cache: dict[tuple[str, tuple[tuple[str, str], ...], bool], list[str]] = {}
    for key, query in _queries(table.region).items():
        if key not in prices:
            continue
        cache_key = (query.service, tuple(sorted(query.filters.items())), query.regional)
        try:
            if cache_key not in cache:
                cache[cache_key] = fetch(query)
            value, effective, sku = usd_price(cache[cache_key], query)
        except PriceNotFound as exc:
            missing[key] = str(exc)
            continue
        old = prices[key]
        if abs(old.value - value) > 1e-12:
            changed[key] = (old.value, value)
        prices[key] = Price(
            value=round(value, 10),
            unit=old.unit,
            as_of=effective or old.as_of,
            source=f"AWS Price List API: {query.service} SKU {sku}",
            note=old.note,
        )
    return Refreshed(replace(table, prices=prices), changed, missing)


async def refresh_from_aws(table: PriceTable) -> Refreshed:
    """`refresh` against the real API, off the event loop (boto3 blocks)."""
    return await asyncio.to_thread(refresh, table, boto3_fetch(table.region))
