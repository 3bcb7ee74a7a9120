"""TaskSpecs to the desired state: canonical TaskState values, comparable with the tables' rows."""

from __future__ import annotations

from collections.abc import Sequence

from beat_sync.manifest.shapes import TaskSpec
from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    Schedule,
    SolarSchedule,
    TaskState,
    canonical_datetime,
    canonical_json,
    canonical_optional_text,
)


def _schedule(spec: TaskSpec, default_timezone: str) -> Schedule:
    if spec.cron is not None:
        cron = spec.cron
        return CronSchedule.of(
            cron.minute,
            cron.hour,
            cron.day_of_month,
            cron.month_of_year,
            cron.day_of_week,
            cron.timezone or default_timezone,
        )
    if spec.interval is not None:
        return IntervalSchedule(every=spec.interval.every, period=spec.interval.period)
    if spec.solar is not None:
        return SolarSchedule.of(spec.solar.event, spec.solar.latitude, spec.solar.longitude)
    if spec.clocked is not None:
        return ClockedSchedule(clocked_time=canonical_datetime(spec.clocked))
    raise ValueError(f"task {spec.name!r} has no schedule")  # TaskSpec validation prevents it


def normalise_task(spec: TaskSpec, default_timezone: str) -> TaskState:
    return TaskState(
        name=spec.name,
        task=spec.task,
        schedule=_schedule(spec, default_timezone),
        args=canonical_json(spec.args),
        kwargs=canonical_json(spec.kwargs),
        headers=canonical_json(spec.headers),
        queue=canonical_optional_text(spec.queue),
        exchange=canonical_optional_text(spec.exchange),
        routing_key=canonical_optional_text(spec.routing_key),
        priority=spec.priority,
        expires=canonical_datetime(spec.expires),
        expire_seconds=spec.expire_seconds,
        one_off=spec.one_off,
        start_time=canonical_datetime(spec.start_time),
        enabled=spec.enabled,
        description=spec.description,
    )


def normalise(specs: Sequence[TaskSpec], default_timezone: str) -> tuple[TaskState, ...]:
    """The desired state, sorted by name; a cron without `timezone` gets `default_timezone`."""
    return tuple(
        sorted((normalise_task(spec, default_timezone) for spec in specs), key=lambda t: t.name)
    )
