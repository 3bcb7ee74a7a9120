"""The Celery schedule object beat runs for a canonical schedule, built with the classes
django-celery-beat's models build (`CrontabSchedule.schedule` and the others), without a
database or Django settings: beat_sync.when asks them when a task runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from beat_sync.state import Schedule


@lru_cache(maxsize=4096)  # thousands of tasks share a few schedules; parsing a crontab is costly
def beat_schedule(schedule: Schedule) -> Any:
    """The `celery.schedules.BaseSchedule` beat's ModelEntry holds for `schedule`: a
    `TzAwareCrontab` in the row's zone (django-celery-beat's default,
    DJANGO_CELERY_BEAT_TZ_AWARE), `schedule`, `solar` or `clocked`.

    Shared between callers: set its clock with `at` before each question."""
    from celery import schedules
    from django_celery_beat.clockedschedule import clocked
    from django_celery_beat.tzcrontab import TzAwareCrontab

    if schedule.kind == "cron":
        return TzAwareCrontab(
            minute=schedule.minute,
            hour=schedule.hour,
            day_of_week=schedule.day_of_week,
            day_of_month=schedule.day_of_month,
            month_of_year=schedule.month_of_year,
            tz=ZoneInfo(schedule.timezone),
        )
    if schedule.kind == "interval":
        return schedules.schedule(timedelta(**{schedule.period: schedule.every}))
    if schedule.kind == "solar":
        return schedules.solar(schedule.event, schedule.latitude, schedule.longitude)
    return clocked(schedule.clocked_time)


def at(celery_schedule: Any, now: datetime) -> Any:
    """`celery_schedule` with its clock (`nowfun`, which every Celery schedule reads the time
    from) stopped at `now`."""
    celery_schedule.nowfun = _clock(now)
    return celery_schedule


def _clock(now: datetime) -> Callable[[], datetime]:
    return lambda: now
