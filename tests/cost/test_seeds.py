"""The figures Chalkboard was founded on, reproduced by the cost model within ±10 %.

The seeds gave totals, not their assumptions. Where one is needed it is stated here, chosen
once for all the figures (not per figure), and plausible for a menu served to a TV:

- a response of 16,000 bytes (one board as JSON) sent to the internet, 500 bytes of logs
  per call (the Lambda's START/END/REPORT lines and one line of its own);
- a C++/Rust function: 128 MB for 5 ms; a Node/Python function reading DynamoDB: 128 MB
  for 50 ms and one eventually consistent read of the 16 KB board (2 read units); one
  reading S3: 1,024 MB for 200 ms (the SDK's first byte from S3 dominates) and one GET;
- the 5 M requests/day API has a Lambda behind it either way (128 MB, 50 ms), opens a new
  connection per request (the ALB's worst case), and its 10 rules are the 10 free ones.

The seeds do not say when they were priced, so they are checked against today's table.
Of the prices they use, only DynamoDB on-demand changed lately (halved in November 2024):
the DynamoDB figure matches today's price; at the old one the same call is $3.63 (+12 %).
"""

from __future__ import annotations

import pytest

from chalkboard.cost import model, prices

EAST = prices.load("us-east-1")
LONDON = prices.load("eu-west-2")
BOARD = {"response_bytes": 16_000, "log_bytes": 500}
DAY_REQUESTS = 5_000_000
MONTH_REQUESTS = DAY_REQUESTS * 730 / 24


def per_million_http_api(**call: float) -> float:
    return model.serverless_call(LONDON, api="http", **BOARD, **call) * 1e6


def test_an_alb_api_costs_60_to_90_percent_less_than_api_gateway() -> None:
    """5 M requests/day (60 RPS, 1 KB, 10 rules): ALB is 60-90 % cheaper than REST or HTTP API."""
    rps = DAY_REQUESTS / 86_400
    load = model.AlbLoad(
        new_connections=rps,
        active_connections=rps * 60,  # each short connection counts in its minute
        lambda_bytes=rps * 1024,
        requests=rps,
    )
    alb = sum(line.usd for line in model.alb_month(EAST, load, rules=10, busy_hours=24))
    function = model.lambda_calls(EAST, MONTH_REQUESTS, memory_mb=128, ms=50)
    behind_alb = alb + function
    for kind in ("http", "rest"):
        gateway = model.api_gateway_calls(EAST, MONTH_REQUESTS, kind=kind) + function
        saving = 1 - behind_alb / gateway
        assert 0.60 <= saving <= 0.90, (kind, saving)


def test_lambda_behind_http_api_with_dynamodb_is_3_24_per_million() -> None:
    """eu-west-2, HTTP API + Lambda reading DynamoDB: $3.24 per million calls."""
    assert per_million_http_api(memory_mb=128, ms=50, dynamodb_rru=2) == pytest.approx(
        3.24, rel=0.10
    )


def test_lambda_behind_http_api_with_s3_is_7_16_per_million() -> None:
    """eu-west-2, HTTP API + Lambda reading S3: $7.16 per million calls."""
    assert per_million_http_api(memory_mb=1024, ms=200, s3_gets=1) == pytest.approx(7.16, rel=0.10)


def test_a_5_ms_native_function_behind_http_api_is_3_09_per_million() -> None:
    """eu-west-2, HTTP API + a 5 ms C++/Rust Lambda: $3.09 per million calls."""
    assert per_million_http_api(memory_mb=128, ms=5) == pytest.approx(3.09, rel=0.10)


def test_a_quarter_vcpu_fargate_spot_task_is_3_11_a_month() -> None:
    """eu-west-2, Fargate Spot 0.25 vCPU / 0.5 GB: $3.11 a month."""
    month = model.fargate_task_month(LONDON, vcpu=0.25, memory_gb=0.5, spot=True)
    assert month == pytest.approx(3.11, rel=0.10)


def test_an_idle_alb_is_19_32_a_month() -> None:
    """eu-west-2, one ALB with no traffic: $19.32 a month."""
    idle = model.alb_month(LONDON, model.AlbLoad(), rules=3, busy_hours=24)
    assert sum(line.usd for line in idle) == pytest.approx(19.32, rel=0.10)
