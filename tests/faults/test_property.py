"""Property: for any sequence of valid manifests applied one after the other, after each apply
`beat-sync diff` is in sync and django-celery-beat's own DatabaseScheduler loads exactly the
manifest's enabled tasks, each with the Celery schedule object, arguments, routing and flags the
manifest describes. What it should load is built from the generated data alone, with Celery's
and django-celery-beat's schedule classes (none of beat-sync's loader, normaliser or
tables/beat.py), so a value beat-sync loses on the way (a cron's zone, say) shows here.

Generated crons avoid a single numeric hour and clocked times lie in the past: DatabaseScheduler
leaves such crons outside a +/- 2 hour window, and clocked times more than 5 minutes ahead, out
of what it loads (django_celery_beat.schedulers.enabled_models_qs), whatever the tables hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beat_sync.cli import main

pytestmark = pytest.mark.django_db

NAMES = [f"task {letter}" for letter in "abcdefgh"]  # few, so that steps add, change, remove
# The example tasks and their one optional parameter: email_requeue_stuck(minutes),
# email_purge_sent(days), email_send_pending().
PARAMETERS = {
    "styleguide_example.emails.tasks.email_requeue_stuck": "minutes",
    "styleguide_example.emails.tasks.email_purge_sent": "days",
    "styleguide_example.emails.tasks.email_send_pending": None,
}
TASKS = list(PARAMETERS)

cron = st.fixed_dictionaries(
    {
        "minute": st.sampled_from(["*", "0", "*/15", "5,35", "0-30/10"]),
        "hour": st.sampled_from(["*", "*/4", "9-17", "0,12", "1-23/2"]),
        "day_of_week": st.sampled_from(["*", "mon-fri", "0,6"]),
        "day_of_month": st.sampled_from(["*", "1", "1-15"]),
        "month_of_year": st.sampled_from(["*", "1-6"]),
    },
    optional={"timezone": st.sampled_from(["UTC", "Europe/Sofia", "America/New_York"])},
)
interval = st.fixed_dictionaries(
    {
        "every": st.integers(1, 1000),
        "period": st.sampled_from(["days", "hours", "minutes", "seconds", "microseconds"]),
    }
)
coordinate = st.integers(-8999, 8999).map(lambda n: n / 100)
solar = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["sunrise", "sunset", "solar_noon", "dawn_civil"]),
        "latitude": coordinate,
        "longitude": coordinate.map(lambda x: x * 2),
    }
)
past = st.datetimes(datetime(2020, 1, 1), datetime(2025, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC).isoformat()
)
schedule = st.one_of(
    cron.map(lambda c: {"cron": c}),
    interval.map(lambda i: {"interval": i}),
    solar.map(lambda s: {"solar": s}),
    past.map(lambda t: {"clocked": t, "one_off": True}),
)
optional = st.fixed_dictionaries(
    {},
    optional={
        "headers": st.dictionaries(st.sampled_from(["x-a", "x-b"]), st.text("ab", max_size=2)),
        "queue": st.sampled_from(["emails", "default"]),
        "priority": st.integers(0, 9),
        "enabled": st.booleans(),
        "description": st.text("ab \n", max_size=5),
    },
)


@st.composite
def call_arguments(draw, task: str) -> dict:
    """args or kwargs that fit the task's signature (validate refuses others, as Celery does)."""
    parameter = PARAMETERS[task]
    if parameter is None:
        return {}
    value = st.integers(0, 99)
    return draw(
        st.sampled_from([{}, {"args": [draw(value)]}, {"kwargs": {parameter: draw(value)}}])
    )


@st.composite
def manifests(draw) -> list[dict]:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))
    tasks = [draw(st.sampled_from(TASKS)) for _ in names]
    return [
        {
            "name": name,
            "task": task,
            **draw(schedule),
            **draw(optional),
            **draw(call_arguments(task)),
        }
        for name, task in zip(names, tasks, strict=True)
    ]


def expected_schedule(task: dict):
    """The schedule object DatabaseScheduler should build for a generated task, from the task's
    own values: Celery's `schedule` and `solar`, django-celery-beat's `TzAwareCrontab` (in the
    cron's zone, else the project's CELERY_TIMEZONE) and `clocked`."""
    from celery import schedules
    from django.conf import settings
    from django_celery_beat.clockedschedule import clocked
    from django_celery_beat.tzcrontab import TzAwareCrontab

    if "cron" in task:
        fields = dict(task["cron"])
        zone = ZoneInfo(fields.pop("timezone", settings.CELERY_TIMEZONE))
        return TzAwareCrontab(**fields, tz=zone)
    if "interval" in task:
        every = task["interval"]
        return schedules.schedule(timedelta(**{every["period"]: every["every"]}))
    if "solar" in task:
        where = task["solar"]
        # the columns hold decimals: the generated float as written, not its binary value
        latitude, longitude = (Decimal(str(where[key])) for key in ("latitude", "longitude"))
        return schedules.solar(where["event"], latitude, longitude)
    return clocked(datetime.fromisoformat(task["clocked"]))


def assert_scheduler_loads(tasks: list[dict]) -> None:
    from django_celery_beat.schedulers import DatabaseScheduler

    from beat_sync.project import celery_app

    entries = DatabaseScheduler(app=celery_app(), lazy=True).all_as_schedule()
    enabled = {task["name"]: task for task in tasks if task.get("enabled", True)}
    assert set(entries) == set(enabled)
    for name, entry in entries.items():
        task = enabled[name]
        assert entry.task == task["task"]
        expected = expected_schedule(task)
        assert type(entry.schedule) is type(expected), (entry.schedule, expected)
        assert entry.schedule == expected, (entry.schedule, expected)
        assert entry.args == task.get("args", [])
        assert entry.kwargs == task.get("kwargs", {})
        assert entry.options.get("queue") == task.get("queue")
        assert entry.options.get("priority") == task.get("priority")
        headers = {**task.get("headers", {}), "periodic_task_name": name}
        assert entry.options["headers"] == headers
        assert (entry.model.one_off, entry.model.enabled) == (task.get("one_off", False), True)
        assert entry.model.description == task.get("description", "")


# Always tried, whatever hypothesis draws: a cron in each zone, and one in the project's.
ZONED_CRONS = [
    {
        "name": f"task {zone}",
        "task": TASKS[2],
        "cron": {
            "minute": "5,35",
            "hour": "9-17",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            **({"timezone": zone} if zone else {}),
        },
    }
    for zone in ("Europe/Sofia", "America/New_York", "UTC", None)
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(manifests(), min_size=1, max_size=4))
@example(steps=[ZONED_CRONS])
def test_any_sequence_of_applies_is_in_sync_and_loaded_by_beat(steps, tmp_path_factory):
    runner = CliRunner()
    for tasks in steps:
        folder = tmp_path_factory.mktemp("schedules")
        (folder / "tasks.yaml").write_text(yaml.safe_dump({"periodic_tasks": tasks}))
        options = ["--no-color", "--schedules", str(folder)]
        # A step may declare no tasks: removing everything is then meant (--allow-empty).
        applied = runner.invoke(main, ["apply", "--allow-empty", *options])
        assert applied.exit_code == 0, applied.output + applied.stderr
        diff = runner.invoke(main, ["diff", "--exit-code", *options])
        assert diff.exit_code == 0, diff.output
        assert diff.stdout.splitlines()[-1].startswith(
            "In sync: 0 to add, 0 to change, 0 to remove"
        )
        assert_scheduler_loads(tasks)
