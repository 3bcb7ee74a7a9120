"""Property: the next runs `beat-sync next` and `beat-sync diff` report are the moments a real
DatabaseScheduler entry (django-celery-beat's ModelEntry, built from the applied row) finds due,
asked `is_due` on a stopped clock: not due just before each reported run, due at it, and, after
the runs run out (expired, one-off), never due again. The clock starts around the 2027
daylight-saving changes of America/New_York and Europe/Sofia; crons sit in the hours they move.

Two ways in: `next --from L` for rows that have never run (their `date_changed` set to L, as a
row applied at L), and `diff` (BEAT_SYNC_NOW=L) for changed tasks whose rows beat ran at some
moment before L (apply keeps that `last_run_at`, and the runs count from it).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beat_sync.cli import main
from tests.support.samples import PENDING

pytestmark = pytest.mark.django_db

RUNS = 3
# Around each 2027 change: New York springs forward 14 March and falls back 7 November, Sofia
# 28 March and 31 October.
TRANSITIONS = [
    datetime(2027, 3, 13, 5, tzinfo=UTC),
    datetime(2027, 3, 27, 0, tzinfo=UTC),
    datetime(2027, 10, 30, 0, tzinfo=UTC),
    datetime(2027, 11, 6, 4, tzinfo=UTC),
]
starts = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from(TRANSITIONS),
    st.integers(0, 60 * 48),
)
cron = st.fixed_dictionaries(
    {
        "minute": st.sampled_from(["0", "30", "*/20", "15,45", "59"]),
        "hour": st.sampled_from(["*", "1", "2", "3", "1-4", "0,2", "*/3"]),
        "day_of_week": st.sampled_from(["*", "mon-fri", "sun"]),
        "day_of_month": st.sampled_from(["*", "*", "1-15"]),
        "timezone": st.sampled_from(["America/New_York", "Europe/Sofia", "UTC"]),
    }
)
interval = st.fixed_dictionaries(
    {
        "every": st.integers(1, 500),
        "period": st.sampled_from(["days", "hours", "minutes", "seconds"]),
    }
)
solar = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["sunrise", "sunset", "solar_noon"]),
        "latitude": st.sampled_from([42.697708, 40.712776, -33.8688]),
        "longitude": st.sampled_from([23.321868, -74.005974, 151.2093]),
    }
)
hours = st.integers(-72, 24 * 20).map(lambda n: timedelta(hours=n))


@st.composite
def manifests(draw, start: datetime) -> list[dict]:
    count = draw(st.integers(1, 4))
    tasks = []
    for index in range(count):
        task: dict = {"name": f"task {index}", "task": PENDING}
        kind = draw(st.sampled_from(["cron", "cron", "interval", "solar", "clocked"]))
        if kind == "clocked":
            task["clocked"] = (start + draw(hours)).isoformat()
            task["one_off"] = True
        else:
            task[kind] = draw({"cron": cron, "interval": interval, "solar": solar}[kind])
            task["one_off"] = index == 0 and draw(st.booleans())
        if draw(st.booleans()):
            task["start_time"] = (start + draw(hours)).isoformat()
        if draw(st.booleans()):
            task["expires"] = (start + abs(draw(hours)) + timedelta(minutes=1)).isoformat()
        tasks.append(task)
    return tasks


def cli(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def stopped_clock(entry, moment: datetime):
    """`entry` (and its schedule) reading the time as `moment`, as beat's clock would."""
    entry._default_now = lambda: moment.astimezone(entry.app.timezone)
    entry.schedule.nowfun = lambda: moment
    return entry


def assert_entry_runs_at(name: str, start: datetime, runs: list[datetime]) -> None:
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from beat_sync.project import celery_app

    model = PeriodicTask.objects.get(name=name)
    entry = ModelEntry(model, app=celery_app())
    previous = start
    for run in runs:
        assert run >= previous, (name, runs)
        if run > previous:
            before = run - min(timedelta(seconds=1), (run - previous) / 2)
            assert not stopped_clock(entry, before).is_due()[0], (name, before, runs)
        assert stopped_clock(entry, run).is_due()[0], (name, run, runs)
        entry = stopped_clock(next(entry), run)  # beat sends it: last_run_at = run, count + 1
        previous = run
    if len(runs) < RUNS:  # it will not run again: expired, or a one-off that ran
        later = previous + timedelta(days=800)
        assert not stopped_clock(entry, later).is_due()[0], (name, runs)


def write(folder: Path, tasks: list[dict]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tasks.yaml").write_text(yaml.safe_dump({"periodic_tasks": tasks}))
    return str(folder)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), start=starts, ran=st.integers(1, 60 * 24 * 3))
def test_next_and_diff_report_the_runs_a_database_scheduler_entry_finds_due(
    data, start, ran, tmp_path_factory
):
    from django_celery_beat.models import PeriodicTask

    tasks = data.draw(manifests(start))
    folder = write(tmp_path_factory.mktemp("schedules"), tasks)
    cli("apply", "--allow-empty", "--schedules", folder)

    # next: rows applied at `start`, never run (and enabled, as the manifest says: apply keeps
    # a one-off that an earlier example's entry disabled, as beat does, disabled).
    PeriodicTask.objects.update(
        date_changed=start, last_run_at=None, total_run_count=0, enabled=True
    )
    for task in tasks:
        shown = cli(
            "next",
            task["name"],
            "--schedules",
            folder,
            "--from",
            start.isoformat(),
            "--count",
            str(RUNS),
            "--format",
            "json",
        )
        runs = [datetime.fromisoformat(run["at"]) for run in json.loads(shown.stdout)["runs"]]
        assert_entry_runs_at(task["name"], start, runs)

    # diff: every task changed (its description), its row last run by beat `ran` minutes before
    # (and enabled again: the entries above disabled the one-offs that ran, as beat does).
    last_run = start - timedelta(minutes=ran)
    PeriodicTask.objects.update(last_run_at=last_run, total_run_count=0, enabled=True)
    changed = write(
        tmp_path_factory.mktemp("changed"),
        [{**task, "description": "changed"} for task in tasks],
    )
    shown = cli(
        "diff",
        "--schedules",
        changed,
        "--format",
        "json",
        env={"BEAT_SYNC_NOW": start.isoformat()},
    )
    changes = json.loads(shown.stdout)["changes"]
    assert [change["action"] for change in changes] == ["change"] * len(tasks)
    for change in changes:
        runs = [datetime.fromisoformat(at) for at in change["next_runs"]]
        assert_entry_runs_at(change["name"], start, runs)
