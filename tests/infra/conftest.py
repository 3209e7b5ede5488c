"""Fixtures for the Terraform tests under infra/.

Terraform runs offline: providers come only from a local filesystem mirror, and every run works
on a copy of infra/ in a temporary directory, so no state or .terraform lands in the work tree.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.infra.terraform_runner import Terraform, unavailable

# Where this project's machines keep the hashicorp/aws provider; TF_PROVIDER_MIRROR overrides.
MIRROR_CANDIDATES = ("/opt/tf-plugins", "~/.terraform.d/plugins", "/usr/share/terraform/plugins")
AWS_PROVIDER = Path("registry.terraform.io/hashicorp/aws")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def find_provider_mirror() -> Path | None:
    override = os.environ.get("TF_PROVIDER_MIRROR")
    candidates = (override,) if override else MIRROR_CANDIDATES
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if (path / AWS_PROVIDER).is_dir():
            return path
    return None


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    binary = shutil.which("terraform")
    if binary is None:
        unavailable("terraform is not on PATH")
    mirror = find_provider_mirror()
    if mirror is None:
        unavailable(f"no {AWS_PROVIDER} provider mirror in {', '.join(MIRROR_CANDIDATES)}")

    # Only the mirror is listed, so Terraform cannot download a provider even if it tried.
    cli_config = tmp_path_factory.mktemp("terraform-cli") / "terraform.rc"
    cli_config.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "}\n"
    )
    # No operator settings or real AWS credentials leak into the runs.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env |= {
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_CLI_ARGS": "-no-color",
        "CHECKPOINT_DISABLE": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return Terraform(binary=binary, env=env)
