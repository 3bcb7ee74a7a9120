"""`beat-sync status`: every row with its schedule, last and next run and health, read in one
query; --exit-code for a monitoring job; JSON; an unmigrated database is one line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beat_sync.cli import main
from beat_sync.state import ClockedSchedule, IntervalSchedule, TaskState
from beat_sync.tables import apply_plan
from tests.support.manifests import interval_manifest, write_manifest
from tests.support.processes import run_beat_sync, user_env
from tests.support.samples import PENDING, PURGE, cron

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # BEAT_SYNC_NOW of tests/conftest.py


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def rows(**updates_by_name: dict) -> None:
    from django_celery_beat.models import PeriodicTask

    for name, values in updates_by_name.items():
        assert PeriodicTask.objects.filter(name=name).update(**values) == 1, name


def manifest_of(tasks: list[TaskState], tmp_path) -> str:
    """A manifest declaring `tasks` (interval ones, as the tables hold them here)."""
    lines = ["periodic_tasks:"]
    for task in tasks:
        lines += [f"  - name: {task.name}", f"    task: {task.task}"]
        schedule = task.schedule
        if isinstance(schedule, IntervalSchedule):
            lines.append(f"    interval: {{every: {schedule.every}, period: {schedule.period}}}")
        elif isinstance(schedule, ClockedSchedule):
            lines.append(f'    clocked: "{schedule.clocked_time.isoformat()}"')
        else:
            lines.append(f'    cron: "{schedule.expression}"')
        if task.one_off:
            lines.append("    one_off: true")
        if task.expires:
            lines.append(f'    expires: "{task.expires.isoformat()}"')
        if not task.enabled:
            lines.append("    enabled: false")
    return str(write_manifest(tmp_path / "schedules", "\n".join(lines) + "\n"))


@pytest.mark.django_db
def test_an_interval_three_periods_late_is_overdue_until_a_run_is_recorded(tmp_path):
    hourly = TaskState(name="Hourly", task=PENDING, schedule=IntervalSchedule(1, "hours"))
    apply_plan([hourly])
    folder = manifest_of([hourly], tmp_path)
    rows(Hourly={"last_run_at": NOW - timedelta(hours=3), "total_run_count": 7})

    late = cli("status", "--exit-code", "--schedules", folder)
    assert late.exit_code == 2
    assert late.stdout == (
        "NAME    SCHEDULE               ENABLED  LAST RUN                             RUNS  "
        "NEXT RUN          HEALTH\n"
        "Hourly  interval every 1 hour  yes      Sat 28 Nov 2026 09:00 UTC (3 h ago)  7     "
        "now (owed a run)  overdue\n"
        "1 periodic task: 1 overdue\n"
    )
    rows(Hourly={"last_run_at": NOW - timedelta(minutes=20), "total_run_count": 8})
    recorded = cli("status", "--exit-code", "--schedules", folder)
    assert recorded.exit_code == 0
    assert recorded.stdout.splitlines()[1] == (
        "Hourly  interval every 1 hour  yes      Sat 28 Nov 2026 11:40 UTC (20 min ago)  8     "
        "Sat 28 Nov 2026 12:40 UTC  ok"
    )
    # Late by less than a period plus beat's 5 s: owed a run, not yet overdue.
    rows(Hourly={"last_run_at": NOW - timedelta(hours=2) + timedelta(seconds=1)})
    assert cli("status", "--exit-code", "--schedules", folder).exit_code == 0


@pytest.mark.django_db
def test_every_health(tmp_path):
    every_day = IntervalSchedule(1, "days")
    tasks = [
        TaskState(name="a ok", task=PENDING, schedule=every_day),
        TaskState(name="b never run", task=PENDING, schedule=cron("30 3 * * *", "Europe/Sofia")),
        TaskState(name="c overdue", task=PENDING, schedule=every_day),
        TaskState(name="d disabled", task=PENDING, schedule=every_day, enabled=False),
        TaskState(
            name="e spent",
            task=PURGE,
            schedule=ClockedSchedule(NOW - timedelta(days=1)),
            one_off=True,
        ),
        TaskState(name="f expired", task=PENDING, schedule=every_day, expires=NOW - timedelta(1)),
        TaskState(name="g not in manifest", task=PENDING, schedule=every_day),
    ]
    apply_plan(tasks)
    folder = manifest_of(tasks[:-1], tmp_path)
    rows(
        **{
            "a ok": {"last_run_at": NOW - timedelta(hours=1), "total_run_count": 1},
            "b never run": {"date_changed": NOW - timedelta(hours=1)},
            "c overdue": {"last_run_at": NOW - timedelta(days=3), "total_run_count": 2},
            # what beat leaves of a one-off that ran: disabled, its run count reset
            "e spent": {"enabled": False},
            "f expired": {"enabled": False},
        }
    )
    result = cli("status", "--format", "json", "--schedules", folder)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert {task["name"]: task["health"] for task in document["tasks"]} == {
        "a ok": "ok",
        "b never run": "never run",
        "c overdue": "overdue",
        "d disabled": "disabled",
        "e spent": "spent",
        "f expired": "expired",
        "g not in manifest": "not in manifest",
    }
    never, overdue = document["tasks"][1], document["tasks"][2]
    assert (never["last_run_at"], never["next_run"]) == (None, "2026-11-29T01:30:00+00:00")
    assert overdue["last_run_at"] == "2026-11-25T12:00:00+00:00"
    assert (overdue["due_at"], overdue["next_run"]) == (
        "2026-11-26T12:00:00+00:00",
        "2026-11-28T12:00:00+00:00",
    )
    assert document["tasks"][3]["next_run"] is None
    text = cli("status", "--schedules", folder).stdout
    assert text.splitlines()[-1] == (
        "7 periodic tasks: 1 ok, 1 never run, 1 overdue, 1 disabled, 1 spent, 1 expired, "
        "1 not in manifest"
    )
    assert "Sun 29 Nov 2026 03:30 EET (UTC+02:00)" in text  # a cron's next run in its zone


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 60])
def test_one_query_whatever_the_number_of_tasks(tmp_path, count):
    names = [f"task {index}" for index in range(count)]
    folder = write_manifest(tmp_path / "schedules", interval_manifest(names))
    assert cli("apply", "--schedules", str(folder)).exit_code == 0
    with CaptureQueriesContext(connection) as queries:
        result = cli("status", "--schedules", str(folder))
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == count + 2
    # The tasks with their schedules; the ownership records (drift, manage = owned).
    assert len(queries) == 2, [query["sql"] for query in queries]


def test_tables_not_migrated_is_one_line_exit_1(tmp_path):
    (tmp_path / "empty.sqlite3").touch()  # an empty SQLite database
    env = {**user_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    folder = write_manifest(tmp_path / "s", interval_manifest(["x"]))
    result = run_beat_sync("status", "--schedules", str(folder), env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"beat-sync: error: django-celery-beat tables not found in database 'default' "
        f"(sqlite {tmp_path / 'empty.sqlite3'}) — run `python manage.py migrate`\n"
    )


@pytest.mark.django_db
def test_manage_py_runs_status(tmp_path):
    from django.core.management import call_command

    folder = write_manifest(tmp_path / "schedules", interval_manifest(["x"]))
    call_command("beat_sync", "apply", "--schedules", str(folder))
    call_command("beat_sync", "status", "--exit-code", "--schedules", str(folder))


# Rows written in the Django admin, by hand or by another program, with values the manifest
# refuses: status shows each with no next run and one warning line naming it, never a traceback.
ODD_ROWS = {
    "interval period": (
        "interval",
        {"period": "fortnights"},
        "Celery cannot build its schedule (interval every 1 fortnight): 'fortnights' is an "
        "invalid keyword argument for __new__(); beat does not run it",
    ),
    "interval too long": (
        "interval",
        {"every": 2147483647, "period": "days"},
        "Celery cannot build its schedule (interval every 2147483647 days): days=2147483647; "
        "must have magnitude <= 999999999; beat does not run it",
    ),
    "interval zero": (
        "interval",
        {"every": 0},
        "its interval (interval every 0 hours) is not positive: beat finds it due at every "
        "check and sends it over and over",
    ),
    "cron minute 61": (
        "crontab",
        {"minute": "61"},
        "Celery cannot build its schedule (cron 61 3 * * * (UTC)): Invalid end range: 61 > 59; "
        "beat does not run it",
    ),
    "cron 30 February": (
        "crontab",
        {"day_of_month": "30", "month_of_year": "2"},
        "Celery cannot build its schedule (cron 30 3 30 2 * (UTC)): Invalid crontab: "
        "day_of_month '30' never occurs in month_of_year '2'; beat does not run it",
    ),
    "cron empty zone": (
        "crontab",
        {"timezone": ""},
        "its crontab has no time zone (the column is empty), so its runs cannot be computed",
    ),
    "cron unknown zone": (
        "crontab",
        {"timezone": "Mars/Olympus"},
        "its crontab's time zone 'Mars/Olympus' is not one this machine's tzdata knows, so its "
        "runs cannot be computed here",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("odd", list(ODD_ROWS))
def test_a_row_whose_schedule_beat_cannot_run_is_one_warning_and_no_next_run(tmp_path, odd):
    from django_celery_beat.models import PeriodicTask

    column, values, reason = ODD_ROWS[odd]
    schedule = IntervalSchedule(1, "hours") if column == "interval" else cron("30 3 * * *")
    fine = TaskState(name="Fine", task=PENDING, schedule=IntervalSchedule(2, "hours"))
    apply_plan([fine, TaskState(name="Odd", task=PENDING, schedule=schedule)])
    folder = manifest_of([fine], tmp_path)
    # what the admin's form would refuse, written as by hand (SQL: the model checks a zone)
    row = getattr(PeriodicTask.objects.get(name="Odd"), column)
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(
                f"UPDATE {row._meta.db_table} SET {name} = %s WHERE id = %s", [value, row.pk]
            )
    before = list(PeriodicTask.objects.order_by("name").values())

    text = cli("status", "--schedules", folder)
    assert (text.exit_code, text.stderr) == (
        0,
        f"beat-sync: warning: periodic task 'Odd': {reason}\n",
    )
    odd_line = text.stdout.splitlines()[2]
    as_json = cli("status", "--format", "json", "--schedules", folder)
    assert (as_json.exit_code, as_json.stderr) == (0, text.stderr)
    odd_status = json.loads(as_json.stdout)["tasks"][1]
    assert odd_status["name"] == "Odd" and odd_line.startswith("Odd ")
    if odd == "cron empty zone":  # not "(None)": the column holds no zone
        assert odd_line.startswith("Odd   At 03:30 (no time zone)  "), odd_line
        assert odd_status["schedule"]["timezone"] == ""
    if odd != "interval zero":  # that one runs, over and over: its next run is shown
        assert re.search(r"\s-\s+not in manifest$", odd_line), odd_line
        assert (odd_status["next_run"], odd_status["due_at"]) == (None, None)
    assert list(PeriodicTask.objects.order_by("name").values()) == before
