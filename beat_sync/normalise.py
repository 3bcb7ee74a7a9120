"""TaskSpecs to the desired state: canonical TaskState values, comparable with the tables' rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from beat_sync.kinds import schedule_from_spec
from beat_sync.state import TaskState

if TYPE_CHECKING:
    from beat_sync.manifest import TaskSpec


def normalise_task(spec: TaskSpec, default_timezone: str) -> TaskState:
    return TaskState.from_spec(spec, schedule_from_spec(spec, default_timezone))


def normalise(specs: Sequence[TaskSpec], default_timezone: str) -> tuple[TaskState, ...]:
    """The desired state, sorted by name; a cron without `timezone` gets `default_timezone`."""
    return tuple(
        sorted((normalise_task(spec, default_timezone) for spec in specs), key=lambda t: t.name)
    )
