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


@lru_cache(maxsize=4096)
def schedule_problem(schedule: Schedule) -> str | None:
    """Why beat cannot run `schedule` here, or None: a cron zone this machine's tzdata does not
    know, an interval of zero or less, or values Celery's schedule classes refuse (a row written
    by hand or by another program: an interval period Python has no unit for, a crontab field
    out of range, a solar event Celery does not know; DatabaseScheduler cannot build its entry
    either: it skips the row, or stops at it)."""
    from beat_sync.describe import schedule_text

    if schedule.kind == "cron" and not schedule.timezone:
        return "its crontab has no time zone (the column is empty), so its runs cannot be computed"
    if schedule.kind == "cron" and known_zone(schedule.timezone) is None:
        return (
            f"its crontab's time zone {schedule.timezone!r} is not one this machine's tzdata "
            "knows, so its runs cannot be computed here"
        )
    if schedule.kind == "interval" and schedule.every <= 0:
        return (
            f"its interval ({schedule_text(schedule)}) is not positive: beat finds it due at "
            "every check and sends it over and over"
        )
    try:
        beat_schedule(schedule)
    except Exception as exc:  # what Celery raises for values it refuses varies by class
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        return (
            f"Celery cannot build its schedule ({schedule_text(schedule)}): {reason}; "
            "beat does not run it"
        )
    return None


def known_zone(name: str | None) -> ZoneInfo | None:
    """The zone of that name; None for a name that is none ("project default" of diff --base,
    a zone this machine's tzdata does not know, an empty column)."""
    try:
        return ZoneInfo(name)  # type: ignore[arg-type]
    except (ValueError, KeyError, TypeError):
        return None


def clock_zone(schedule: Schedule) -> ZoneInfo | None:
    """The zone the schedule object beat holds for `schedule` reads its clock in: a cron's
    (django-celery-beat's TzAwareCrontab), None for the others, which reckon in UTC."""
    return ZoneInfo(schedule.timezone) if schedule.kind == "cron" else None


def at(celery_schedule: Any, now: datetime, zone: ZoneInfo | None) -> Any:
    """`celery_schedule` with its clock (`nowfun`, which every Celery schedule reads the time
    from) stopped at `now`, in its `clock_zone` (TzAwareCrontab.nowfunc's) or else UTC."""
    celery_schedule.nowfun = _clock(now if zone is None else now.astimezone(zone))
    return celery_schedule


def _clock(now: datetime) -> Callable[[], datetime]:
    return lambda: now


def remaining_estimate(
    celery_schedule: Any, last_run_at: datetime, zone: ZoneInfo | None
) -> timedelta:
    """`celery_schedule.remaining_estimate(last_run_at)` as its `is_due` asks it:
    TzAwareCrontab.is_due reads `last_run_at` in its own zone (`clock_zone`) first."""
    if zone is not None:
        last_run_at = last_run_at.astimezone(zone)
    return celery_schedule.remaining_estimate(last_run_at)


def estimate_is_linear(zone: ZoneInfo | None, start: datetime, end: datetime) -> bool:
    """Whether `remaining_estimate(last)` asked at `end` is the one asked at `start` less
    `end - start`, for a schedule of that `clock_zone`: the estimate is (the run's moment - the
    clock), the run's moment computed from `last` alone. Celery 5.7 takes that difference in
    UTC; earlier versions took a crontab's in its zone, as wall-clock time, which is the same
    unless the zone's UTC offset changes between the two moments (a daylight-saving change).
    Interval, solar and clocked schedules reckon in UTC. (tests/faults/test_next_runs_property.py
    checks the runs across such changes against a real DatabaseScheduler entry.)"""
    return zone is None or start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()
