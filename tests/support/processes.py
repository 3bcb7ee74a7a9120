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
# set, the run's own DATABASE_URL (the non-test database) and a NO_COLOR of the caller's.
# Processes name what they need instead.
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "NO_COLOR")

# `beat-sync` run by `python -c` with an apply hook (beat_sync.tables.after_delete) that holds
# between the deletes and the inserts, reporting HOLD_MARKER on stderr when it starts holding so
# that a test knows the deletes have run. Its first argument is the hold: seconds, or a file
# whose appearance ends it (at most PROCESS_TIMEOUT seconds), for a test that releases it.
HOLD_MARKER = "beat-sync-test: holding after delete"
_HOLDING_CLI = f"""
import os, sys, time
from beat_sync import tables
from beat_sync.cli import main

def hold(until=sys.argv.pop(1)):
    print({HOLD_MARKER!r}, file=sys.stderr, flush=True)
    if until.replace(".", "", 1).isdigit():
        time.sleep(float(until))
        return
    deadline = time.monotonic() + {PROCESS_TIMEOUT}
    while not os.path.exists(until) and time.monotonic() < deadline:
        time.sleep(0.02)

tables.after_delete.append(hold)
sys.argv[0] = "beat-sync"
main()
"""


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


def holding_beat_sync(hold: float | Path, *args: str | Path) -> list[str]:
    """The command line of `beat-sync ARGS` holding in an apply after its deletes (see
    HOLD_MARKER): `hold` seconds, or until the file `hold` exists."""
    return [sys.executable, "-c", _HOLDING_CLI, str(hold), *map(str, args)]


def start_beat_sync(
    *args: str | Path, env: dict[str, str], hold: float | Path
) -> subprocess.Popen[str]:
    """Start `beat-sync ARGS` in the background from the repository root, holding after an
    apply's deletes (`hold` seconds, or until the file `hold` exists) and reporting HOLD_MARKER
    on stderr when it starts holding."""
    return subprocess.Popen(
        holding_beat_sync(hold, *args),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Root reads every file whatever its mode, and CI runs as root: a test of an unreadable file runs
# its process without the capabilities that let root do so. It stays root, so it can still enter
# every folder root owns (a checkout in `mktemp -d`, pytest's tmp_path: both only their owner may
# enter), and a file root owns with mode 0 is then unreadable to it as to anyone.
DAC_CAPABILITIES = "-dac_override,-dac_read_search"


def unprivileged(command: list[str | Path]) -> list[str]:
    """`command` run without root's power to read any file (setpriv, util-linux: its bounding
    set drops DAC_OVERRIDE and DAC_READ_SEARCH) when this process is root; as it is otherwise,
    since any other user already lacks root's reach."""
    args = [str(arg) for arg in command]
    if os.geteuid() != 0:
        return args
    return ["setpriv", "--bounding-set", DAC_CAPABILITIES, "--", *args]
