"""`beat-sync` and `manage.py` run as real processes, in the environment a user's shell gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BEAT_SYNC = Path(sys.executable).with_name("beat-sync")
MANAGE_PY = REPO / "example_project" / "manage.py"
PROCESS_TIMEOUT = 120

# What this pytest process has that a user's shell would not: the settings module pytest-django
# set, the run's own DATABASE_URL (the non-test database), a NO_COLOR of the caller's, and the
# apply's test hook. Processes name what they need instead.
NOT_INHERITED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "NO_COLOR",
    "BEAT_SYNC_TEST_HOLD_AFTER_DELETE",
)


def user_env(**overrides: str) -> dict[str, str]:
    """This process's environment without NOT_INHERITED, plus `overrides`: the repository's
    pyproject.toml names the settings, the example project's own database is the default."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(overrides)
    return env


def run(
    args: list[str | Path], *, env: dict[str, str], cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run a process to its end, stdout and stderr captured apart, whatever its exit status."""
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
        check=False,
    )


def run_beat_sync(
    *args: str | Path, env: dict[str, str], cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """`beat-sync ARGS`, by default from the repository root (its pyproject.toml names the
    project)."""
    return run([BEAT_SYNC, *args], env=env, cwd=cwd)


def run_manage(
    *args: str | Path, env: dict[str, str], cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """`python example_project/manage.py ARGS`, by default from the repository root."""
    return run([sys.executable, MANAGE_PY, *args], env=env, cwd=cwd)
