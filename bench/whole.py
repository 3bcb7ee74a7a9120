"""The whole commands, in the measure process of one database (Django set up, DEBUG off):

- headline: `beat-sync apply` against the styleguide's command (`manage.py
  styleguide_setup_periodic_tasks`) on the same N cron-only tasks, each as a whole process and
  in-process (`beat-sync`'s click command; the styleguide command's `handle`), the same runs on
  both sides, interleaved, each after an untimed set-up (empty tables, or the other variant of
  the N tasks: every task changed) and followed by an untimed check that the tables hold what
  was asked; beside it the in-process stage breakdown of apply, and `beat-sync diff`;
- scale: `beat-sync diff` in sync and `apply` as whole processes at the sizes of the goals;
- next and status: `beat-sync next` and `beat-sync status` at N tasks, as whole processes and
  as the work past start-up of a cold in-process run (bench.inprocess).
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import processes
from bench.stages import StageTimer


def load(folder: Path) -> tuple:
    """The normalised tasks of a manifest folder (for set-ups and checks, never timed)."""
    from beat_sync.manifest import load_manifest
    from beat_sync.normalise import normalise

    result = load_manifest([folder])
    assert result.ok, result.errors[:3]
    return normalise(result.specs, "UTC")


def put(desired: Sequence) -> None:
    """Make the tables hold `desired` (untimed set-up)."""
    from beat_sync.tables import apply_plan

    apply_plan(desired)


def check(desired: Sequence) -> None:
    """The tables hold exactly `desired` (what both sides were asked to write)."""
    from beat_sync.plan import make_plan
    from beat_sync.tables import read_current_state

    plan = make_plan(desired, read_current_state())
    assert plan.in_sync, plan.summary


def styleguide_module(folder: Path, name: str, desired: Sequence) -> None:
    """`desired` (cron-only) as the styleguide writes its tasks: a list of dicts naming the
    Celery task objects, in a function (its `handle` builds the list on every run)."""
    functions = sorted({task.task for task in desired})
    lines = [f"from {f.rpartition('.')[0]} import {f.rpartition('.')[2]}" for f in functions]
    lines += ["", "", "def periodic_tasks_data():", "    return ["]
    for task in desired:
        cron = task.schedule
        lines.append(
            f"        {{'task': {task.task.rpartition('.')[2]}, 'name': {task.name!r}, 'cron': "
            f"{{'minute': {cron.minute!r}, 'hour': {cron.hour!r}, "
            f"'day_of_week': {cron.day_of_week!r}, 'day_of_month': {cron.day_of_month!r}, "
            f"'month_of_year': {cron.month_of_year!r}}}, 'enabled': {task.enabled!r}}},"
        )
    lines.append("    ]")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text("\n".join(lines) + "\n")


def beat_sync_in_process(args: list[str], expect: int = 0) -> tuple[float, dict[str, float]]:
    """`beat-sync ARGS` run by its click command in this process (Django already set up), its
    output to a buffer: (seconds, stage split)."""
    from beat_sync.cli import main

    out, err = io.StringIO(), io.StringIO()
    with StageTimer() as stages, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        started = time.perf_counter()
        try:
            code = main.main(args=args, prog_name="beat-sync", standalone_mode=False) or 0
        except SystemExit as exc:
            code = exc.code or 0
        seconds = time.perf_counter() - started
    if code != expect:
        raise RuntimeError(f"beat-sync {' '.join(args)}: exit {code}\n{err.getvalue()[-3000:]}")
    return seconds, stages.split(seconds)


def styleguide_in_process(module: str) -> float:
    """The styleguide command's `handle` in this process, its print lines to a buffer."""
    from styleguide_example.core.management.commands.styleguide_setup_periodic_tasks import (
        Command,
    )

    with contextlib.redirect_stdout(io.StringIO()):
        started = time.perf_counter()
        Command().handle(data_module=module)
        return time.perf_counter() - started


def close_connections() -> None:
    """Before another process writes: no connection of this one holds a lock or a snapshot."""
    from django.db import connections

    connections.close_all()


def spread(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}  # fmt: skip


def headline(database_url: str, folder: Path, count: int, runs: int) -> dict[str, Any]:
    """apply vs the styleguide command at `count` cron tasks; diff beside it."""
    variants = [load(folder / f"cron_{count}_{v}") for v in (0, 1)]
    modules = folder / "styleguide_modules"
    names = [f"bench_styleguide_{count}_{v}" for v in (0, 1)]
    for name, desired in zip(names, variants, strict=True):
        styleguide_module(modules, name, desired)
    sys.path.insert(0, str(modules))
    schedules = [str(folder / f"cron_{count}_{v}") for v in (0, 1)]
    set_ups: dict[str, Callable[[], None]] = {
        "empty tables": lambda: put(()),
        f"all {count:,} changed": lambda: put(variants[0]),
    }
    rows = []
    for scenario, set_up in set_ups.items():
        for how in ("whole process", "in-process"):
            sides: dict[str, list] = {"styleguide": [], "beat-sync apply": []}
            rss: dict[str, list] = {"styleguide": [], "beat-sync apply": []}
            stage_runs: list[dict[str, float]] = []
            for _ in range(runs):  # interleaved: a busy moment hits both sides alike
                set_up()
                close_connections()
                if how == "whole process":
                    run = processes.manage(
                        ["styleguide_setup_periodic_tasks", "--data-module", names[1]],
                        database_url,
                        modules,
                    )
                    sides["styleguide"].append(run.seconds)
                    rss["styleguide"].append(run.peak_rss)
                else:
                    sides["styleguide"].append(styleguide_in_process(names[1]))
                check(variants[1])
                set_up()
                close_connections()
                if how == "whole process":
                    run = processes.beat_sync(["apply", "--schedules", schedules[1]], database_url)
                    sides["beat-sync apply"].append(run.seconds)
                    rss["beat-sync apply"].append(run.peak_rss)
                else:
                    seconds, split = beat_sync_in_process(["apply", "--schedules", schedules[1]])
                    sides["beat-sync apply"].append(seconds)
                    stage_runs.append(split)
                check(variants[1])
            row: dict[str, Any] = {"scenario": scenario, "how": how}
            row.update({side: spread(times) for side, times in sides.items()})
            row["peak_rss"] = {side: max(values) for side, values in rss.items() if values}
            if stage_runs:
                row["stages"] = {
                    k: statistics.median(r[k] for r in stage_runs) for k in stage_runs[0]
                }
            rows.append(row)
    sys.path.remove(str(modules))
    return {
        "n": count,
        "runs": runs,
        "rows": rows,
        "diff": diff_figures(database_url, folder, count, runs, variants),
    }


def diff_figures(
    database_url: str, folder: Path, count: int, runs: int, variants: list
) -> list[dict[str, Any]]:
    """`beat-sync diff` at `count` tasks, in sync and with every task changed, both ways."""
    put(variants[0])
    close_connections()
    figures = []
    for label, variant, expect in (("in sync", 0, 0), (f"all {count:,} changed", 1, 2)):
        args = ["diff", "--exit-code", "--schedules", str(folder / f"cron_{count}_{variant}")]
        whole = [processes.beat_sync(args, database_url, expect) for _ in range(runs)]
        inner = [beat_sync_in_process(args, expect) for _ in range(runs)]
        close_connections()
        figures.append({
            "scenario": label,
            "whole process": spread([r.seconds for r in whole]),
            "peak_rss": max(r.peak_rss for r in whole),
            "in-process": spread([seconds for seconds, _ in inner]),
            "stages": {k: statistics.median(s[k] for _, s in inner) for k in inner[0][1]},
        })  # fmt: skip
    return figures


def scale(database_url: str, folder: Path, sizes: list[int], runs: int) -> list[dict[str, Any]]:
    """Per size: apply into empty tables and with every task changed, then diff in sync, each
    as a whole process (`runs` times), with one in-process diff for its stage split."""
    results = []
    for count in sizes:
        print(f"    scale: N={count:,}", file=sys.stderr, flush=True)
        schedules = [str(folder / f"mixed_{count}_{v}") for v in (0, 1)]
        figures: dict[str, Any] = {"n": count}
        applies: dict[str, list] = {"apply, empty tables": [], f"apply, all {count:,} changed": []}
        diffs = []
        for _ in range(runs):
            put(())
            close_connections()
            applies["apply, empty tables"].append(
                processes.beat_sync(["apply", "--schedules", schedules[1]], database_url)
            )
            # The tables now hold variant 1: diff of it is in sync (exit 0), checking the apply.
            diffs.append(
                processes.beat_sync(
                    ["diff", "--exit-code", "--schedules", schedules[1]], database_url
                )
            )
            applies[f"apply, all {count:,} changed"].append(
                processes.beat_sync(["apply", "--schedules", schedules[0]], database_url)
            )
        for label, measured in (*applies.items(), ("diff, in sync", diffs)):
            figures[label] = {**spread([r.seconds for r in measured]),
                              "peak_rss": max(r.peak_rss for r in measured)}  # fmt: skip
        seconds, split = beat_sync_in_process(["diff", "--exit-code", "--schedules", schedules[0]])
        figures["diff, in sync"]["in_process"] = seconds
        figures["diff, in sync"]["stages"] = split
        put(())
        close_connections()
        results.append(figures)
    return results


def cold_in_process(database_url: str, args: list[str]) -> dict[str, Any]:
    """`beat-sync ARGS` in-process in a fresh process (bench.inprocess): seconds, stage split
    and the work past start-up."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", database_url, *args],
        cwd=processes.REPO,
        env=processes.command_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def settle() -> None:
    """On PostgreSQL, VACUUM (FULL, ANALYZE) the beat tables (untimed): the table then holds the
    N tasks as a database holding them keeps them, not the space of the cases run before (a
    100,000-task apply leaves hundreds of thousands of dead rows, and this server's autovacuum
    may be off: results.md says), which a seq scan of the N rows would read through."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for app in ("django_celery_beat", "beat_sync")
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (FULL, ANALYZE) {', '.join(tables)}")


def give_run_history() -> None:
    """Every enabled row that is not a one-off ran once, each at its own moment of the last hour
    (as beat leaves them: no two rows share a `last_run_at`, so no two share their next runs)."""
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    now = timezone.now()
    rows = list(PeriodicTask.objects.filter(enabled=True, one_off=False).only("id"))
    for row in rows:
        row.last_run_at = now - timedelta(seconds=60 + row.id % 3600, microseconds=row.id)
        row.total_run_count = 1
    PeriodicTask.objects.bulk_update(rows, ["last_run_at", "total_run_count"], batch_size=1000)


def next_and_status(
    database_url: str, folder: Path, count: int, runs: int, *, with_next: bool
) -> list[dict[str, Any]]:
    """`beat-sync next` (its default 20 runs; no database, so measured on one database only)
    and `beat-sync status` (the tables holding the N tasks just applied, then with a run
    history) at `count` tasks: `runs` whole processes, and `runs` cold in-process runs for the
    work past start-up."""
    schedules = str(folder / f"mixed_{count}_1")
    desired = load(folder / f"mixed_{count}_1")
    cases: list[tuple[str, str, Callable[[], None]]] = []
    if with_next:
        cases.append(("next", "20 runs, all tasks merged", lambda: None))
    cases.append(("status", "just applied: no run yet", lambda: put(desired)))
    cases.append(("status", "each row run once, at its own moment", give_run_history))
    figures = []
    for command, scenario, set_up in cases:
        print(f"    {command}, N={count:,}: {scenario}", file=sys.stderr, flush=True)
        set_up()
        settle()
        close_connections()
        args = [command, "--schedules", schedules]
        whole = [processes.beat_sync(args, database_url) for _ in range(runs)]
        inner = [cold_in_process(database_url, args) for _ in range(runs)]
        stages = {k: statistics.median(r["stages"][k] for r in inner) for k in inner[0]["stages"]}
        figures.append({
            "command": command,
            "scenario": scenario,
            "n": count,
            "whole process": spread([r.seconds for r in whole]),
            "peak_rss": max(r.peak_rss for r in whole),
            "in-process": spread([r["seconds"] for r in inner]),
            "past start-up": spread([r["past_start_up"] for r in inner]),
            "stages": stages,
        })  # fmt: skip
    put(())
    close_connections()
    return figures
