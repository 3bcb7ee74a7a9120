"""The schedule kinds, as data: manifest key, state class, django-celery-beat model, foreign key
and columns of each, and the conversions driven by that table (pure: no Django import).

Adding a kind: its state class in `beat_sync.state` (fields named like the model's columns, a
`kind` key, `from_columns`), one `ScheduleKind` below, its manifest shape, and its renderers
(`beat_sync.describe`, `beat_sync.export`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    Schedule,
    SolarSchedule,
)

if TYPE_CHECKING:
    from beat_sync.manifest import TaskSpec


@dataclass(frozen=True)
class ScheduleKind:
    state: type[Schedule]  # the canonical value; its fields are the model's column names
    model: str  # the class in django_celery_beat.models holding its rows
    foreign_key: str  # PeriodicTask's foreign key to that model

    @property
    def key(self) -> str:
        """The manifest key and the JSON output's "kind": "cron" for the crontab model."""
        return self.state.kind

    @cached_property  # read per schedule when writing or rendering thousands of them
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.state))

    def from_columns(self, values: Mapping[str, Any]) -> Schedule:
        """The canonical schedule of a row of `model` (column name -> value)."""
        return self.state.from_columns(**values)

    def columns_of(self, schedule: Schedule) -> dict[str, Any]:
        """The column values of the `model` row holding `schedule`."""
        return {name: getattr(schedule, name) for name in self.columns}


# In the order PeriodicTask.schedule picks one when a row has several foreign keys set.
KINDS: tuple[ScheduleKind, ...] = (
    ScheduleKind(IntervalSchedule, model="IntervalSchedule", foreign_key="interval"),
    ScheduleKind(CronSchedule, model="CrontabSchedule", foreign_key="crontab"),
    ScheduleKind(SolarSchedule, model="SolarSchedule", foreign_key="solar"),
    ScheduleKind(ClockedSchedule, model="ClockedSchedule", foreign_key="clocked"),
)
_BY_STATE = {kind.state: kind for kind in KINDS}


def kind_of(schedule: Schedule) -> ScheduleKind:
    """The kind of a schedule value; TypeError for anything else."""
    try:
        return _BY_STATE[type(schedule)]
    except KeyError:
        raise TypeError(f"not a schedule: {schedule!r}") from None


def schedule_from_spec(spec: TaskSpec, default_timezone: str) -> Schedule:
    """The canonical schedule of a TaskSpec: the one kind whose manifest key it sets."""
    for kind in KINDS:
        value = getattr(spec, kind.key)
        if value is not None:
            return kind.state.from_spec(value, default_timezone)
    raise ValueError(f"task {spec.name!r} has no schedule")  # TaskSpec validation prevents it
