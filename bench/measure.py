"""The measurements of one database, in a process of their own (Django's settings are per
process): `python -m bench.measure DATABASE_URL MANIFEST_DIR --sizes N... --headline N --scale
N... --runs R [--next-status N... [--no-next]]` prints JSON: the stage table per N (below), the
headline, the scale figures and next/status (bench.whole, whole commands).

Every timing in the stage table is wall time (time.perf_counter) of the named call only; queries
are every statement sent through Django's connection (an execute wrapper: it sees BEGIN,
SAVEPOINT, lock and SELECT as well as writes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


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


def measure_size(folder: Path, count: int) -> dict:
    """The stage measurements for N = count (apply_plan, diff's read + plan + render)."""
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

    clear()
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--headline", type=int, default=0)
    parser.add_argument("--scale", type=int, nargs="*", default=[])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--next-status", type=int, nargs="*", default=[])
    parser.add_argument("--no-next", action="store_true", help="status only (next reads no DB)")
    options = parser.parse_args()
    os.environ.update(
        DATABASE_URL=options.database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
    )
    sys.path[:0] = [str(REPO / "example_project"), str(REPO)]
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import whole

    django.setup()
    assert not settings.DEBUG, "DEBUG must be off: it keeps every query in memory"
    call_command("migrate", verbosity=0)
    folder = options.folder
    result: dict = {"vendor": connection.vendor, "rows": []}
    with connection.cursor() as cursor:
        cursor.execute(
            "SHOW server_version"
            if connection.vendor == "postgresql"
            else "SELECT sqlite_version()"
        )
        result["version"] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SHOW autovacuum")
            result["autovacuum"] = cursor.fetchone()[0]
    for count in options.sizes:
        print(f"  {connection.vendor}: stages, N={count:,}", file=sys.stderr, flush=True)
        result["rows"].append(measure_size(folder, count))
    if options.headline:
        print(f"  {connection.vendor}: whole commands, N={options.headline:,}", file=sys.stderr)
        result["headline"] = whole.headline(
            options.database_url, folder, options.headline, options.runs
        )
    if options.scale:
        result["scale"] = whole.scale(
            options.database_url, folder, options.scale, options.scale_runs
        )
    for count in options.next_status:
        print(f"  {connection.vendor}: next and status, N={count:,}", file=sys.stderr, flush=True)
        result.setdefault("next_status", []).extend(
            whole.next_and_status(
                options.database_url,
                folder,
                count,
                options.scale_runs,
                with_next=not options.no_next,
            )
        )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
