"""`make bench`: the whole `beat-sync apply` against the styleguide's command, and the scale goals.

On SQLite (a temporary file) and on PostgreSQL (a database created for the run and dropped after
it; skipped, and said so, when nothing answers on 127.0.0.1:5432), bench.measure measures, in a
process of its own per database:

1. the headline (bench.whole): `beat-sync apply` against `manage.py
   styleguide_setup_periodic_tasks` on the same 1,000 cron tasks, as whole processes and
   in-process, the same runs on both sides, with apply's stage breakdown and `beat-sync diff`;
2. the scale goals: whole-process `diff` in sync and `apply` at 10,000 (both databases) and
   100,000 tasks (PostgreSQL), peak RSS included;
3. the stage table per N (bench.measure): apply_plan, diff's read + plan + render, statements;
4. `beat-sync next` (no database: the SQLite pass only) and `beat-sync status` at 10,000 tasks,
   as whole processes and as the work past start-up of cold in-process runs (bench.inprocess).

Then `beat-sync validate` (with and without --no-check-tasks) as whole processes, and where its
start-up goes (`python -X importtime`). Prints the report and writes it to bench/results.md,
with the machine and the commit measured. Leaves no database and no file behind.

    python -m bench.run [--runs 3] [--headline 1000] [--scale 10000] [--scale-postgres 100000]
                        [--sizes 10 100 1000 10000] [--next-status 10000]
                        [--cases headline scale stages next-status validate]
                        [--output bench/results.md]

`--cases` runs only the cases named (all by default), e.g. `--cases next-status --output
/tmp/next-status.md` for the next/status rows alone; the report then says which ran.
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
from importlib import metadata
from pathlib import Path

from bench import processes
from bench.stages import STAGES, START_UP
from tests.support.manifests import write_generated_manifest
from tests.support.servers import answers
from tests.support.tables import readme_statement_counts

REPO = Path(__file__).resolve().parents[1]
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
VALIDATE_TASKS = 100
# The goals (issue 13, "Scale and start-up"; issue 14, "The benchmark").
SPEEDUP_GOAL = 30.0  # whole apply command at the headline N, both databases
DIFF_10K_GOAL = 1.0  # s, whole `beat-sync diff` in sync, 10,000 tasks, both databases
APPLY_100K_GOAL, APPLY_100K_RSS_GOAL, DIFF_100K_GOAL = 15.0, 2**30, 8.0  # PostgreSQL
APPLY_PLAN_10K_GOAL = 0.5  # s, apply_plan of 10,000 changed tasks
VALIDATE_GOAL = 0.15  # s, whole `beat-sync validate --no-check-tasks`
# issue 12, "When will it run?": `next` and `status` at 10,000 tasks, s of work past start-up
NEXT_STATUS_GOAL, NEXT_STATUS_N = 1.0, 10_000
CASES = ("headline", "scale", "stages", "next-status", "validate")


# --- running -------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


def measure(database_url: str, folder: Path, args: list[str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.measure", database_url, str(folder), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def validate_processes(folder: Path, runs: int) -> dict[str, dict]:
    """Whole `beat-sync validate` processes on the 100-task manifest (no database read)."""
    shown = str(folder / f"mixed_{VALIDATE_TASKS}_1")
    url = "sqlite:///:memory:"
    results = {}
    for label, args in (
        ("validate --no-check-tasks", ["validate", "--no-check-tasks", shown]),
        ("validate", ["validate", shown]),
    ):
        processes.beat_sync(args, url)  # warm the OS file cache
        measured = [processes.beat_sync(args, url) for _ in range(runs)]
        results[label] = {
            "median": statistics.median(r.seconds for r in measured),
            "min": min(r.seconds for r in measured),
            "max": max(r.seconds for r in measured),
            "peak_rss": max(r.peak_rss for r in measured),
            "runs": runs,
        }
    return results


IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def import_costs(folder: Path, top: int = 8) -> tuple[float, list[tuple[str, float]]]:
    """(total import ms, the costliest top-level imports by cumulative ms) of
    `beat-sync validate --no-check-tasks` on the 100-task manifest (`python -X importtime`)."""
    env = processes.command_env("sqlite:///:memory:")
    code = "import sys; from beat_sync.cli import main; sys.argv[0] = 'beat-sync'; main()"
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, "validate", "--no-check-tasks",
         str(folder / f"mixed_{VALIDATE_TASKS}_1")],
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
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_spread(figure: dict) -> str:
    """`1.23 s (1.20-1.31)`: median (min-max) of the runs."""
    return f"{fmt_time(figure['median'])} ({fmt_time(figure['min'])}-{fmt_time(figure['max'])})"


def fmt_mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STAGE_NAMES = (*STAGES, "other")


def stage_text(stages: dict[str, float]) -> str:
    total = sum(stages.values()) or 1.0
    return ", ".join(
        f"{name} {fmt_time(stages[name])} ({stages[name] / total:.0%})"
        for name in STAGE_NAMES
        if stages.get(name)
    )


def headline_section(results: list[dict]) -> tuple[list[str], list[str]]:
    """The whole-command table, apply's stages, diff; and the 30x goal lines."""
    lines: list[str] = []
    goals: list[str] = []
    first = next((r["headline"] for r in results if "headline" in r), None)
    if first is None:
        return lines, goals
    n, runs = first["n"], first["runs"]
    lines += [
        f"## The whole command: `beat-sync apply` vs the styleguide's command, {n:,} cron tasks",
        "",
        f"Median (min-max) of {runs} runs per side, interleaved; peak RSS of the whole processes. "
        "`whole process`: `beat-sync apply --schedules DIR` against `python "
        "example_project/manage.py styleguide_setup_periodic_tasks --data-module M` (its tasks "
        "written in Python as the styleguide writes them), interpreter start-up, imports, "
        "Django set-up, validation, the check against the Celery app and the printed plan "
        "included. `in-process`: beat-sync's click command against the styleguide command's "
        "`handle`, Django already set up. Each run starts from the scenario's tables (set up "
        "untimed); after each, the tables are checked to hold the N tasks (untimed).",
        "",
        "| DB | scenario | how | styleguide command | beat-sync apply | speed-up "
        "| peak RSS styleguide / beat-sync |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        head = result.get("headline")
        if not head:
            continue
        label = LABELS[result["vendor"]]
        speedups = []
        for row in head["rows"]:
            ours, theirs = row["beat-sync apply"], row["styleguide"]
            speedup = theirs["median"] / ours["median"]
            speedups.append((speedup, row))
            rss = row.get("peak_rss") or {}
            memory = (
                f"{fmt_mib(rss['styleguide'])} / {fmt_mib(rss['beat-sync apply'])}" if rss else "-"
            )
            lines.append(
                f"| {label} | {row['scenario']} | {row['how']} | {fmt_spread(theirs)} "
                f"| {fmt_spread(ours)} | {speedup:.1f}x | {memory} |"
            )
        worst = min(speedups, key=lambda pair: pair[0])
        goals.append(
            f"- {label}: whole `beat-sync apply` at least {SPEEDUP_GOAL:.0f}x faster than the "
            f"styleguide command at {n:,} tasks: {met(worst[0] >= SPEEDUP_GOAL)} ("
            + "; ".join(f"{row['scenario']}, {row['how']}: {s:.1f}x" for s, row in speedups)
            + ")"
        )
    lines += ["", f"Where in-process `beat-sync apply` spends its time ({n:,} tasks, median):", ""]
    for result in results:
        for row in (result.get("headline") or {}).get("rows", []):
            if "stages" in row:
                lines.append(
                    f"- {LABELS[result['vendor']]}, {row['scenario']}: {stage_text(row['stages'])}"
                )
    lines += [
        "",
        f"`beat-sync diff --exit-code` at {n:,} cron tasks (no styleguide counterpart):",
        "",
    ]
    for result in results:
        for figure in (result.get("headline") or {}).get("diff", []):
            lines.append(
                f"- {LABELS[result['vendor']]}, {figure['scenario']}: whole process "
                f"{fmt_spread(figure['whole process'])}, peak RSS {fmt_mib(figure['peak_rss'])}; "
                f"in-process {fmt_spread(figure['in-process'])}: {stage_text(figure['stages'])}"
            )
    return lines + [""], goals


def scale_section(results: list[dict]) -> tuple[list[str], list[str]]:
    lines = ["## Scale: whole processes on generated manifests (every schedule kind)", ""]
    lines += [
        "| DB | N | command | scenario | whole process, median (min-max) | peak RSS |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    goals: list[str] = []
    for result in results:
        label = LABELS[result["vendor"]]
        for figures in result.get("scale", []):
            n = figures["n"]
            for command, figure in figures.items():
                if command == "n":
                    continue
                name, _, scenario = command.partition(", ")
                lines.append(
                    f"| {label} | {n:,} | `beat-sync {name}` | {scenario} | {fmt_spread(figure)} "
                    f"| {fmt_mib(figure['peak_rss'])} |"
                )
            diff = figures["diff, in sync"]
            split = f"in-process {fmt_time(diff['in_process'])}: {stage_text(diff['stages'])}"
            if n == 10_000:
                goals.append(
                    f"- {label}: whole `beat-sync diff` of 10,000 tasks in sync under "
                    f"{DIFF_10K_GOAL:.0f} s: {met(diff['median'] < DIFF_10K_GOAL)} "
                    f"({fmt_spread(diff)}; {split})"
                )
            if n == 100_000:
                apply = figures["apply, empty tables"]
                ok = apply["median"] < APPLY_100K_GOAL and apply["peak_rss"] < APPLY_100K_RSS_GOAL
                goals.append(
                    f"- {label}: whole `beat-sync apply` of 100,000 tasks under "
                    f"{APPLY_100K_GOAL:.0f} s and 1 GiB: {met(ok)} (empty tables: "
                    f"{fmt_spread(apply)}, {fmt_mib(apply['peak_rss'])}; every task changed: "
                    f"{fmt_spread(figures['apply, all 100,000 changed'])}, "
                    f"{fmt_mib(figures['apply, all 100,000 changed']['peak_rss'])})"
                )
                goals.append(
                    f"- {label}: whole `beat-sync diff` of 100,000 tasks in sync under "
                    f"{DIFF_100K_GOAL:.0f} s: {met(diff['median'] < DIFF_100K_GOAL)} "
                    f"({fmt_spread(diff)}, {fmt_mib(diff['peak_rss'])}; {split})"
                )
    return lines + [""], goals


def cell(measurement: dict | None, writes: bool = False) -> str:
    if not measurement:
        return "not run"
    extra = f", {measurement['writes']} writes" if writes else ""
    return f"{fmt_time(measurement['seconds'])} ({measurement['queries']} q{extra})"


STAGE_HEADER = (
    "| DB | N | load + validate + normalise | apply_plan, empty DB | apply_plan, all N changed "
    "| no-op apply_plan | diff: read + plan + render (all changed) | peak MiB diff / apply |"
)


def stage_table(results: list[dict]) -> tuple[list[str], list[str]]:
    lines = [
        "## The stages in-process, per N (generated manifests, every schedule kind)",
        "",
        STAGE_HEADER,
        "|" + " --- |" * STAGE_HEADER.count(" |"),
    ]
    goals = []
    for result in results:
        label = LABELS[result["vendor"]]
        for row in result["rows"]:
            lines.append(
                f"| {label} | {row['n']:,} | {fmt_time(row['load_seconds'])} "
                f"| {cell(row['apply_empty'])} | {cell(row['apply_changed'])} "
                f"| {cell(row['apply_noop'], writes=True)} | {cell(row['diff'])} "
                f"| {row['peak_mib_diff']:.1f} / {row['peak_mib_apply']:.1f} |"
            )
        rows = {row["n"]: row for row in result["rows"]}
        if not rows:
            continue
        # README's "at most" (BEGIN/COMMIT included): the promise test_tables.py holds exactly.
        limit = readme_statement_counts()["most"][result["vendor"] == "postgresql"]
        counts = {
            key: sorted({row[key]["queries"] for row in rows.values()})
            for key in ("apply_empty", "apply_changed")
        }
        ok = all(len(c) == 1 and c[0] <= limit for c in counts.values())
        goals.append(
            f"- {label}: apply's statements constant in N and at most {limit}: {met(ok)} ("
            + "; ".join(f"{key}: {c}" for key, c in counts.items())
            + ")"
        )
        writes = [row["apply_noop"]["writes"] for row in rows.values()]
        goals.append(
            f"- {label}: a no-op apply writes nothing: {met(not any(writes))} "
            f"(INSERT/UPDATE/DELETE statements per N: {writes})"
        )
        if 10_000 in rows:
            seconds = rows[10_000]["apply_changed"]["seconds"]
            goals.append(
                f"- {label}: `apply_plan` of 10,000 changed tasks under "
                f"{fmt_time(APPLY_PLAN_10K_GOAL)}: {met(seconds < APPLY_PLAN_10K_GOAL)} "
                f"({fmt_time(seconds)})"
            )
    return lines + ["", STAGE_NOTES], goals


NEXT_STATUS_NOTES = """\
Whole process: `beat-sync next|status --schedules DIR` from start to exit ({runs} runs; peak
RSS of those). In-process, cold: the click command run once in a fresh process (bench.inprocess,
{runs} runs), Django set up before the timer, every cache cold. Work past start-up: that run
less what every command reading the manifest does first (project, YAML load, validation, the
check against the Celery app, lints, normalise: `beat-sync validate`'s work), i.e. the runs
asked of Celery and printing for `next`; the tables' read, each row's health and next run, and
printing for `status`. `next` reads no database: measured once. `status` runs on the N tasks
just applied (no run yet: rows sharing a schedule share their next runs), then with every
enabled row that is not a one-off run once at its own moment of the last hour (no two rows
share a next-run computation). On PostgreSQL each set-up ends with `VACUUM (FULL, ANALYZE)` of
the beat tables (untimed), so that the tables hold the N tasks as a database holding them keeps
them: the cases run before leave hundreds of thousands of dead rows (a 100,000-task apply, and
this server's autovacuum may be off: see the machine above), which the read would scan through."""


def next_status_section(results: list[dict]) -> tuple[list[str], list[str]]:
    """The next/status table, where their work past start-up goes, and the goal lines."""
    lines: list[str] = []
    goals: list[str] = []
    rows = [(r["vendor"], f) for r in results for f in r.get("next_status", [])]
    if not rows:
        return lines, goals
    runs = rows[0][1]["whole process"]["runs"]
    lines += [
        "## `beat-sync next` and `beat-sync status` (generated manifests, every schedule kind)",
        "",
        NEXT_STATUS_NOTES.format(runs=runs),
        "",
        "| DB | N | command | scenario | whole process | in-process, cold | work past start-up "
        "| peak RSS |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    splits = []
    for vendor, figure in rows:
        label = "-" if figure["command"] == "next" else LABELS[vendor]
        past = figure["past start-up"]
        lines.append(
            f"| {label} | {figure['n']:,} | `beat-sync {figure['command']}` | {figure['scenario']} "
            f"| {fmt_spread(figure['whole process'])} | {fmt_spread(figure['in-process'])} "
            f"| {fmt_spread(past)} | {fmt_mib(figure['peak_rss'])} |"
        )
        own = {k: v for k, v in figure["stages"].items() if k not in START_UP}
        start_up = sum(v for k, v in figure["stages"].items() if k in START_UP)
        where = f"{label}, `{figure['command']}`, {figure['scenario']}"
        splits.append(
            f"- {where}: start-up stages {fmt_time(start_up)}; past them: {stage_text(own)}"
        )
        if figure["n"] == NEXT_STATUS_N:
            who = "" if label == "-" else f"{label}: "
            goals.append(
                f"- {who}`beat-sync {figure['command']}` of {NEXT_STATUS_N:,} tasks "
                f"({figure['scenario']}) under {NEXT_STATUS_GOAL:.0f} s of work past start-up: "
                f"{met(past['median'] < NEXT_STATUS_GOAL)} ({fmt_spread(past)}; whole process "
                f"{fmt_spread(figure['whole process'])})"
            )
    lines += ["", "Where the cold in-process runs spend their time (median):", "", *splits, ""]
    return lines, goals


STAGE_NOTES = """\
Median of 7 runs for N <= 1,000 and of 3 for N = 10,000 (q = SQL statements sent through Django's
connection, BEGIN, SAVEPOINT and the lock included). load + validate + normalise:
`load_manifest` + `normalise` of the YAML files (500 tasks a file). apply_plan:
`beat_sync.tables.apply_plan`, what `beat-sync apply` calls after validating (lock, read, plan,
delete and recreate, change marker), on an empty database, and on one holding the other variant
of the N tasks. no-op: applying what the tables hold; its writes must be 0. diff: the database
read, plan and text render with every task changed. Peak MiB: tracemalloc's peak of Python
allocations in one untimed run.
"""


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "beat_sync", "bench")
    return head + (" with uncommitted changes to beat_sync/ or bench/" if dirty else "")


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
    autovacuum = next((r["autovacuum"] for r in results if "autovacuum" in r), None)
    vacuum = f" (autovacuum {autovacuum})" if autovacuum else ""
    packages = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Django", "django-celery-beat", "celery")
    )
    return [
        f"- Commit measured: {commit()}",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {ram}; {platform.platform()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- SQLite {versions.get('sqlite', '-')} (temporary file database); "
        f"PostgreSQL {versions.get('postgresql', 'not run').split()[0]} on {PG_HOST}:{PG_PORT}"
        f"{vacuum}",
        f"- 1-minute load average at the start / end of the run: {load_start[0]:.2f} / "
        f"{os.getloadavg()[0]:.2f} (anything above 0 is other work sharing the cores)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per side of the headline")
    parser.add_argument("--headline", type=int, default=1000, help="tasks of the headline")
    parser.add_argument("--scale", type=int, nargs="*", default=[10_000])
    parser.add_argument("--scale-postgres", type=int, nargs="*", default=[100_000])
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 1000, 10_000])
    parser.add_argument("--next-status", type=int, nargs="*", default=[NEXT_STATUS_N])
    parser.add_argument(
        "--cases", nargs="+", choices=CASES, default=list(CASES), help="the cases to run"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.md")
    options = parser.parse_args()
    cases = set(options.cases)
    if "headline" not in cases:
        options.headline = 0
    if "stages" not in cases:
        options.sizes = []
    if "scale" not in cases:
        options.scale, options.scale_postgres = [], []
    if "next-status" not in cases:
        options.next_status = []

    load_start = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="beat-sync-bench-"))
    pg_database = f"beat_sync_bench_{os.getpid()}"
    pg_created = False
    results, skipped = [], []
    try:
        every = {*options.sizes, *options.scale, *options.scale_postgres, *options.next_status}
        every |= {VALIDATE_TASKS} if "validate" in cases else set()
        for count in sorted(every):
            for variant in (0, 1):
                write_generated_manifest(folder / f"mixed_{count}_{variant}", count, variant)
        if options.headline:
            for variant in (0, 1):
                write_generated_manifest(
                    folder / f"cron_{options.headline}_{variant}",
                    options.headline,
                    variant,
                    cron_only=True,
                )
        databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", [])]
        if answers(PG_HOST, PG_PORT):
            pg_admin(f'CREATE DATABASE "{pg_database}"')
            pg_created = True
            url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{pg_database}"
            databases.append(("PostgreSQL", url, options.scale_postgres))
        else:
            skipped.append(f"PostgreSQL: nothing answers on {PG_HOST}:{PG_PORT}; rows SKIPPED")
            print(skipped[-1], file=sys.stderr)
        for label, url, extra_scale in databases:
            print(f"{label}: measuring", file=sys.stderr, flush=True)
            args = ["--runs", str(options.runs), "--headline", str(options.headline)]
            args += ["--scale-runs", str(options.scale_runs)]
            args += ["--sizes", *map(str, options.sizes)]
            args += ["--scale", *map(str, [*options.scale, *extra_scale])]
            args += ["--next-status", *map(str, options.next_status)]
            args += ["--no-next"] if results else []  # next reads no database: measured once
            results.append(measure(url, folder, args))
        validation: dict[str, dict] = {}
        if "validate" in cases:
            print("validate: timing whole processes", file=sys.stderr, flush=True)
            validation = validate_processes(folder, runs=7)
            import_total, import_top = import_costs(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if pg_created:
            pg_admin(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')

    headline, headline_goals = headline_section(results)
    scale, scale_goals = scale_section(results) if options.scale else ([], [])
    stages, stage_goals = stage_table(results) if options.sizes else ([], [])
    next_status, next_status_goals = next_status_section(results)
    validate_goals = []
    if validation:
        quick = validation["validate --no-check-tasks"]
        validate_goals.append(
            f"- `beat-sync validate --no-check-tasks` of {VALIDATE_TASKS} tasks (what pre-commit "
            f"runs), whole process, under {fmt_time(VALIDATE_GOAL)}: "
            f"{met(quick['median'] < VALIDATE_GOAL)} ({fmt_spread(quick)})"
        )
    report = ["# beat-sync benchmark", "", "Produced by `make bench` (bench/run.py).", ""]
    report += machine(results, load_start) + [""] + skipped + ([""] if skipped else [])
    if cases != set(CASES):
        report += [f"Cases run: {', '.join(c for c in CASES if c in cases)} (`--cases`); "
                   "the others were not run.", ""]  # fmt: skip
    report += ["## Goals", ""]
    report += headline_goals + scale_goals + stage_goals + next_status_goals + validate_goals
    report += ["", *headline, *scale, *stages, *next_status]
    if validation:
        report += ["## Start-up: `beat-sync validate`, whole processes", ""]
        report += [
            f"- `beat-sync {name}` of {VALIDATE_TASKS} tasks: {fmt_spread(figure)}, peak RSS "
            f"{fmt_mib(figure['peak_rss'])} ({figure['runs']} runs after a warm-up)"
            for name, figure in validation.items()
        ]
        report += [
            "",
            f"Where `beat-sync validate --no-check-tasks` start-up goes (`python -X importtime`, "
            f"top-level imports, {import_total:.0f} ms of imports in all, inflated by the "
            "tracing):",
            "",
        ]
        report += [f"- `{name}`: {ms:.0f} ms" for name, ms in import_top]
    text = "\n".join(report) + "\n"
    print(text)
    options.output.write_text(text)
    print(f"written to {options.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
