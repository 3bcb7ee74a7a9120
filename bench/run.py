"""`make bench`: beat-sync's apply and diff against the styleguide's setup_periodic_tasks loop.

For each N, on SQLite (a temporary file) and on PostgreSQL (a database created for the run and
dropped after it; skipped, and said so, when nothing answers on 127.0.0.1:5432), bench.measure
times apply (empty database, every task changed, no-op), diff and the styleguide's loop; then the
whole `beat-sync validate` / `beat-sync diff` processes are timed on a 100-task manifest, and
`python -X importtime` shows where their start-up goes. Prints one markdown table and writes it,
with the machine, to bench/results.md. Leaves no database and no file behind.

    python -m bench.run [--sizes 10 100 1000 10000] [--runs 7] [--output bench/results.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from tests.support.manifests import write_generated_manifest
from tests.support.servers import answers

REPO = Path(__file__).resolve().parents[1]
BEAT_SYNC = Path(sys.executable).with_name("beat-sync")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PROCESS_TASKS = 100
QUERY_TARGET, SPEEDUP_TARGET, DIFF_TARGET, VALIDATE_TARGET = 30, 30.0, 1.0, 1.0


# --- running -------------------------------------------------------------------------------


def postgres_answers() -> bool:
    return answers(PG_HOST, PG_PORT)


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


def measure(database_url: str, folder: Path, sizes: list[int]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.measure", database_url, str(folder), *map(str, sizes)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def cli(args: list[str], env: dict[str, str], expect: int = 0) -> float:
    """Wall time of one whole `beat-sync ...` process, checked to exit with `expect`."""
    started = time.perf_counter()
    completed = subprocess.run(
        [str(BEAT_SYNC), *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if completed.returncode != expect:
        raise RuntimeError(f"beat-sync {' '.join(args)}: exit {completed.returncode}\n"
                           f"{completed.stdout}{completed.stderr}")  # fmt: skip
    return seconds


def whole_process(database_url: str, folder: Path, runs: int) -> dict[str, float]:
    """Median wall time of each command on the 100-task manifest; the database holds variant 0
    and the commands read variant 1, so diff shows all 100 tasks changed."""
    env = {**os.environ, "DATABASE_URL": database_url, "NO_COLOR": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the repository's pyproject.toml names it
    held = folder / f"mixed_{PROCESS_TASKS}_0"
    shown = str(folder / f"mixed_{PROCESS_TASKS}_1")
    cli(["apply", "--schedules", str(held)], env)
    commands = {
        "validate": ["validate", shown],
        "validate --no-check-tasks": ["validate", "--no-check-tasks", shown],
        "diff": ["diff", "--schedules", shown],
    }
    results = {}
    for label, args in commands.items():
        cli(args, env)  # warm the OS file cache
        results[label] = statistics.median(cli(args, env) for _ in range(runs))
    cli(["apply", "--allow-empty", "--schedules", str(folder / "empty")], env)
    return results


IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def import_costs(folder: Path, top: int = 8) -> tuple[float, list[tuple[str, float]]]:
    """(total import ms, the costliest top-level imports by cumulative ms) of
    `beat-sync validate` on the 100-task manifest, from `python -X importtime`."""
    env = {**os.environ, "DATABASE_URL": "sqlite:///:memory:"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import sys; from beat_sync.cli import main; sys.argv[0] = 'beat-sync'; main()"
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, "validate",
         str(folder / f"mixed_{PROCESS_TASKS}_1")],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    entries = []
    for line in completed.stderr.splitlines():
        match = IMPORTTIME.match(line)
        if match:
            _, cumulative, indent, name = match.groups()
            entries.append((len(indent), name, int(cumulative) / 1000))
    top_level = [(name, ms) for depth, name, ms in entries if depth == 1]
    return sum(ms for _, ms in top_level), sorted(top_level, key=lambda e: -e[1])[:top]


# --- reporting -----------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def cell(measurement: dict | None, writes: bool = False) -> str:
    if not measurement:
        return "not run"
    extra = f", {measurement['writes']} writes" if writes else ""
    return f"{fmt_time(measurement['seconds'])} ({measurement['queries']} q{extra})"


def baseline_cells(row: dict) -> str:
    if "baseline_skipped_estimate" in row:
        return (
            f"not run: estimated {row['baseline_skipped_estimate']:.0f} s for both runs, over the "
            "budget | not run |"
        )
    return (
        f"{cell(row.get('baseline_empty'))} / {cell(row.get('baseline'))} "
        f"| {cell(row.get('cron_apply_empty'))} / {cell(row.get('cron_apply_changed'))} |"
    )


def ratio(baseline: dict | None, ours: dict | None) -> str:
    if not baseline or not ours:
        return "-"
    return f"{baseline['seconds'] / ours['seconds']:.0f}x"


HEADER = (
    "| DB | N | manifest load + validate + normalise | apply, empty DB | apply, all N changed "
    "| no-op apply | diff: read + plan + render (all changed) | peak MiB diff / apply "
    "| styleguide loop, empty DB / all changed (cron-only) "
    "| apply, same cron tasks, empty / changed "
    "| speed-up empty / changed |"
)


def table(results: list[dict]) -> str:
    lines = [HEADER, "|" + " --- |" * HEADER.count(" |")]
    for result in results:
        label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[result["vendor"]]
        for row in result["rows"]:
            version = result["version"].split()[0]
            speedups = (
                f"{ratio(row.get('baseline_empty'), row.get('cron_apply_empty'))} / "
                f"{ratio(row.get('baseline'), row.get('cron_apply_changed'))}"
            )
            lines.append(
                f"| {label} {version} | {row['n']:,} | {fmt_time(row['load_seconds'])} "
                f"| {cell(row['apply_empty'])} | {cell(row['apply_changed'])} "
                f"| {cell(row['apply_noop'], writes=True)} | {cell(row['diff'])} "
                f"| {row['peak_mib_diff']:.1f} / {row['peak_mib_apply']:.1f} "
                f"| {baseline_cells(row)} {speedups} |"
            )
    return "\n".join(lines)


def targets(results: list[dict], processes: dict[str, dict[str, float]]) -> list[str]:
    lines = []
    for result in results:
        db, rows = result["vendor"], {row["n"]: row for row in result["rows"]}
        # Per scenario: the statements depend on which schedule kinds are present (an empty
        # kind inserts nothing), never on how many tasks there are.
        per_scenario = {
            key: sorted({row[key]["queries"] for row in rows.values() if row.get(key)})
            for key in ("apply_empty", "apply_changed", "cron_apply_empty", "cron_apply_changed")
        }
        met = all(len(c) == 1 and c[0] <= QUERY_TARGET for c in per_scenario.values() if c)
        seen = "; ".join(f"{key}: {c}" for key, c in per_scenario.items())
        lines.append(
            f"- {db}: apply query count constant in N and <= {QUERY_TARGET}: "
            f"{'MET' if met else 'NOT MET'} (counts over every N, per scenario: {seen})"
        )
        thousand = rows.get(1000)
        if thousand and thousand.get("baseline"):
            speedups = [
                thousand["baseline_empty"]["seconds"] / thousand["cron_apply_empty"]["seconds"],
                thousand["baseline"]["seconds"] / thousand["cron_apply_changed"]["seconds"],
            ]
            lines.append(
                f"- {db}: apply of 1,000 tasks >= {SPEEDUP_TARGET:.0f}x faster than the "
                f"styleguide loop: {'MET' if min(speedups) >= SPEEDUP_TARGET else 'NOT MET'} "
                f"({speedups[0]:.0f}x on an empty DB, {speedups[1]:.0f}x with every task changed)"
            )
        writes = [row["apply_noop"]["writes"] for row in rows.values()]
        lines.append(
            f"- {db}: no-op apply writes nothing: {'MET' if not any(writes) else 'NOT MET'} "
            f"(INSERT/UPDATE/DELETE statements per N: {writes})"
        )
        top = rows.get(10000)
        if top:
            part = top["diff"]["seconds"]
            whole = part + top["load_seconds"]
            lines.append(
                f"- {db}: diff of 10,000 tasks under {DIFF_TARGET:.0f} s: database read + plan + "
                f"render {fmt_time(part)}: {'MET' if part < DIFF_TARGET else 'NOT MET'}; with "
                f"the manifest load (+{fmt_time(top['load_seconds'])}) {fmt_time(whole)}: "
                f"{'MET' if whole < DIFF_TARGET else 'NOT MET'}"
            )
    for db, timings in processes.items():
        seconds = timings["validate"]
        lines.append(
            f"- {db}: `beat-sync validate` of {PROCESS_TASKS} tasks, whole process, under "
            f"{VALIDATE_TARGET:.0f} s: {'MET' if seconds < VALIDATE_TARGET else 'NOT MET'} "
            f"({fmt_time(seconds)} median)"
        )
    return lines


def machine(results: list[dict], load_start: tuple[float, ...]) -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kib / 2**20:.1f} GiB"
    versions = {r["vendor"]: r["version"] for r in results}
    packages = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Django", "django-celery-beat", "celery")
    )
    return [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {ram}; {platform.platform()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- SQLite {versions.get('sqlite', '-')} (temporary file database); "
        f"PostgreSQL {versions.get('postgresql', 'not run').split()[0]} on {PG_HOST}:{PG_PORT}",
        f"- 1-minute load average at the start / end of the run: {load_start[0]:.2f} / "
        f"{os.getloadavg()[0]:.2f} (anything above 0 is other work sharing the 2 cores)",
    ]


NOTES = """\
What is measured (wall time, `time.perf_counter`, median of 7 runs for N <= 1,000 and of 3 for
N = 10,000; the styleguide loop: median of 7 runs for N <= 100, one run from N = 1,000; q = SQL
statements sent through Django's connection, BEGIN, SAVEPOINT and the lock included):
- manifest load: `load_manifest` + `normalise` of the YAML files (500 tasks a file), reported
  apart from everything else; the diff and apply columns start from the normalised state.
- apply: `beat_sync.tables.apply_plan`, the function `beat-sync apply` calls (lock, read, plan,
  delete and recreate, change marker), on an empty database, and on a database holding the
  other variant of the same N tasks (every task changed). no-op: applying what the database
  already holds; its INSERT/UPDATE/DELETE statements are counted and must be 0.
- diff: `read_current_state` + `make_plan` + `render_text`, every task changed (the longest
  output). Not included: manifest load (its own column) and process start-up (below).
- peak MiB: tracemalloc's peak of Python allocations during one diff / one apply (every task
  changed), measured in a separate untimed run.
- styleguide loop: HackSoftware/Django-Styleguide-Example's `setup_periodic_tasks` handle as
  written there (`transaction.atomic`, queryset deletes, then one `CrontabSchedule.objects.create`
  and one `PeriodicTask.objects.create` per task) on cron-only tasks (name, task, five cron
  fields, enabled: all it can express); after each run beat-sync's plan of the same manifest is
  checked to be in sync, i.e. both write the same tasks. The apply column next to it applies that
  same cron-only manifest; speed-up = styleguide time / apply time.
"""


START_UP_NOTE = """\
`validate --no-check-tasks` reads and validates the manifest only (click, PyYAML, pydantic and
Celery's crontab parser); plain `validate` also sets Django up and imports the project's Celery
app to check that every `task` is registered: the difference between the two lines above is that
project load. Its imports are the project's own (django.setup() imports django.urls; the admin's
autodiscovery imports django_celery_beat.admin and with it django.template.defaultfilters;
config.celery imports celery.app), not beat-sync's: beat-sync already imports Django, the
database code and rendering only inside the commands that need them (beat_sync/cli.py loads a
command module only when it is invoked)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=7, help="runs of each whole-process timing")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.md")
    options = parser.parse_args()
    sizes = sorted(set(options.sizes) | {PROCESS_TASKS}) if PROCESS_TASKS else options.sizes

    load_start = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="beat-sync-bench-"))
    pg_database = f"beat_sync_bench_{os.getpid()}"
    pg_created = False
    results, processes, skipped = [], {}, []
    try:
        (folder / "empty").mkdir()
        (folder / "empty" / "none.yaml").write_text("periodic_tasks: []\n")
        for count in sizes:
            for variant in (0, 1):
                write_generated_manifest(folder / f"mixed_{count}_{variant}", count, variant)
                write_generated_manifest(
                    folder / f"cron_{count}_{variant}", count, variant, cron_only=True
                )

        databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
        if postgres_answers():
            pg_admin(f'CREATE DATABASE "{pg_database}"')
            pg_created = True
            url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{pg_database}"
            databases.append(("PostgreSQL", url))
        else:
            skipped.append(f"PostgreSQL: nothing answers on {PG_HOST}:{PG_PORT}; rows SKIPPED")
            print(skipped[-1], file=sys.stderr)

        for label, url in databases:
            print(f"{label}: measuring N = {', '.join(map(str, sizes))}", file=sys.stderr)
            result = measure(url, folder, sizes)
            result["rows"] = [row for row in result["rows"] if row["n"] in options.sizes]
            results.append(result)
            print(f"{label}: timing whole beat-sync processes", file=sys.stderr)
            processes[label] = whole_process(url, folder, options.runs)
        import_total, import_top = import_costs(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if pg_created:
            pg_admin(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')

    report = ["# beat-sync benchmark", "", "Produced by `make bench` (bench/run.py).", ""]
    report += machine(results, load_start) + [""] + skipped + ([""] if skipped else [])
    report += [table(results), "", NOTES]
    report += [f"Whole processes on a {PROCESS_TASKS}-task manifest (median of {options.runs} "
               "runs, after one warm-up run; start-up, Django and Celery set-up included; diff "
               f"shows all {PROCESS_TASKS} tasks changed):", ""]  # fmt: skip
    for label, timings in processes.items():
        report.append(
            f"- {label}: "
            + "; ".join(f"`beat-sync {name}` {fmt_time(s)}" for name, s in timings.items())
        )
    report += [
        "",
        f"Where `beat-sync validate` start-up goes (`python -X importtime`, top-level imports, "
        f"{import_total:.0f} ms of imports in all, inflated by the tracing itself):",
        "",
    ]
    report += [f"- `{name}`: {ms:.0f} ms" for name, ms in import_top]
    report += ["", START_UP_NOTE]
    report += ["", "## Targets", ""] + targets(results, processes)
    text = "\n".join(report) + "\n"
    print(text)
    options.output.write_text(text)
    print(f"written to {options.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
