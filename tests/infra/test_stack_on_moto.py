"""Applies the whole stack against moto's server mode, then inspects it through boto3.

moto's application-autoscaling and budgets lack the tagging APIs the provider calls, so the
stack is applied with enable_autoscaling=false and no budget (both are checked in a plan);
everything else is created as in a real account.
Where moto keeps less than AWS would (an ECS service's capacity provider strategy and
deployment settings, a CloudFront origin's access control), the tests read the request moto
received, from its request recorder.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from tests.infra.terraform_runner import Terraform, unavailable

pytestmark = pytest.mark.slow

REGION = "us-east-1"
DOMAIN = "taps.example.test"
IMAGE_TAG = "0123456789ab"
ENDPOINT_SERVICES = (
    "acm",
    "applicationautoscaling",
    "cloudfront",
    "cloudwatch",
    "cloudwatchlogs",
    "ec2",
    "ecr",
    "ecs",
    "elbv2",
    "iam",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "ssm",
    "sts",
)
MOTO_STARTUP_SECONDS = 30
APPLY_TIMEOUT_SECONDS = 900

AwsClient = Callable[[str], Any]


@dataclass(frozen=True)
class Moto:
    url: str
    recording: Path

    def _entries(self) -> Iterator[tuple[dict[str, Any], bytes]]:
        # moto's recorder writes each entry and its newline separately, from the server's
        # request threads: two requests at once can land as two entries on one line.
        decoder = json.JSONDecoder()
        for line in self.recording.read_text().splitlines():
            at = 0
            while at < len(line):
                entry, at = decoder.raw_decode(line, at)
                body = entry["body"] or ""
                yield entry, base64.b64decode(body) if entry["body_encoded"] else body.encode()

    def json_requests(self, target: str) -> list[dict[str, Any]]:
        """Bodies of the recorded JSON API calls with this X-Amz-Target (e.g. an ECS action)."""
        return [
            json.loads(body)
            for entry, body in self._entries()
            if entry["headers"].get("X-Amz-Target") == target
        ]

    def xml_requests(self, method: str, path: str) -> list[ElementTree.Element]:
        """Bodies of the recorded REST API calls to this method and path (e.g. CloudFront's)."""
        return [
            ElementTree.fromstring(body)
            for entry, body in self._entries()
            if entry["method"] == method and urlsplit(entry["url"]).path == path
        ]


@dataclass(frozen=True)
class Stack:
    workdir: Path
    outputs: dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + MOTO_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto_server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"moto_server did not answer within {MOTO_STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    if importlib.util.find_spec("moto.server") is None or importlib.util.find_spec("boto3") is None:
        unavailable("moto[server] and boto3 are not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("moto")
    log = workdir / "moto.log"
    recording = workdir / "recording.jsonl"
    env = os.environ | {"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": str(recording)}
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Moto(url=url, recording=recording)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def aws(moto: Moto) -> AwsClient:
    import boto3
    from botocore.config import Config

    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    config = Config(s3={"addressing_style": "path"})
    return lambda service: session.client(service, endpoint_url=moto.url, config=config)


def moto_provider_override(moto_url: str) -> dict[str, Any]:
    """A Terraform override file that points the aws provider at moto with dummy credentials."""
    return {
        "provider": {
            "aws": {
                "region": REGION,
                "access_key": "test",
                "secret_key": "test",
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "s3_use_path_style": True,
                "endpoints": [{service: moto_url for service in ENDPOINT_SERVICES}],
            }
        }
    }


def prepare_workdir(
    terraform: Terraform, moto: Moto, aws: AwsClient, dest: Path, **variables: Any
) -> Path:
    workdir = terraform.copy_config(dest)
    (workdir / "moto_override.tf.json").write_text(json.dumps(moto_provider_override(moto.url)))
    certificate = aws("acm").request_certificate(DomainName=DOMAIN)["CertificateArn"]
    tfvars = {
        "domain_name": DOMAIN,
        "certificate_arn": certificate,
        "enable_autoscaling": False,
        "monthly_budget_usd": None,
        "db_deletion_protection": False,
        "db_skip_final_snapshot": True,
        "secret_recovery_window_days": 0,
        **variables,
    }
    (workdir / "test.auto.tfvars.json").write_text(json.dumps(tfvars))
    terraform.run("init", cwd=workdir)
    return workdir


@pytest.fixture(scope="module")
def stack(
    terraform: Terraform, moto: Moto, aws: AwsClient, tmp_path_factory: pytest.TempPathFactory
) -> Stack:
    workdir = prepare_workdir(terraform, moto, aws, tmp_path_factory.mktemp("stack"))
    # The tag is passed as deploy.sh passes it, not in tfvars, so a later plain plan must
    # find it in SSM.
    terraform.run(
        "apply",
        f"-var=image_tag={IMAGE_TAG}",
        "-auto-approve",
        cwd=workdir,
        timeout=APPLY_TIMEOUT_SECONDS,
    )
    outputs = json.loads(terraform.run("output", "-json", cwd=workdir).stdout)
    return Stack(workdir=workdir, outputs={name: out["value"] for name, out in outputs.items()})


@pytest.fixture(scope="module")
def service(stack: Stack, aws: AwsClient) -> dict[str, Any]:
    described = aws("ecs").describe_services(
        cluster=stack.outputs["cluster_name"], services=[stack.outputs["service_name"]]
    )
    return described["services"][0]


@pytest.fixture(scope="module")
def distribution(stack: Stack, aws: AwsClient) -> dict[str, Any]:
    cdn_host = urlsplit(stack.outputs["cdn_url"]).hostname
    summaries = aws("cloudfront").list_distributions()["DistributionList"]["Items"]
    (summary,) = [d for d in summaries if d["DomainName"] == cdn_host]
    return summary


def test_service_runs_on_fargate_spot_above_an_on_demand_base(
    service: dict[str, Any], stack: Stack, aws: AwsClient, moto: Moto
) -> None:
    """The service keeps one task on on-demand Fargate, a quarter of the rest too, the other
    three quarters on Spot, and rolls back."""
    (cluster,) = aws("ecs").describe_clusters(clusters=[stack.outputs["cluster_name"]])["clusters"]
    assert set(cluster["capacityProviders"]) == {"FARGATE", "FARGATE_SPOT"}
    assert service["serviceName"] == "chalkboard"

    (created,) = moto.json_requests("AmazonEC2ContainerServiceV20141113.CreateService")
    strategy = {s["capacityProvider"]: s for s in created["capacityProviderStrategy"]}
    assert strategy["FARGATE_SPOT"]["weight"] == 75
    assert strategy["FARGATE"]["base"] == 1
    assert strategy["FARGATE"]["weight"] == 25
    assert "launchType" not in created
    breaker = created["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert breaker == {"enable": True, "rollback": True}


def test_task_definition_follows_the_app_contract(
    service: dict[str, Any], stack: Stack, aws: AwsClient
) -> None:
    """The container has stopTimeout 120, keep-alive past the ALB, its settings (a budgeted
    pool) and secrets, and a health check of the process itself."""
    task_definition = aws("ecs").describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"
    ]
    (container,) = task_definition["containerDefinitions"]

    assert container["image"] == f"{stack.outputs['ecr_repository_url']}:{IMAGE_TAG}"
    assert container["stopTimeout"] == 120
    assert container["portMappings"][0]["containerPort"] == 8000
    env = {item["name"]: item["value"] for item in container["environment"]}
    assert env == {
        "CHALKBOARD_ENV": "production",
        "PORT": "8000",
        "PUBLIC_BASE_URL": f"https://{DOMAIN}",
        "CDN_BASE_URL": stack.outputs["cdn_url"],
        "EMBED_BASE_URL": stack.outputs["cdn_url"],  # embeds and the phone page via the CDN
        "TRUSTED_PROXIES": "10.40.0.0/16",
        "KEEPALIVE_SECONDS": "305",
        "SHUTDOWN_DRAIN_SECONDS": "60",
        "S3_BUCKET": stack.outputs["media_bucket"],
        "S3_REGION": REGION,
        "LOG_LEVEL": "info",
        "DB_POOL_MAX": "4",
        "DB_LIVE_POOL_MAX": "2",
        "SERVICE_NAME": "chalkboard",
        "MAIL_BACKEND": "log",  # no verified sender given: mails are only logged
    }
    check = container["healthCheck"]
    assert check["command"][0] == "CMD"
    assert "/healthz" in check["command"][-1]
    assert (check["interval"], check["retries"]) == (15, 3)
    assert {item["name"] for item in container["secrets"]} == {"DATABASE_URL", "SECRET_KEY"}
    assert (
        container["logConfiguration"]["options"]["awslogs-group"]
        == (stack.outputs["log_group_name"])
    )


def test_alb_checks_readyz_drains_within_spot_warning_and_redirects_http(
    stack: Stack, aws: AwsClient
) -> None:
    """Targets are checked on /readyz (the task's own state) and drain in 90 s; the ALB idles
    300 s, redirects HTTP, and answers /metrics and /statusz itself with a 404."""
    elbv2 = aws("elbv2")
    (balancer,) = [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["DNSName"] == stack.outputs["alb_dns_name"]
    ]
    (group,) = elbv2.describe_target_groups(LoadBalancerArn=balancer["LoadBalancerArn"])[
        "TargetGroups"
    ]
    assert group["HealthCheckPath"] == "/readyz"
    assert (group["TargetType"], group["Port"]) == ("ip", 8000)
    group_attributes = elbv2.describe_target_group_attributes(
        TargetGroupArn=group["TargetGroupArn"]
    )["Attributes"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "90"} in group_attributes

    balancer_attributes = elbv2.describe_load_balancer_attributes(
        LoadBalancerArn=balancer["LoadBalancerArn"]
    )["Attributes"]
    assert {"Key": "idle_timeout.timeout_seconds", "Value": "300"} in balancer_attributes

    listeners = {
        listener["Port"]: listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])[
            "Listeners"
        ]
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"

    rules = elbv2.describe_rules(ListenerArn=listeners[443]["ListenerArn"])["Rules"]
    (blocked,) = [r for r in rules if r["Priority"] == "1"]
    (condition,) = blocked["Conditions"]
    paths = condition.get("Values") or condition["PathPatternConfig"]["Values"]
    assert {"/metrics", "/statusz"} <= set(paths)
    (action,) = blocked["Actions"]
    assert action["Type"] == "fixed-response"
    assert action["FixedResponseConfig"]["StatusCode"] == "404"


def test_media_bucket_is_private_encrypted_and_readable_only_by_the_cdn(
    stack: Stack, aws: AwsClient, distribution: dict[str, Any]
) -> None:
    """The media bucket blocks public access, is encrypted, and only the CDN may read it."""
    s3 = aws("s3")
    bucket = stack.outputs["media_bucket"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    # The task role may delete: versioning keeps deletions recoverable for 30 days.
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    (expiry,) = [r for r in lifecycle if "NoncurrentVersionExpiration" in r]
    assert expiry["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30

    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "CloudFrontReadsThroughOAC",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution["ARN"]}},
        }
    ]


def test_cdn_reads_media_through_oac_and_app_paths_from_the_alb(
    stack: Stack, aws: AwsClient, moto: Moto, distribution: dict[str, Any]
) -> None:
    """CloudFront reads media through OAC, and the app's public paths from the app, the live
    stream uncached and matched before the embed pages."""
    access_controls = aws("cloudfront").list_origin_access_controls()["OriginAccessControlList"]
    (oac,) = [c for c in access_controls["Items"] if c["Name"] == "chalkboard-media"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")

    origins = {origin["Id"]: origin for origin in distribution["Origins"]["Items"]}
    assert origins["media"]["DomainName"].startswith(f"{stack.outputs['media_bucket']}.s3.")
    assert origins["app"]["DomainName"] == DOMAIN
    assert origins["app"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    (created,) = moto.xml_requests("POST", "/2020-05-31/distribution")
    ns = {"cf": created.tag.partition("}")[0][1:]}
    media_origin_oac = created.findtext(
        ".//cf:Origin[cf:Id='media']/cf:OriginAccessControlId", namespaces=ns
    )
    assert media_origin_oac == oac["Id"]

    assert distribution["DefaultCacheBehavior"]["TargetOriginId"] == "media"
    ordered = distribution["CacheBehaviors"]["Items"]
    assert [b["PathPattern"] for b in ordered] == [
        "/embed/*/live",
        "/embed*",
        "/m/*",
        "/api/v1/public/*",
        "/static/*",
        "/tv*",
    ]
    behaviors = {b["PathPattern"]: b for b in ordered}
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert behaviors["/embed/*/live"]["CachePolicyId"] == caching_disabled
    for path in ("/embed*", "/m/*", "/api/v1/public/*"):  # vary by query string, follow max-age
        assert behaviors[path]["CachePolicyId"] == "4cc15a8a-d715-48a4-82b8-cc0b614638fe"
    for behavior in behaviors.values():
        assert behavior["TargetOriginId"] == "app"
        assert behavior["Compress"] is True
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert distribution["PriceClass"] == "PriceClass_100"


def test_database_is_private_and_reached_through_the_secret(stack: Stack, aws: AwsClient) -> None:
    """RDS is private and encrypted, DATABASE_URL names it over TLS, the state holds no secret."""
    (db,) = aws("rds").describe_db_instances(DBInstanceIdentifier="chalkboard")["DBInstances"]
    assert db["Engine"] == "postgres"
    assert db["EngineVersion"].split(".")[0] == "16"
    assert db["StorageEncrypted"] is True
    assert db["PubliclyAccessible"] is False

    secrets = aws("secretsmanager")
    url = urlsplit(secrets.get_secret_value(SecretId="chalkboard/database-url")["SecretString"])
    assert (url.scheme, url.username, url.hostname, url.port, url.path) == (
        "postgresql",
        "chalkboard",
        db["Endpoint"]["Address"],
        5432,
        "/chalkboard",
    )
    assert parse_qs(url.query) == {"sslmode": ["require"]}
    secret_key = secrets.get_secret_value(SecretId="chalkboard/secret-key")["SecretString"]
    assert len(url.password or "") == 40
    assert len(secret_key) == 64

    state = (stack.workdir / "terraform.tfstate").read_text()
    assert url.password not in state
    assert secret_key not in state


def test_database_ends_idle_transactions_logs_slow_queries_and_keeps_bar_hours_free(
    stack: Stack, aws: AwsClient
) -> None:
    """RDS runs with a parameter group that ends sessions idle in a transaction after 60 s
    and logs statements over 500 ms, and its maintenance falls outside bar hours."""
    rds = aws("rds")
    (db,) = rds.describe_db_instances(DBInstanceIdentifier="chalkboard")["DBInstances"]
    (group,) = db["DBParameterGroups"]
    assert group["DBParameterGroupName"] == "chalkboard"
    parameters = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in rds.describe_db_parameters(DBParameterGroupName="chalkboard")["Parameters"]
    }
    assert parameters["idle_in_transaction_session_timeout"] == "60000"
    assert parameters["log_min_duration_statement"] == "500"
    assert db["PreferredMaintenanceWindow"].lower() == "mon:09:00-mon:09:30"


def test_alarms_cover_what_the_load_balancer_must_not_act_on(stack: Stack, aws: AwsClient) -> None:
    """Alarms (to one SNS topic) watch ALB 5xx, unhealthy targets, the database as each task
    sees it, RDS CPU, connections and storage, and task memory."""
    alarms = {
        a["AlarmName"]: a
        for a in aws("cloudwatch").describe_alarms(AlarmNamePrefix="chalkboard-")["MetricAlarms"]
    }
    assert set(alarms) >= {
        f"chalkboard-{name}"
        for name in (
            "alb-target-5xx",
            "alb-5xx",
            "unhealthy-targets",
            "database-down",
            "listener-down",
            "database-cpu",
            "database-connections",
            "database-storage",
            "task-memory",
        )
    }
    (topic,) = [
        t["TopicArn"]
        for t in aws("sns").list_topics()["Topics"]
        if t["TopicArn"].endswith(":chalkboard-alarms")
    ]
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms.values())
    down = alarms["chalkboard-database-down"]
    assert (down["Namespace"], down["MetricName"]) == ("Chalkboard", "DatabaseUp")
    assert down["Dimensions"] == [{"Name": "Service", "Value": "chalkboard"}]


def test_autoscaling_tracks_tvs_per_task_and_a_monthly_budget_watches_the_bill(
    stack: Stack, terraform: Terraform
) -> None:
    """With autoscaling on, the service tracks the app's TVs per task (Chalkboard/TvSockets,
    Average by Service) and CPU and memory; no policy watches ALB requests. A monthly budget
    (150 USD by default) mails the alarm address at 80 % actual and 100 % forecast. A verified
    mail sender switches the app's mail to SES and lets the task role send."""
    terraform.run(
        "plan",
        "-var=enable_autoscaling=true",
        "-var=monthly_budget_usd=150",
        "-var=alarm_email=ops@example.test",
        "-var=mail_from=Chalkboard <noreply@taps.example.test>",
        "-out=scaling.tfplan",
        cwd=stack.workdir,
    )
    plan = json.loads(terraform.run("show", "-json", "scaling.tfplan", cwd=stack.workdir).stdout)
    (budget,) = [
        c["change"]["after"] for c in plan["resource_changes"] if c["type"] == "aws_budgets_budget"
    ]
    assert (budget["limit_amount"], budget["time_unit"]) == ("150", "MONTHLY")
    notices = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
    assert notices == {("ACTUAL", 80), ("FORECASTED", 100)}

    # With a verified sender, mail goes out through SES, which the task role may call.
    changes = {c["address"]: c["change"]["after"] for c in plan["resource_changes"]}
    (container,) = json.loads(changes["aws_ecs_task_definition.app[0]"]["container_definitions"])
    env = {item["name"]: item["value"] for item in container["environment"]}
    assert (env["MAIL_BACKEND"], env["MAIL_FROM"]) == (
        "ses",
        "Chalkboard <noreply@taps.example.test>",
    )
    assert "ses:SendEmail" in changes["aws_iam_role_policy.task_mail[0]"]["policy"]
    policies = {
        c["name"]: c["change"]["after"]["target_tracking_scaling_policy_configuration"][0]
        for c in plan["resource_changes"]
        if c["type"] == "aws_appautoscaling_policy"
    }
    assert set(policies) == {"tvs", "cpu", "memory"}
    (metric,) = policies["tvs"]["customized_metric_specification"]
    assert (metric["namespace"], metric["metric_name"], metric["statistic"]) == (
        "Chalkboard",
        "TvSockets",
        "Average",
    )
    assert metric["dimensions"] == [{"name": "Service", "value": "chalkboard"}]
    assert policies["tvs"]["target_value"] == 5000


def test_a_plan_whose_connections_cannot_fit_the_database_fails(
    stack: Stack, terraform: Terraform
) -> None:
    """Terraform refuses a pool size and task count whose connections (times two during a
    deploy) exceed the database instance's max_connections, and says what to change."""
    refused = terraform.run(
        "plan", "-var=max_count=20", "-var=db_pool_max=10", cwd=stack.workdir, ok_codes=(1,)
    )
    said = " ".join(refused.stderr.split())
    assert "database connections" in said
    assert "db.t4g.micro" in said


def test_migrate_task_output_is_a_valid_run_task_request(
    stack: Stack, service: dict[str, Any], aws: AwsClient
) -> None:
    """migrate_task is a RunTask request: `chalkboard migrate`, newest revision, on-demand."""
    request = stack.outputs["migrate_task"]
    newest = aws("ecs").describe_task_definition(taskDefinition=request["taskDefinition"])
    assert newest["taskDefinition"]["taskDefinitionArn"] == service["taskDefinition"]
    assert request["launchType"] == "FARGATE"
    assert request["overrides"]["containerOverrides"] == [
        {"name": "app", "command": ["chalkboard", "migrate"]}
    ]
    from botocore.validate import validate_parameters

    # The CLI's --cli-input-json takes exactly the API's RunTask shape.
    run_task = aws("ecs").meta.service_model.operation_model("RunTask")
    validate_parameters(request, run_task.input_shape)

    command = stack.outputs["migrate_command"]
    assert command.startswith("aws ecs run-task ")
    assert json.loads(command.split("'")[1]) == request


def test_plain_plan_keeps_the_deployed_image(stack: Stack, terraform: Terraform) -> None:
    """A plan without image_tag keeps the deployed image (its tag is read back from SSM)."""
    terraform.run("plan", "-out=plain.tfplan", cwd=stack.workdir)
    plan = json.loads(terraform.run("show", "-json", "plain.tfplan", cwd=stack.workdir).stdout)
    actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    assert actions["aws_ecs_task_definition.app[0]"] == ["no-op"]
    assert actions["aws_ssm_parameter.deployed_image_tag[0]"] == ["no-op"]
    assert plan["output_changes"]["image_tag"]["after"] == IMAGE_TAG


def test_existing_vpc_is_used_instead_of_a_new_one(
    terraform: Terraform, moto: Moto, aws: AwsClient, tmp_path: Path
) -> None:
    """With existing_vpc set, the stack plans into that VPC and creates no network of its own."""
    ec2 = aws("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    subnets = [
        subnet["SubnetId"]
        for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
            "Subnets"
        ]
    ]
    workdir = prepare_workdir(
        terraform,
        moto,
        aws,
        tmp_path,
        name="chalkboard-existing",
        existing_vpc={
            "vpc_id": vpc["VpcId"],
            "public_subnet_ids": subnets[:2],
            "private_subnet_ids": subnets[2:4],
        },
    )
    terraform.run("plan", "-out=existing.tfplan", cwd=workdir)
    plan = json.loads(terraform.run("show", "-json", "existing.tfplan", cwd=workdir).stdout)
    created = {change["type"] for change in plan["resource_changes"]}
    assert created.isdisjoint({"aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_internet_gateway"})
    (alb_sg,) = [
        change["change"]["after"]
        for change in plan["resource_changes"]
        if change["address"] == "aws_security_group.alb"
    ]
    assert alb_sg["vpc_id"] == vpc["VpcId"]
