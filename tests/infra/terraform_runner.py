"""Runs Terraform on copies of infra/, and skips (or, under CI, fails) when a tool is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

INFRA_DIR = Path(__file__).resolve().parents[2] / "infra"


def unavailable(reason: str) -> NoReturn:
    """Skip for a missing tool, except under CI, where a missing tool must fail loudly."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Terraform:
    binary: str
    env: dict[str, str]

    def run(
        self, *args: str, cwd: Path, ok_codes: tuple[int, ...] = (0,), timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.binary, *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode not in ok_codes:
            pytest.fail(
                f"terraform {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def copy_config(self, dest: Path) -> Path:
        """Copy infra/ without any local state, plugins or operator tfvars."""
        workdir = dest / "infra"
        shutil.copytree(
            INFRA_DIR,
            workdir,
            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfvars", "*.tfplan"),
        )
        return workdir
