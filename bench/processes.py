"""Whole processes as the user runs them: `beat-sync ...` and `manage.py ...`, timed from start to
exit (interpreter start-up, imports, Django set-up and printing included), with the peak
resident memory of that one process (`os.wait4`'s ru_maxrss)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEAT_SYNC = str(Path(sys.executable).with_name("beat-sync"))
MANAGE = [sys.executable, str(REPO / "example_project" / "manage.py")]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss: int  # bytes


def command_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a measured process: the database, DEBUG off, no colour; settings from
    the repository's pyproject.toml (beat-sync) or manage.py's default (the styleguide)."""
    env = {**os.environ, "DATABASE_URL": database_url, "NO_COLOR": "1", "DJANGO_DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def run(argv: list[str], env: dict[str, str], expect: int = 0) -> Run:
    """One whole process, its output sent to /dev/null (printing it is part of the command);
    RuntimeError with its stderr unless it exits with `expect`."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code != expect:
            stderr.seek(0)
            raise RuntimeError(
                f"{' '.join(argv)}: exit {code}, expected {expect}\n"
                + stderr.read().decode(errors="replace")[-3000:]
            )
    return Run(seconds, usage.ru_maxrss * 1024)  # Linux reports KiB


def beat_sync(args: list[str], database_url: str, expect: int = 0) -> Run:
    return run([BEAT_SYNC, *args], command_env(database_url), expect)


def manage(args: list[str], database_url: str, pythonpath: Path) -> Run:
    """`python example_project/manage.py ...`, with `pythonpath` importable (a --data-module)."""
    path = os.pathsep.join(filter(None, [str(pythonpath), os.environ.get("PYTHONPATH")]))
    return run([*MANAGE, *args], command_env(database_url, PYTHONPATH=path))
