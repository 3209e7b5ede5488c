"""The deployment, read from the Terraform variables (infra/variables.tf and a tfvars file)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

# The repository's infra/ when run from a checkout; a wheel carries none (use --tfvars).
INFRA_DIR = Path(__file__).resolve().parents[2] / "infra"


class DeploymentError(ValueError):
    """Terraform variables that cannot be read or priced."""


@dataclass(frozen=True)
class Deployment:
    """The Terraform variables that move the bill. Defaults mirror infra/variables.tf
    (a test keeps them equal) so the operator page can price a stack with no infra/ at hand."""

    region: str = "us-east-1"
    task_cpu: int = 512  # CPU units: 1024 = 1 vCPU
    task_memory: int = 1024  # MiB
    desired_count: int = 2
    max_count: int = 6
    on_demand_base: int = 1
    on_demand_weight: float = 0
    db_instance_class: str = "db.t4g.micro"
    db_allocated_storage: int = 20
    db_multi_az: bool = False
    single_nat_gateway: bool = True
    existing_vpc: bool = False  # a VPC of your own: its NAT gateways are not on this bill
    log_retention_days: int = 30
    # Not Terraform variables (yet): infra/ecs.tf pins X86_64; the ALB has 3 routing rules.
    arch: str = "x86"
    alb_rules: int = 3
    # Embeds, the phone page and static assets served through CloudFront (docs/cost.md).
    public_pages_via_cdn: bool = False

    @property
    def vcpu(self) -> float:
        return self.task_cpu / 1024

    @property
    def memory_gb(self) -> float:
        return self.task_memory / 1024

    @property
    def nat_gateways(self) -> int:
        if self.existing_vpc:
            return 0
        return 1 if self.single_nat_gateway else 2

    def with_overrides(self, values: dict[str, Any], *, source: str) -> Deployment:
        fields = {f.name: f.type for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise DeploymentError(f"{source}: unknown deployment settings {', '.join(unknown)}")
        current = dataclasses.asdict(self)
        typed = {
            name: _coerce(value, current[name], name, source) for name, value in values.items()
        }
        return dataclasses.replace(self, **typed)


def _coerce(value: Any, like: Any, name: str, source: str) -> Any:
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(like, int | float) and isinstance(value, int | float):
        return type(like)(value)
    elif isinstance(like, str) and isinstance(value, str):
        return value
    raise DeploymentError(f"{source}: {name} should be like {like!r}, got {value!r}")


def _unquote(value: Any) -> Any:
    # python-hcl2 keeps a string literal's quotes; expressions come as "${...}".
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _terraform_values(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: _unquote(value) for key, value in doc.items()}


def _relevant(values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(Deployment)}
    picked = {k: v for k, v in values.items() if k in names}
    if "existing_vpc" in values:
        picked["existing_vpc"] = values["existing_vpc"] not in (None, "null")
    return picked


def variable_defaults(infra_dir: Path) -> dict[str, Any]:
    """Each variable's default in variables.tf (variables without one are left out)."""
    path = infra_dir / "variables.tf"
    try:
        doc = hcl2.loads(path.read_text())
    except (OSError, Exception) as exc:  # python-hcl2 raises lark's own errors
        raise DeploymentError(f"cannot read {path}: {exc}") from None
    defaults = {}
    for block in doc.get("variable", []):
        for name, body in block.items():
            if "default" in body:
                defaults[_unquote(name)] = _unquote(body["default"])
    return defaults


def from_terraform(infra_dir: Path | None = None, tfvars: Path | None = None) -> Deployment:
    """The deployment variables.tf describes, with the tfvars file's values on top."""
    values: dict[str, Any] = {}
    infra_dir = infra_dir or INFRA_DIR
    if (infra_dir / "variables.tf").is_file():
        values.update(variable_defaults(infra_dir))
    elif tfvars is None:
        return Deployment()
    if tfvars is not None:
        try:
            values.update(_terraform_values(hcl2.loads(tfvars.read_text())))
        except (OSError, Exception) as exc:
            raise DeploymentError(f"cannot read {tfvars}: {exc}") from None
    return Deployment().with_overrides(_relevant(values), source=str(tfvars or infra_dir))
