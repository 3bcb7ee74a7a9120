"""Reading the tables: every PeriodicTask with its schedule in ONE query (a LEFT JOIN to each
schedule table), normalised into `TaskState`, plus each row's run history; and the ownership
records in one more query (tables.ownership)."""

from __future__ import annotations

import functools
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
    Unreadable,
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


def _schedule_of(
    row: dict[str, Any], schedules: dict[tuple[str, int], Schedule]
) -> tuple[ScheduleKind, int, Schedule]:
    """(kind, schedule row id, canonical schedule) of a PeriodicTask row, in the order beat
    picks it; `schedules` holds those made so far by (foreign key, id): rows share a few."""
    for kind, foreign_key, columns in _KEYS:
        row_id = row[foreign_key]
        if row_id is not None:
            schedule = schedules.get((foreign_key, row_id))
            if schedule is None:
                schedule = kind.from_columns({c: row[path] for c, path in columns})
                schedules[foreign_key, row_id] = schedule
            return kind, row_id, schedule
    raise UserError(
        f"periodic task {row['name']!r} (id {row['id']}) has no schedule; "
        "set one or delete it in the Django admin"
    )


@functools.cache
def _converted_columns() -> dict[str, Any]:
    """The read columns whose model field converts the database's value (django-timezone-field's
    zone, which raises for a zone this machine's tzdata does not know), and those fields."""
    converted = {}
    for kind in KINDS:
        model = periodic_task()._meta.get_field(kind.foreign_key).related_model
        for name in kind.columns:
            model_field = model._meta.get_field(name)
            if hasattr(model_field, "from_db_value"):
                converted[f"{kind.foreign_key}__{name}"] = model_field
    return converted


def _as_text(path: str) -> str:
    return "text_" + path.replace("__", "_")


def _rows(using: str) -> Any:
    """The PeriodicTask rows joined to their schedules; the converted columns read as the
    database's text, converted in _read_converted, where a failure is a value, not a raise in
    the middle of the query's iteration."""
    from django.db.models import CharField, ExpressionWrapper, F

    converted = _converted_columns()
    texts = {
        _as_text(path): ExpressionWrapper(F(path), output_field=CharField()) for path in converted
    }
    plain = [path for path in _READ if path not in converted]
    return periodic_task()._base_manager.using(using).order_by("name").values(*plain, **texts)


def _read_converted(row: dict[str, Any], cache: dict, unreadable: list[str]) -> None:
    """Put each converted column's value into `row`, as the field converts it; a value it
    refuses stays text and is reported in `unreadable` (one line, naming task and column)."""
    from django.core.exceptions import ValidationError

    for path, model_field in _converted_columns().items():
        text = row.pop(_as_text(path))
        if text is None:
            row[path] = None
            continue
        key = (path, text)
        if key not in cache:
            try:
                cache[key] = (model_field.to_python(text), None)
            except (ValidationError, ValueError, TypeError) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                cache[key] = (text, messages[0])
        row[path], reason = cache[key]
        if reason is not None:
            column = f"{model_field.model._meta.db_table}.{model_field.column}"
            unreadable.append(
                Unreadable(
                    f"periodic task {row['name']!r}: {column} holds {text!r}, which cannot be "
                    f"read here ({reason}){Unreadable.REPLACED}",
                    row["name"],
                )
            )


def read_snapshot(using: str) -> Snapshot:
    snapshot = Snapshot(state=CurrentState())
    tasks, history, unreadable, cache, schedules = [], {}, [], {}, {}
    for row in _rows(using):
        _read_converted(row, cache, unreadable)
        kind, schedule_id, schedule = _schedule_of(row, schedules)
        name = row["name"]
        tasks.append(TaskState.from_columns(row, schedule))
        history[name] = RunHistory(
            last_run_at=canonical_datetime(row["last_run_at"]),
            total_run_count=row["total_run_count"],
        )
        snapshot.ids[name] = row["id"]
        snapshot.date_changed[name] = row["date_changed"]
        snapshot.schedule_ids[name] = (kind, schedule_id)
    snapshot.state = CurrentState(
        tasks=tuple(tasks),
        history=history,
        unreadable=tuple(unreadable),
        records=read_records(using),
    )
    return snapshot


def read_current_state(using: str = "default") -> CurrentState:
    """Every PeriodicTask with its schedule and run history, in one query, and the ownership
    records in one more (none without the beat_sync app)."""
    with database_errors(using):
        return read_snapshot(using).state


def read_tables(using: str = "default") -> Snapshot:
    """Every PeriodicTask with its schedule, run history and `date_changed`, in one query (what
    `beat-sync status` reads)."""
    with database_errors(using):
        return read_snapshot(using)
