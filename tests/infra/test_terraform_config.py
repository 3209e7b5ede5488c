"""Static checks of infra/: formatting, validation and the deploy scripts, all offline."""

import os
import subprocess

from tests.infra.terraform_runner import INFRA_DIR, Terraform

SCRIPTS = sorted((INFRA_DIR / "scripts").glob("*.sh"))


def test_terraform_files_are_formatted(terraform: Terraform) -> None:
    """Every .tf file under infra/ is in `terraform fmt` canonical form."""
    terraform.run("fmt", "-check", "-recursive", "-diff", cwd=INFRA_DIR)


def test_configuration_validates(terraform: Terraform, tmp_path) -> None:
    """The configuration initialises from the provider mirror and passes `terraform validate`."""
    workdir = terraform.copy_config(tmp_path)
    terraform.run("init", "-backend=false", cwd=workdir)
    terraform.run("validate", cwd=workdir)


def test_deploy_scripts_are_executable_bash() -> None:
    """The deploy scripts are executable and parse as bash."""
    assert {script.name for script in SCRIPTS} == {"deploy.sh", "migrate.sh"}
    for script in SCRIPTS:
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
        subprocess.run(["bash", "-n", str(script)], check=True)
