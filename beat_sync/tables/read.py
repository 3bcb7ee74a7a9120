"""Reading the tables: every PeriodicTask with its schedule in ONE query (a LEFT JOIN to each
schedule table), normalised into `TaskState`, plus each row's run history; and the ownership
records in one more query (tables.ownership)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beat_sync.errors import UserError
from beat_sync.kinds import KINDS, ScheduleKind
from beat_sync.state import (
    COLUMNS,
    CurrentState,
    RunHistory,
    Schedule,
    TaskState,
    canonical_datetime,
)
from beat_sync.tables.errors import database_errors
from beat_sync.tables.models import periodic_task
from beat_sync.tables.ownership import read_records

# What beat writes on a row: carried over by apply, not compared.
_HISTORY = ("last_run_at", "total_run_count", "date_changed")
# PeriodicTask's own columns, then each kind's foreign key and, through it, its columns.
_READ = (
    "id",
    *(f.name for f in COLUMNS),
    *_HISTORY,
    *(f"{kind.foreign_key}_id" for kind in KINDS),
    *(f"{kind.foreign_key}__{name}" for kind in KINDS for name in kind.columns),
)


@dataclass
class Snapshot:
    """The state and what apply needs besides it: ids, timestamps, schedule rows to keep."""

    state: CurrentState
    ids: dict[str, int] = field(default_factory=dict)
    date_changed: dict[str, datetime] = field(default_factory=dict)
    schedule_ids: dict[str, tuple[ScheduleKind, int]] = field(default_factory=dict)


# Per kind, in beat's pick order: its foreign key's column, and (column, value path) pairs.
_KEYS = tuple(
    (kind, f"{kind.foreign_key}_id", tuple((c, f"{kind.foreign_key}__{c}") for c in kind.columns))
    for kind in KINDS
)


def _schedule_of(row: dict[str, Any]) -> tuple[ScheduleKind, int, Schedule]:
    """(kind, schedule row id, canonical schedule) of a PeriodicTask row, in the order beat
    picks it."""
    for kind, foreign_key, columns in _KEYS:
        row_id = row[foreign_key]
        if row_id is not None:
            return kind, row_id, kind.from_columns({c: row[path] for c, path in columns})
    raise UserError(
        f"periodic task {row['name']!r} (id {row['id']}) has no schedule; "
        "set one or delete it in the Django admin"
    )


def read_snapshot(using: str) -> Snapshot:
    rows = periodic_task()._base_manager.using(using).order_by("name").values(*_READ)
    snapshot = Snapshot(state=CurrentState())
    tasks, history = [], {}
    for row in rows:
        kind, schedule_id, schedule = _schedule_of(row)
        name = row["name"]
        tasks.append(TaskState.from_columns(row, schedule))
        history[name] = RunHistory(
            last_run_at=canonical_datetime(row["last_run_at"]),
            total_run_count=row["total_run_count"],
        )
        snapshot.ids[name] = row["id"]
        snapshot.date_changed[name] = row["date_changed"]
        snapshot.schedule_ids[name] = (kind, schedule_id)
    snapshot.state = CurrentState(tasks=tuple(tasks), history=history, records=read_records(using))
    return snapshot


def read_current_state(using: str = "default") -> CurrentState:
    """Every PeriodicTask with its schedule and run history, in one query, and the ownership
    records in one more (none without the beat_sync app)."""
    with database_errors(using):
        return read_snapshot(using).state
