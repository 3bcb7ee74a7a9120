"""The plan: what turns the current periodic tasks into the desired ones, name by name (pure).

`make_plan(desired, current)` compares two sets of `TaskState` by name and gives, sorted by name,
one `TaskChange` per task that is added, changed, removed, adopted, renamed or disabled (with
every changed field, old and new), plus the names that stay unchanged. It never touches a
database; `beat_sync.tables` reads and writes, `beat_sync.render` prints.

Two rules come from beat writing the same tables (README, "Rows beat writes itself", says why):
a current row the manifest does not declare that beat writes itself (`celery.*`, the app's
`beat_schedule`) is left alone (`Plan.left_alone`); and a task beat disabled itself (a spent
one-off, a passed `expires`) whose other fields match the manifest stays disabled, unchanged.

With the ownership records (`beat_sync.ownership`, None without the beat_sync app):
- `manage="owned"`: only recorded rows are the manifest's; any other row is left exactly as it
  is (`Plan.unmanaged`), unless the manifest declares its name: then it is adopted.
- `previous_names`: a row under a previous name, none under the new one, is renamed.
- `on_remove="disable"`: a managed row no longer declared is disabled, not removed; once
  disabled it is kept so and not shown again.
- drift: a managed row that no longer holds what apply wrote is a change with `drift`, each
  field applied -> now -> manifest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from beat_sync.errors import LocatedError, UserError
from beat_sync.ownership import Record
from beat_sync.state import COMPARED, CurrentState, RunHistory, TaskState

Action = Literal["add", "change", "remove", "adopt", "rename", "disable"]


@dataclass(frozen=True)
class ActionInfo:
    """Everything beat-sync says of one action, declared once for the renderers and summaries."""

    sign: str  # text: the mark before the name
    color: str  # text with colour
    suffix: str  # text: after the name, e.g. " (adopt)"
    markdown: str  # the Markdown table's first cell
    todo: str  # the summary's "to add"
    done: str  # apply's "added"


ACTIONS: dict[str, ActionInfo] = {
    "add": ActionInfo("+", "green", "", "➕ add", "to add", "added"),
    "change": ActionInfo("~", "yellow", "", "✏️ change", "to change", "changed"),
    "remove": ActionInfo("-", "red", "", "➖ remove", "to remove", "removed"),
    "adopt": ActionInfo("~", "cyan", " (adopt)", "🤝 adopt", "to adopt", "adopted"),
    "rename": ActionInfo("~", "yellow", "", "🏷️ rename", "to rename", "renamed"),
    "disable": ActionInfo("-", "red", " (disable)", "⏸️ disable", "to disable", "disabled"),
}
# The summary always names these; the others only when there are some.
ALWAYS_COUNTED = ("add", "change", "remove")
DRIFT_SUFFIX = " (changed outside the manifest)"

# Celery's own beat entries are named `celery.<something>` (celery/beat.py installs
# `celery.backend_cleanup`); user tasks never use that namespace for periodic task names.
BEAT_OWNED_PREFIX = "celery."

# The fields of a TaskState a diff shows, in the order a person reads them.
FIELDS: tuple[str, ...] = tuple(name for name in COMPARED if name != "name")
_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(TaskState) if f.default is not dataclasses.MISSING
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one task: `old` is None for an added task, `new` is None for a removed one."""

    field: str
    old: Any
    new: Any
    applied: Any = None  # a drifted task's: what apply wrote (`old` is what the row holds now)


@dataclass(frozen=True)
class TaskChange:
    action: Action
    name: str
    old: TaskState | None  # None when added
    new: TaskState | None  # None when removed
    fields: tuple[FieldChange, ...]
    old_name: str | None = None  # a rename's previous name (also an adoption under one)
    drift: bool = False  # the row was changed outside beat-sync since it was applied


@dataclass(frozen=True)
class Summary:
    add: int
    change: int
    remove: int
    unchanged: int
    adopt: int = 0
    rename: int = 0
    disable: int = 0
    drift: int = 0  # changes that undo an edit made outside the manifest (counted in `change`)
    unmanaged: int = 0  # rows left alone because beat-sync does not manage them
    manage: str = "all"

    def counts(self, word: str = "todo") -> str:
        """`1 to add, 0 to change, 0 to remove, 1 to adopt` (`word="done"`: `1 added, ...`):
        the three main actions always, the others when there are some."""
        return ", ".join(
            f"{getattr(self, action)} {getattr(info, word)}"
            for action, info in ACTIONS.items()
            if action in ALWAYS_COUNTED or getattr(self, action)
        )

    def rest(self) -> str:
        """`14 unchanged`, and in owned mode `, 3 not managed (left alone)`."""
        text = f"{self.unchanged} unchanged"
        if self.manage == "owned" or self.unmanaged:
            text += f", {self.unmanaged} not managed (left alone)"
        return text

    def __str__(self) -> str:
        return f"{self.counts()}, {self.rest()}"


@dataclass(frozen=True)
class Plan:
    changes: tuple[TaskChange, ...]  # add / change / remove, sorted by name
    unchanged: tuple[str, ...]  # sorted names
    # everything the managed rows must hold afterwards, sorted by name
    desired: tuple[TaskState, ...]
    left_alone: tuple[str, ...] = ()  # rows beat writes itself (see the module docstring)
    unmanaged: tuple[str, ...] = ()  # manage = "owned": rows beat-sync does not manage, sorted
    kept_disabled: tuple[str, ...] = ()  # on_remove = "disable": removed earlier, kept so
    manage: str = "all"
    # The ownership records after apply (None: not recorded, the beat_sync app is not installed),
    # and whether they differ from those in the database (apply then writes them).
    records: tuple[Record, ...] | None = None
    records_changed: bool = False
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
        counts = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return Summary(
            unchanged=len(self.unchanged),
            drift=sum(change.drift for change in self.changes),
            unmanaged=len(self.unmanaged),
            manage=self.manage,
            **counts,
        )

    @property
    def renames(self) -> dict[str, str]:
        """New name -> old name of each renamed row."""
        return {c.name: c.old_name for c in self.changes if c.old_name is not None}


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


def _changed_fields(old: TaskState, new: TaskState) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(f, getattr(old, f), getattr(new, f))
        for f in FIELDS
        if getattr(old, f) != getattr(new, f)
    )


def drifted(now_state: TaskState, record: Record | None, now: datetime) -> bool:
    """The row no longer holds what apply wrote (beat's disabling of a spent task aside)."""
    if record is None or record.holds(now_state):
        return False
    applied = record.applied
    if applied.name != now_state.name:  # a row renamed since: the name is not drift
        applied = dataclasses.replace(applied, name=now_state.name)
    return now_state != applied and not _disabled_by_beat(now_state, applied, now)


def _drift_fields(row: TaskState, new: TaskState, applied: TaskState) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(f, getattr(row, f), getattr(new, f), getattr(applied, f))
        for f in FIELDS
        if getattr(row, f) != getattr(new, f) or getattr(row, f) != getattr(applied, f)
    )


def _renames(
    wanted: dict[str, TaskState], present: dict[str, TaskState], managed: Callable[[str], bool]
) -> dict[str, str]:
    """New name -> old name: a declared task with a previous name that a row holds, when no row
    holds its own name. A row under its own name that beat-sync does not manage is refused: the
    rename would have to take that row's name away from it."""
    renames: dict[str, str] = {}
    for name, task in wanted.items():
        old = next((p for p in task.previous_names if p in present), None)
        if old is None:
            continue
        if name in present:
            if managed(name):
                continue  # both rows are the manifest's: the old one goes as any undeclared row
            message = (
                f"cannot rename {old!r} to {name!r}: a periodic task not managed by beat-sync "
                f"is already named {name!r} (rename or delete it, or adopt it by removing "
                f"{old!r} from previous_names)"
            )
            if task.location is None:
                raise UserError(message)
            raise UserError(str(LocatedError.at(task.location, message)))
        renames[name] = old
    return renames


def make_plan(
    desired: Sequence[TaskState],
    current: CurrentState | Sequence[TaskState],
    *,
    beat_owned: Collection[str] = (),
    now: datetime | None = None,
    records: Mapping[str, Record] | None = None,
    manage: str = "all",
    on_remove: str = "delete",
) -> Plan:
    """Compare desired and current tasks by name; deterministic, sorted by name.

    `beat_owned`: names of the Celery app's `beat_schedule` (see the module docstring).
    `now`: the time an `expires` is compared with (default: the current time).
    `records`: the ownership records by name (None: none kept, no drift, manage must be "all");
    `manage` and `on_remove` as in `[tool.beat-sync]` (see the module docstring).
    """
    if manage == "owned" and records is None:
        raise ValueError('manage="owned" needs the ownership records')
    now = now or datetime.now(UTC)
    current_tasks = current.tasks if isinstance(current, CurrentState) else current
    wanted = _by_name(desired, "desired")
    present = _by_name(current_tasks, "current")
    declared = set(wanted)
    recorded: Mapping[str, Record] = records or {}
    left_alone = sorted(
        name for name in present if name not in wanted and is_beat_owned(name, beat_owned)
    )
    for name in left_alone:
        del present[name]

    def managed(name: str) -> bool:
        return manage == "all" or name in recorded

    renames = _renames(wanted, present, managed)
    renamed = set(renames.values())
    changes: list[TaskChange] = []
    unchanged: list[str] = []
    unmanaged: list[str] = []
    kept_disabled: list[str] = []
    for name in sorted((wanted.keys() | present.keys()) - renamed):
        new = wanted.get(name)
        old_name = renames.get(name, name)
        old = present.get(old_name)
        if new is None:
            assert old is not None
            if not managed(name):
                unmanaged.append(name)
            elif on_remove == "delete":
                fields = tuple(FieldChange(f, getattr(old, f), None) for f in shown_fields(old))
                changes.append(TaskChange("remove", name, old, None, fields))
            elif not old.enabled:
                wanted[name] = old  # disabled before (or by hand): kept as it is, not shown
                kept_disabled.append(name)
            else:
                new = wanted[name] = dataclasses.replace(old, enabled=False)
                fields = (FieldChange("enabled", True, False),)
                changes.append(TaskChange("disable", name, old, new, fields))
            continue
        if old is None:
            fields = tuple(FieldChange(f, None, getattr(new, f)) for f in shown_fields(new))
            changes.append(TaskChange("add", name, None, new, fields))
            continue
        if _disabled_by_beat(old, dataclasses.replace(new, name=old.name), now):
            new = wanted[name] = dataclasses.replace(new, enabled=False)
        if old_name != name:
            # Taking a row made elsewhere under another name is still taking it: an adoption
            action: Action = "rename" if managed(old_name) else "adopt"
            fields = _changed_fields(old, new)
            changes.append(TaskChange(action, name, old, new, fields, old_name=old_name))
        elif not managed(name):
            changes.append(TaskChange("adopt", name, old, new, _changed_fields(old, new)))
        elif old == new:
            unchanged.append(name)
        elif drifted(old, recorded.get(name), now):
            fields = _drift_fields(old, new, recorded[name].applied)
            changes.append(TaskChange("change", name, old, new, fields, drift=True))
        else:
            changes.append(TaskChange("change", name, old, new, _changed_fields(old, new)))

    names = sorted(wanted)
    new_records = None
    if records is not None:
        new_records = tuple(
            Record(name, wanted[name].source, wanted[name], retired=name not in declared)
            for name in names
        )
    return Plan(
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        desired=tuple(wanted[name] for name in names),
        left_alone=tuple(left_alone),
        unmanaged=tuple(unmanaged),
        kept_disabled=tuple(kept_disabled),
        manage=manage,
        records=new_records,
        records_changed=new_records is not None and _records_differ(new_records, recorded),
        history=current.history if isinstance(current, CurrentState) else {},
        unreadable=_unreadable(current, {*left_alone, *unmanaged}),
    )


def _unreadable(current: CurrentState | Sequence[TaskState], untouched: set[str]) -> tuple:
    """The lines of the values that could not be read, saying that apply leaves the rows it
    does not touch (`manage = "owned"`'s rows made elsewhere, rows beat writes) as they are."""
    lines = current.unreadable if isinstance(current, CurrentState) else ()
    return tuple(line.left_alone() if line.task in untouched else line for line in lines)


def _records_differ(new: Sequence[Record], old: Mapping[str, Record]) -> bool:
    if len(new) != len(old):
        return True
    return any(old.get(record.name) != record for record in new)
