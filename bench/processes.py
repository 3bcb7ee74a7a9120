"""Whole processes as the user runs them: `beat-sync ...` and `manage.py ...`, timed from start to
exit (interpreter start-up, imports, Django set-up and printing included), with the peak
resident memory of that one process (`os.wait4`'s ru_maxrss).

They are started by a small process of their own (`python -m bench.processes`, reading one JSON
request a line): Linux counts the memory of the process a child was forked from in the child's
ru_maxrss (exec records the old address space's peak), so children of the measuring process,
which holds Django and thousands of loaded tasks, would all report its size."""

from __future__ import annotations

import json
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


def spawn(argv: list[str], env: dict[str, str]) -> dict:
    """Run one process to its end: seconds, exit code, ru_maxrss in bytes, stderr's tail."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace")[-3000:]
    return {"seconds": seconds, "code": code, "peak_rss": usage.ru_maxrss * 1024, "stderr": tail}


_spawner: subprocess.Popen | None = None


def run(argv: list[str], env: dict[str, str], expect: int = 0) -> Run:
    """One whole process, through the spawner, its output sent to /dev/null (printing it is
    part of the command); RuntimeError with its stderr unless it exits with `expect`."""
    global _spawner
    if _spawner is None or _spawner.poll() is not None:
        _spawner = subprocess.Popen(
            [sys.executable, "-m", "bench.processes"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    assert _spawner.stdin and _spawner.stdout
    _spawner.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
    _spawner.stdin.flush()
    result = json.loads(_spawner.stdout.readline())
    if result["code"] != expect:
        raise RuntimeError(
            f"{' '.join(argv)}: exit {result['code']}, expected {expect}\n{result['stderr']}"
        )
    return Run(result["seconds"], result["peak_rss"])


def beat_sync(args: list[str], database_url: str, expect: int = 0) -> Run:
    return run([BEAT_SYNC, *args], command_env(database_url), expect)


def manage(args: list[str], database_url: str, pythonpath: Path) -> Run:
    """`python example_project/manage.py ...`, with `pythonpath` importable (a --data-module)."""
    path = os.pathsep.join(filter(None, [str(pythonpath), os.environ.get("PYTHONPATH")]))
    return run([*MANAGE, *args], command_env(database_url, PYTHONPATH=path))


if __name__ == "__main__":
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(spawn(request["argv"], request["env"])), flush=True)
