"""The in-process measurements, run once per database in a process of their own (Django's
settings are per process): `python -m bench.measure DATABASE_URL MANIFEST_DIR N...` prints JSON.

Every timing is wall time (time.perf_counter) of the named call only; queries are every
statement sent through Django's connection (an execute wrapper: it sees BEGIN, SAVEPOINT, lock
and SELECT as well as writes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
BASELINE_BUDGET_SECONDS = 150.0  # per database, for the N=10,000 baseline (estimated first)


class Queries:
    """Every SQL statement the default connection sends while active."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    @property
    def writes(self) -> int:
        return sum(1 for sql in self.sql if WRITE.match(sql))


def timed(func: Callable[[], object]) -> tuple[float, Queries, object]:
    from django.db import connection

    queries = Queries()
    with connection.execute_wrapper(queries):
        started = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - started
    return seconds, queries, value


def repeated(
    func: Callable[[], object], setup: Callable[[], object], repeats: int
) -> dict[str, float | int]:
    """Median seconds of `repeats` runs of func, each after an untimed setup; queries and writes
    of the last run (they are the same in every run)."""
    times = []
    for _ in range(repeats):
        setup()
        seconds, queries, _ = timed(func)
        times.append(seconds)
    return {
        "seconds": statistics.median(times),
        "queries": len(queries.sql),
        "writes": queries.writes,
    }


def peak_mib(func: Callable[[], object]) -> float:
    """tracemalloc's peak of Python allocations while func runs (not timed: tracing is slow)."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def load(folder: Path) -> tuple[float, tuple]:
    """Seconds to load, validate and normalise a manifest folder, and the desired state."""
    from beat_sync.manifest import load_manifest
    from beat_sync.normalise import normalise

    started = time.perf_counter()
    result = load_manifest([folder])
    assert result.ok, result.errors[:3]
    desired = normalise(result.specs, "UTC")
    return time.perf_counter() - started, desired


def styleguide_setup_periodic_tasks(periodic_tasks_data: list[dict]) -> None:
    """The styleguide's setup_periodic_tasks (the example project's copy, see
    styleguide_example/core/management/commands/styleguide_setup_periodic_tasks.py), its print
    lines sent to a buffer here."""
    from styleguide_example.core.management.commands.styleguide_setup_periodic_tasks import (
        setup_periodic_tasks,
    )

    with contextlib.redirect_stdout(io.StringIO()):
        setup_periodic_tasks(periodic_tasks_data)


def styleguide_data(desired: tuple) -> list[dict]:
    """The styleguide command's `periodic_tasks_data` for cron-only TaskStates."""
    return [
        {
            "task": SimpleNamespace(name=task.task),  # the command takes Celery task objects
            "name": task.name,
            "cron": {
                "minute": task.schedule.minute,
                "hour": task.schedule.hour,
                "day_of_week": task.schedule.day_of_week,
                "day_of_month": task.schedule.day_of_month,
                "month_of_year": task.schedule.month_of_year,
            },
            "enabled": task.enabled,
        }
        for task in desired
    ]


def measure_size(folder: Path, count: int, baseline_estimate: float | None) -> dict:
    """Every measurement for N = count; the baseline is skipped when `baseline_estimate` (its
    estimated seconds) is given."""
    from beat_sync.plan import make_plan
    from beat_sync.render import render_text
    from beat_sync.tables import apply_plan, read_current_state

    def clear() -> None:
        apply_plan(())
        assert not read_current_state().tasks

    repeats = 7 if count <= 1000 else 3
    row: dict = {"n": count}
    row["load_seconds"], desired_a = load(folder / f"mixed_{count}_0")
    _, desired_b = load(folder / f"mixed_{count}_1")

    row["apply_empty"] = repeated(lambda: apply_plan(desired_a), clear, repeats)
    assert len(read_current_state().tasks) == count

    # Every task changed: the database holds the other variant before each timed run.
    state = {"next": desired_b}

    def apply_other() -> None:
        desired, state["next"] = (
            state["next"],
            (desired_a if state["next"] is desired_b else desired_b),
        )
        result = apply_plan(desired)
        assert result.applied and result.plan.summary.change == count, result.plan.summary

    row["apply_changed"] = repeated(apply_other, lambda: None, repeats)
    holding = desired_a if state["next"] is desired_b else desired_b

    def noop() -> None:
        assert not apply_plan(holding).applied

    row["apply_noop"] = repeated(noop, lambda: None, repeats)
    assert row["apply_noop"]["writes"] == 0, "a no-op apply wrote"

    other = desired_b if holding is desired_a else desired_a

    def diff() -> str:
        plan = make_plan(other, read_current_state())
        assert plan.summary.change == count
        return render_text(plan)

    row["diff"] = repeated(diff, lambda: None, repeats)
    row["diff_output_lines"] = len(diff().splitlines())
    row["peak_mib_diff"] = peak_mib(diff)
    row["peak_mib_apply"] = peak_mib(lambda: apply_plan(other))  # every task changed

    # The styleguide's loop against apply, on the same cron-only tasks.
    _, cron_a = load(folder / f"cron_{count}_0")
    _, cron_b = load(folder / f"cron_{count}_1")
    if baseline_estimate is not None:
        row["baseline_skipped_estimate"] = baseline_estimate
        return row
    cron_state = {"next": cron_b}

    def baseline_other() -> None:
        desired, cron_state["next"] = (
            cron_state["next"],
            (cron_a if cron_state["next"] is cron_b else cron_b),
        )
        styleguide_setup_periodic_tasks(styleguide_data(desired))
        # Same tasks: what the styleguide wrote is what the manifest says (beat-sync agrees).
        assert make_plan(desired, read_current_state()).in_sync

    baseline_repeats = 1 if count >= 1000 else repeats
    clear()
    row["baseline_empty"] = repeated(
        lambda: styleguide_setup_periodic_tasks(styleguide_data(cron_a)), clear, baseline_repeats
    )
    row["baseline"] = repeated(baseline_other, lambda: None, baseline_repeats)
    clear()
    row["cron_apply_empty"] = repeated(lambda: apply_plan(cron_a), clear, repeats)
    cron_state["next"] = cron_b

    def cron_apply_other() -> None:
        desired, cron_state["next"] = (
            cron_state["next"],
            (cron_a if cron_state["next"] is cron_b else cron_b),
        )
        assert apply_plan(desired).plan.summary.change == count

    row["cron_apply_changed"] = repeated(cron_apply_other, lambda: None, repeats)
    clear()
    return row


def main(database_url: str, folder: Path, counts: list[int]) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path[:0] = [str(REPO / "example_project"), str(REPO)]
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    rows = []
    estimate = None  # seconds the next size's baseline would take, once over budget
    for count in counts:
        print(f"  {connection.vendor}: N={count} ...", file=sys.stderr, flush=True)
        rows.append(measure_size(folder, count, estimate))
        if estimate is None:
            # The styleguide loop is linear in N: estimate the next size before paying for it.
            last = rows[-1]
            per_task = (last["baseline_empty"]["seconds"] + last["baseline"]["seconds"]) / count
            upcoming = [c for c in counts if c > count]
            if upcoming and per_task * upcoming[0] > BASELINE_BUDGET_SECONDS:
                estimate = per_task * upcoming[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
    json.dump({"vendor": connection.vendor, "version": version, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), [int(n) for n in sys.argv[3:]])
