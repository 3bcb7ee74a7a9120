"""The plan: what turns the current periodic tasks into the desired ones, name by name (pure).

`make_plan(desired, current)` compares two sets of `TaskState` by name and gives, sorted by name,
one `TaskChange` per task that is added, removed or changed (with every changed field, old and
new), plus the names that stay unchanged. It never touches a database; `beat_sync.tables` reads
and writes, `beat_sync.render` prints.

Two rules come from beat writing the same tables (README, "Rows beat writes itself", says why):
a current row the manifest does not declare that beat writes itself (`celery.*`, the app's
`beat_schedule`) is left alone (`Plan.left_alone`); and a task beat disabled itself (a spent
one-off, a passed `expires`) whose other fields match the manifest stays disabled, unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from beat_sync.state import CurrentState, RunHistory, TaskState

Action = Literal["add", "change", "remove"]

# Celery's own beat entries are named `celery.<something>` (celery/beat.py installs
# `celery.backend_cleanup`); user tasks never use that namespace for periodic task names.
BEAT_OWNED_PREFIX = "celery."

# The fields of a TaskState a diff shows, in the order a person reads them.
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TaskState) if f.name != "name")
_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(TaskState) if f.default is not dataclasses.MISSING
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one task: `old` is None for an added task, `new` is None for a removed one."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TaskChange:
    action: Action
    name: str
    old: TaskState | None  # None when added
    new: TaskState | None  # None when removed
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Summary:
    add: int
    change: int
    remove: int
    unchanged: int

    def __str__(self) -> str:
        return (
            f"{self.add} to add, {self.change} to change, {self.remove} to remove, "
            f"{self.unchanged} unchanged"
        )


@dataclass(frozen=True)
class Plan:
    changes: tuple[TaskChange, ...]  # add / change / remove, sorted by name
    unchanged: tuple[str, ...]  # sorted names
    desired: tuple[TaskState, ...]  # everything the tables must hold afterwards, sorted by name
    left_alone: tuple[str, ...] = ()  # rows beat writes itself (see the module docstring)
    # What beat wrote on the current rows (apply keeps it): the next runs of a changed task
    # count from its last run.
    history: Mapping[str, RunHistory] = dataclasses.field(default_factory=dict)
    # Values of the current rows that could not be read (CurrentState.unreadable): warnings.
    unreadable: tuple[str, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not self.changes

    @property
    def summary(self) -> Summary:
        counts = {action: 0 for action in ("add", "change", "remove")}
        for change in self.changes:
            counts[change.action] += 1
        return Summary(unchanged=len(self.unchanged), **counts)


def is_beat_owned(name: str, beat_owned: Collection[str] = ()) -> bool:
    """True for a row beat itself writes: Celery's `celery.*` entries and `beat_schedule` names."""
    return name.startswith(BEAT_OWNED_PREFIX) or name in beat_owned


def shown_fields(task: TaskState) -> tuple[str, ...]:
    """The fields worth showing for a whole task: task, schedule, and whatever is not a default."""
    return tuple(
        name for name in FIELDS if name not in _DEFAULTS or getattr(task, name) != _DEFAULTS[name]
    )


def _disabled_by_beat(old: TaskState, new: TaskState, now: datetime) -> bool:
    """Beat disabled `old` itself (spent one-off, passed expiry); the manifest changed nothing."""
    if old.enabled or not new.enabled:
        return False
    spent = old.one_off or (old.expires is not None and old.expires <= now)
    return spent and dataclasses.replace(old, enabled=True) == new


def _by_name(tasks: Sequence[TaskState], side: str) -> dict[str, TaskState]:
    result: dict[str, TaskState] = {}
    for task in tasks:
        if task.name in result:
            raise ValueError(f"{side} state holds the name {task.name!r} twice")
        result[task.name] = task
    return result


def make_plan(
    desired: Sequence[TaskState],
    current: CurrentState | Sequence[TaskState],
    *,
    beat_owned: Collection[str] = (),
    now: datetime | None = None,
) -> Plan:
    """Compare desired and current tasks by name; deterministic, sorted by name.

    `beat_owned`: names of the Celery app's `beat_schedule` (see the module docstring).
    `now`: the time an `expires` is compared with (default: the current time).
    """
    now = now or datetime.now(UTC)
    current_tasks = current.tasks if isinstance(current, CurrentState) else current
    wanted = _by_name(desired, "desired")
    present = _by_name(current_tasks, "current")
    left_alone = sorted(
        name for name in present if name not in wanted and is_beat_owned(name, beat_owned)
    )
    for name in left_alone:
        del present[name]

    changes: list[TaskChange] = []
    unchanged: list[str] = []
    for name in sorted(wanted.keys() | present.keys()):
        new, old = wanted.get(name), present.get(name)
        if old is not None and new is not None and _disabled_by_beat(old, new, now):
            new = wanted[name] = old
        if old is None:
            fields = tuple(FieldChange(f, None, getattr(new, f)) for f in shown_fields(new))
            changes.append(TaskChange("add", name, None, new, fields))
        elif new is None:
            fields = tuple(FieldChange(f, getattr(old, f), None) for f in shown_fields(old))
            changes.append(TaskChange("remove", name, old, None, fields))
        elif old == new:
            unchanged.append(name)
        else:
            fields = tuple(
                FieldChange(f, getattr(old, f), getattr(new, f))
                for f in FIELDS
                if getattr(old, f) != getattr(new, f)
            )
            changes.append(TaskChange("change", name, old, new, fields))
    return Plan(
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        desired=tuple(wanted[name] for name in sorted(wanted)),
        left_alone=tuple(left_alone),
        history=current.history if isinstance(current, CurrentState) else {},
        unreadable=current.unreadable if isinstance(current, CurrentState) else (),
    )
