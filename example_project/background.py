"""The example project's Celery worker and beat as background processes, stopped cleanly.

Used by `make demo-run` (demo_run.py) and by the end-to-end test (tests/e2e/): both need a real
worker and a real beat reading django-celery-beat's tables, started from this folder the way a
person would start them (`celery -A config worker`, `celery -A config beat`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
CELERY = Path(sys.executable).with_name("celery")
STOP_GRACE_SECONDS = 15.0


@dataclass
class Background:
    """One started process, its output going to `log_path`."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> int:
        """SIGTERM (Celery's warm shutdown), then SIGKILL after `grace` seconds; the exit status.

        The signal goes to the process group the process leads (it was started in a session of
        its own), so a prefork worker's children stop with it.
        """
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def start_celery(
    name: str, args: Sequence[str], *, env: dict[str, str], log_path: Path
) -> Background:
    """`celery -A config ARGS` in the example project's folder, output to `log_path`."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(CELERY), "-A", "config", *args],
            cwd=PROJECT_DIR,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Background(name, process, log_path)


def start_worker(
    *, env: dict[str, str], log_path: Path, queue: str | None = None, purge: bool = False
) -> Background:
    """A worker running one task at a time (enough here, and quick to start and stop);
    `purge` discards the messages already waiting in its queues before it starts."""
    args = ["worker", "--loglevel=INFO", "--pool=solo", "--without-gossip", "--without-mingle"]
    if purge:
        args.append("--purge")
    if queue:
        args += ["--queues", queue, "--hostname", f"{queue}@%h"]
    return start_celery("worker", args, env=env, log_path=log_path)


def start_beat(
    *, env: dict[str, str], log_path: Path, max_interval: int = 1, loglevel: str = "INFO"
) -> Background:
    """Beat with django-celery-beat's DatabaseScheduler, which re-reads the tables when
    `beat-sync apply` moves the change marker; `max_interval` bounds how long that takes.
    At `loglevel="DEBUG"` it logs each schedule it loads ("Current schedule:")."""
    args = [
        "beat",
        f"--loglevel={loglevel}",
        f"--max-interval={max_interval}",
        "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
    ]
    return start_celery("beat", args, env=env, log_path=log_path)


def logs_tail(processes: Sequence[Background], lines: int = 40) -> str:
    parts = []
    for background in processes:
        state = "running" if background.alive() else f"exited {background.process.returncode}"
        tail = "\n".join(background.log().splitlines()[-lines:])
        parts.append(f"--- {background.name} ({state}), {background.log_path} ---\n{tail}")
    return "\n".join(parts)


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    processes: Sequence[Background] = (),
    interval: float = 0.2,
) -> float:
    """Poll `condition` until it holds; the seconds it took. On timeout, or when one of
    `processes` has died, raise TimeoutError naming `what`, with the tail of their logs."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        dead = [background.name for background in processes if not background.alive()]
        elapsed = time.monotonic() - started
        if dead or elapsed > timeout:
            reason = f"{', '.join(dead)} exited" if dead else f"not within {timeout:.0f} s"
            raise TimeoutError(f"{what}: {reason}\n{logs_tail(processes)}")
        time.sleep(interval)
