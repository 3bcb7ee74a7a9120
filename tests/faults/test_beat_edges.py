"""A live `celery beat` (the example project, DatabaseScheduler, an in-memory broker) on tables
applied from a manifest of edge-of-range values: whatever validates, beat runs without dying and
without a traceback.

Each value is at the edge of what `validate` accepts (tests/beat_sync/manifest/corpus holds the
values one step past it, refused): the longest intervals Celery can still add to a last run, the
earliest and latest times in UTC, crons in the zones furthest from UTC, a cron whose first run
after its start_time is years away, solar events at the poles, the largest column values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from background import Background, logs_tail, start_beat, wait_until
from beat_sync.manifest.rules import LATEST_INTERVAL_END
from tests.support.databases import env_sharing_test_database
from tests.support.manifests import write_manifest
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.samples import PENDING

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RUN_SECONDS = 8
INT_MAX = 2_147_483_647


def longest(period: str) -> int:
    """The largest `every` of `period` that validates today (a day to spare for the test)."""
    room = LATEST_INTERVAL_END - datetime.now(UTC) - timedelta(days=1)
    return room // timedelta(**{period: 1})


def edge_manifest() -> str:
    tasks = [
        f"{{name: interval longest days, interval: {{every: {longest('days')}, period: days}}}}",
        f"{{name: interval longest hours, interval: {{every: {longest('hours')}, period: hours}}}}",
        f"{{name: interval max minutes, interval: {{every: {INT_MAX}, period: minutes}}}}",
        f"{{name: interval max seconds, interval: {{every: {INT_MAX}, period: seconds}}}}",
        "{name: interval one microsecond, interval: {every: 1, period: microseconds}}",
        "{name: earliest start, interval: {every: 1, period: days},"
        " start_time: 0001-01-02T00:00:00Z}",
        "{name: latest start, interval: {every: 1, period: days},"
        " start_time: 9999-12-30T23:59:59Z}",
        "{name: latest start cron east, cron: {minute: '59',"
        " timezone: Pacific/Kiritimati}, start_time: 9999-12-30T09:59:59Z}",
        "{name: latest start cron default zone, cron: '59 * * * *',"
        " start_time: 9999-12-30T09:59:59Z}",
        "{name: latest start cron west, cron: {minute: '0',"
        " timezone: Pacific/Pago_Pago}, start_time: 9999-12-30T23:59:59Z}",
        "{name: leap day start, cron: '0 * 29 2 *', start_time: 9990-01-01T00:00:00+14:00}",
        "{name: leap day on a monday, cron: '0 * 29 2 1'}",
        "{name: wrapping ranges, cron: {minute: '50-10/5', day_of_week: 'sat-sun'}}",
        "{name: latest expires, cron: '* * * * *', expires: 9999-12-30T23:59:59-00:00}",
        f"{{name: longest expire_seconds, cron: '* * * * *', expire_seconds: {INT_MAX}}}",
        "{name: highest priority, cron: '* * * * *', priority: 255}",
        "{name: latest clocked, clocked: 9999-12-30T23:59:59Z, one_off: true}",
        "{name: earliest clocked, clocked: 0001-01-02T00:00:00Z, one_off: true}",
        "{name: north pole sunrise, solar: {event: sunrise, latitude: 90, longitude: 180}}",
        "{name: south pole dawn, solar: {event: dawn_astronomical, latitude: -90,"
        " longitude: -180}}",
    ]
    return "periodic_tasks:\n" + "".join(f"  - {{task: {PENDING}, {task[1:]}\n" for task in tasks)


def test_beat_runs_every_edge_value_that_validates_without_a_traceback(tmp_path: Path):
    env = {
        **{
            k: v
            for k, v in env_sharing_test_database(connection).items()
            if not k.startswith("CELERY_")
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": "memory://",
    }
    schedules = write_manifest(tmp_path / "schedules", edge_manifest())
    validated = beat_sync("validate", "--schedules", schedules, env=env)
    assert validated.returncode == 0, validated.stderr
    applied = beat_sync("apply", "--schedules", schedules, env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Traceback" not in applied.stderr

    beat: Background = start_beat(env=env, log_path=tmp_path / "beat.log", loglevel="DEBUG")
    try:
        wait_until(
            lambda: "Current schedule:" in beat.log(),
            timeout=60,
            what="beat loading the schedule",
            processes=[beat],
        )
        started = datetime.now(UTC)
        wait_until(
            lambda: datetime.now(UTC) - started > timedelta(seconds=RUN_SECONDS),
            timeout=RUN_SECONDS + 5,
            what=f"beat running {RUN_SECONDS} s",
            processes=[beat],
        )
    finally:
        alive = beat.alive()
        beat.stop()
    log = beat.log()
    assert alive, logs_tail([beat], lines=80)
    assert "Traceback" not in log, logs_tail([beat], lines=80)
    assert "ERROR/" not in log, logs_tail([beat], lines=80)
    # Every task is loaded (DatabaseScheduler leaves out a clocked task until it is nearly due,
    # and a cron with a fixed hour outside the hours around now: these crons have none).
    for line in edge_manifest().splitlines()[1:]:
        name = line.split("name: ", 1)[1].split(",", 1)[0]
        assert name == "latest clocked" or f"<ModelEntry: {name} " in log, name
    # the tasks due now were sent: beat did not stall on the others
    assert "Sending due task interval one microsecond" in log
    assert "Sending due task earliest clocked" in log
