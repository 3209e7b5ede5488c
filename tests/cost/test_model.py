"""The bill: its lines follow the workload and the deployment, and the designs compare."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from chalkboard.cost import model, prices
from chalkboard.cost.deployment import (
    INFRA_DIR,
    Deployment,
    DeploymentError,
    from_terraform,
    variable_defaults,
)
from chalkboard.cost.model import Design, bill
from chalkboard.cost.workload import ProfileError, Workload, load_profile, parse_profile

EAST = prices.load("us-east-1")


def lines(b: model.Bill) -> dict[str, float]:
    return {line.item: line.usd for line in b.lines}


def small() -> Workload:
    return load_profile("small")[0]


def test_deployment_defaults_are_the_terraform_defaults() -> None:
    """Deployment() equals what infra/variables.tf declares, so the two cannot drift."""
    assert from_terraform(INFRA_DIR) == Deployment()
    defaults = variable_defaults(INFRA_DIR)
    for field in dataclasses.fields(Deployment):
        if field.name in defaults and field.name != "existing_vpc":
            assert getattr(Deployment(), field.name) == defaults[field.name], field.name


def test_tfvars_override_the_variables(tmp_path: Path) -> None:
    """A tfvars file's region, task size, Multi-AZ and NAT choice reach the deployment."""
    tfvars = tmp_path / "prod.tfvars"
    tfvars.write_text(
        'region = "eu-west-2"\ntask_cpu = 1024\ntask_memory = 2048\n'
        "db_multi_az = true\nsingle_nat_gateway = false\n"
        'domain_name = "taps.example.com"\n'
    )
    d = from_terraform(INFRA_DIR, tfvars)
    assert (d.region, d.vcpu, d.memory_gb, d.db_multi_az, d.nat_gateways) == (
        "eu-west-2",
        1,
        2,
        True,
        2,
    )


def test_a_tfvars_value_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    """task_cpu = "lots" is refused with the variable's name."""
    tfvars = tmp_path / "bad.tfvars"
    tfvars.write_text('task_cpu = "lots"\n')
    with pytest.raises(DeploymentError, match="task_cpu"):
        from_terraform(INFRA_DIR, tfvars)


def test_a_profile_with_a_typo_or_a_bad_value_is_refused_clearly() -> None:
    """Unknown fields and negative counts name the field."""
    with pytest.raises(ProfileError, match="tv_count"):
        parse_profile("venues = 1\ntvs = 1\nedits_per_day = 1\ntv_count = 3\n", source="x")
    with pytest.raises(ProfileError, match="tvs"):
        parse_profile("venues = 1\ntvs = -1\nedits_per_day = 1\n", source="x")


def test_the_small_profile_matches_the_old_hand_estimate() -> None:
    """20 venues and 40 TVs on the defaults cost within 10 % of docs/deploy.md's $102."""
    b = bill(small(), Deployment(), EAST)
    assert b.total == pytest.approx(102, rel=0.10)
    assert lines(b)["ALB"] == pytest.approx(0.0225 * 730)
    assert lines(b)["NAT gateway"] == pytest.approx(0.045 * 730, rel=0.02)
    assert b.per_venue == pytest.approx(b.total / 20)
    assert b.per_tv == pytest.approx(b.total / 40)


def test_multi_az_doubles_the_database_and_a_second_nat_adds_its_hours() -> None:
    """db_multi_az doubles the RDS line; single_nat_gateway = false adds a NAT and an IP."""
    base = lines(bill(small(), Deployment(), EAST))
    ha = lines(bill(small(), Deployment(db_multi_az=True, single_nat_gateway=False), EAST))
    assert ha["RDS PostgreSQL"] == pytest.approx(2 * base["RDS PostgreSQL"])
    assert ha["NAT gateway"] - base["NAT gateway"] == pytest.approx(0.045 * 730, rel=0.01)
    assert ha["Public IPv4 addresses"] - base["Public IPv4 addresses"] == pytest.approx(3.65)


def test_tv_sockets_are_billed_as_alb_active_connections() -> None:
    """150,000 TVs held open are 50 LCUs of active connections while venues are open."""
    w = small().scaled_to(150_000)
    lcus = dict(
        model.alb_lcus(
            EAST, model.AlbLoad(active_connections=150_000), rules=Deployment().alb_rules
        )
    )
    assert lcus["active connections"] == pytest.approx(50)
    usage = next(
        line.usage for line in bill(w, Deployment(), EAST).lines if line.item == "ALB LCUs"
    )
    assert "(active connections)" in usage


def test_more_tvs_need_more_tasks() -> None:
    """Past 10,000 TVs per 0.5 vCPU the bill adds Fargate tasks while venues are open."""
    few = lines(bill(small(), Deployment(), EAST))
    many = lines(bill(small().scaled_to(60_000), Deployment(), EAST))
    assert many["Fargate Spot"] > 2.5 * few["Fargate Spot"]
    assert many["Fargate (on-demand)"] == pytest.approx(few["Fargate (on-demand)"])


def test_polling_costs_more_than_sockets_and_rest_costs_most() -> None:
    """At 3,000 TVs every polling design costs more than Chalkboard; REST + Lambda most."""
    w, overrides = load_profile("medium")
    d = Deployment().with_overrides(overrides, source="medium")
    totals = {b.design: b.total for b in model.compare(w, d, EAST)}
    ours = totals[Design.CHALKBOARD]
    polling = [Design.POLL_APP_ALB, Design.POLL_ALB_LAMBDA, Design.POLL_HTTP_API]
    assert all(totals[design] > ours for design in polling)
    assert totals[Design.POLL_REST_API] == max(totals.values())


def test_cloudfront_free_tier_and_flat_rate_plans() -> None:
    """Under 1 TB and 10 M requests CloudFront is free; a Pro plan wins when it covers all."""
    assert model.cloudfront_month(EAST, gb=900, requests=9e6)[0] == 0
    usd, how = model.cloudfront_month(EAST, gb=5_000, requests=9.5e6)
    assert usd == 15
    assert "Pro" in how
    payg, how = model.cloudfront_month(EAST, gb=5_000, requests=900e6)
    assert how == "pay-as-you-go"
    assert payg == pytest.approx((5_000 - 1024) * 0.085 + (890e6 / 1e4) * 0.01)


def test_images_from_s3_pay_transfer_instead_of_cloudfront() -> None:
    """Without the CDN, image bytes become data transfer out and every image is an S3 GET."""
    w = small().scaled_to(3_000)
    cdn = lines(bill(w, Deployment(), EAST))
    direct = lines(bill(w, Deployment(), EAST, Design.IMAGES_FROM_S3))
    assert "CloudFront" not in direct
    assert direct["Data transfer out"] > cdn["Data transfer out"]
    assert direct["S3"] > cdn["S3"]


def test_public_pages_through_the_cdn_leave_the_alb() -> None:
    """With embeds via CloudFront, only the misses reach the ALB and its transfer shrinks."""
    w = load_profile("large")[0]
    alb = bill(w, Deployment(), EAST)
    cdn = bill(w, Deployment(public_pages_via_cdn=True), EAST)
    assert lines(cdn)["Data transfer out"] < lines(alb)["Data transfer out"]
    assert lines(cdn)["CloudWatch Logs"] < lines(alb)["CloudWatch Logs"]


def test_the_chart_curve_grows_with_tvs_for_every_design() -> None:
    """Each design's monthly total rises from 10 to 200,000 TVs."""
    curves = model.curve(small(), Deployment(), EAST, [10, 1_000, 200_000])
    assert set(curves) == set(Design)
    for totals in curves.values():
        assert totals == sorted(totals)
        assert totals[-1] > 10 * totals[0]
