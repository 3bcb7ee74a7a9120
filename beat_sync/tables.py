"""The only module that reads and writes django-celery-beat's tables: current state, locked apply.

Reading (`read_current_state`): every PeriodicTask with its schedule in ONE query
(a LEFT JOIN to each of interval, crontab, solar and clocked), normalised into `TaskState` with the
helpers of `beat_sync.state`, plus each row's run history.

Applying (`apply_plan`), in one transaction on the chosen database alias:
  1. a lock, so that concurrent deploys run one after the other: PostgreSQL
     `pg_advisory_xact_lock(LOCK_KEY)` (released by commit or rollback); SQLite `BEGIN IMMEDIATE`
     (the write lock is taken when the transaction starts, so a second apply waits for the
     first instead of reading a state that is about to change);
  2. the current state read under that lock, and the plan computed from it;
  3. an empty plan writes nothing at all (no delete, no insert, no change-marker bump);
  4. otherwise the styleguide's full delete and recreate: every PeriodicTask, IntervalSchedule,
     CrontabSchedule, SolarSchedule and ClockedSchedule row is deleted with a raw DELETE per
     table (a queryset `.delete()` would send django-celery-beat's per-row signals, one query
     each), then the schedules (identical schedules share one row, as django-celery-beat's
     `from_schedule` shares them) and the tasks are inserted in bulk, and the change marker
     (`PeriodicTasks.last_update`, what a running beat polls) is bumped exactly once.

What survives the recreate, for a task whose name is in both the old and the new state:
  - its primary key: beat keeps its loaded rows in memory and later saves their run count by
    primary key; the same id lets that save land on the recreated row;
  - `last_run_at` and `total_run_count` (without them an `interval: 1 day` task on a project
    that deploys daily never runs); `last_run_at` is None when the task is disabled, as
    django-celery-beat's `PeriodicTask.save()` does;
  - `date_changed` when the task itself is unchanged (beat counts a never-run task's first
    interval from it); a changed or added task gets the apply's time.
Rows beat writes itself (`celery.*` and `beat_schedule` names, see `beat_sync.plan`) are kept
as they are, with their schedule rows.

Query count: constant whatever the number of tasks. Rows are inserted in one statement per
table, except that SQLite caps the bound variables of one statement (SQLITE_LIMIT_VARIABLE_NUMBER,
read from the connection: 250,000 on Debian's build, 32,766 by default since SQLite 3.32):
beyond limit / 23 tasks (about 10,800 at 250,000; 1,400 at 32,766) the task insert takes one
more statement per that many tasks. Django's own `bulk_create` would cap SQLite at 999
variables (43 tasks per statement) and overwrite `date_changed` (auto_now), which is why the
inserts are multi-row INSERT statements written here, their values adapted by the database
backend's own `adapt_*` operations as Django's compiler does.

Test-only hook: with the environment variable BEAT_SYNC_TEST_HOLD_AFTER_DELETE=<seconds>, apply
sleeps that long after deleting and before recreating (the fault tests kill it there).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beat_sync.errors import UserError
from beat_sync.plan import Plan, make_plan
from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    CurrentState,
    IntervalSchedule,
    RunHistory,
    Schedule,
    SolarSchedule,
    TaskState,
    canonical_datetime,
    canonical_json_text,
    canonical_optional_text,
)

# "beatsync" in ASCII: the key of the PostgreSQL advisory lock every beat-sync apply takes.
LOCK_KEY = 0x62656174_73796E63
HOLD_AFTER_DELETE_ENV = "BEAT_SYNC_TEST_HOLD_AFTER_DELETE"
SUPPORTED_VENDORS = ("postgresql", "sqlite")


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan  # the plan computed under the lock: what was (or would have been) written
    applied: bool  # False when the tables were already in sync and nothing was written


@dataclass
class _Snapshot:
    """The state and what apply needs besides it: ids, timestamps, schedule rows to keep."""

    state: CurrentState
    ids: dict[str, int] = field(default_factory=dict)
    date_changed: dict[str, datetime] = field(default_factory=dict)
    schedule_ids: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (fk, id)


def _models():
    from django_celery_beat import models

    return models


def beat_models() -> tuple[Any, ...]:
    """django-celery-beat's tables beat-sync owns: the tasks, the change marker, the schedules."""
    models = _models()
    return (
        models.PeriodicTask,
        models.PeriodicTasks,
        models.IntervalSchedule,
        models.CrontabSchedule,
        models.SolarSchedule,
        models.ClockedSchedule,
    )


# --- reading ------------------------------------------------------------------------------


# The columns read: PeriodicTask's own, and each schedule's through a LEFT JOIN (one query).
_TASK_COLUMNS = (
    "id", "name", "task", "args", "kwargs", "headers", "queue", "exchange", "routing_key",
    "priority", "expires", "expire_seconds", "one_off", "start_time", "enabled",
    "last_run_at", "total_run_count", "date_changed", "description",
    "interval_id", "crontab_id", "solar_id", "clocked_id",
)  # fmt: skip
_SCHEDULE_COLUMNS = (
    "interval__every", "interval__period",
    "crontab__minute", "crontab__hour", "crontab__day_of_month", "crontab__month_of_year",
    "crontab__day_of_week", "crontab__timezone",
    "solar__event", "solar__latitude", "solar__longitude",
    "clocked__clocked_time",
)  # fmt: skip


def _schedule_of(row: dict[str, Any]) -> tuple[str, Schedule]:
    """(foreign key, canonical schedule) of a PeriodicTask row, in the order beat picks it."""
    if row["interval_id"] is not None:
        return "interval", IntervalSchedule(
            every=row["interval__every"], period=row["interval__period"]
        )
    if row["crontab_id"] is not None:
        zone = row["crontab__timezone"]  # a ZoneInfo (django-timezone-field)
        return "crontab", CronSchedule.from_columns(
            minute=row["crontab__minute"],
            hour=row["crontab__hour"],
            day_of_month=row["crontab__day_of_month"],
            month_of_year=row["crontab__month_of_year"],
            day_of_week=row["crontab__day_of_week"],
            timezone=zone,
        )
    if row["solar_id"] is not None:
        return "solar", SolarSchedule.from_columns(
            event=row["solar__event"],
            latitude=row["solar__latitude"],
            longitude=row["solar__longitude"],
        )
    if row["clocked_id"] is not None:
        return "clocked", ClockedSchedule(canonical_datetime(row["clocked__clocked_time"]))
    raise UserError(
        f"periodic task {row['name']!r} (id {row['id']}) has no schedule; "
        "set one or delete it in the Django admin"
    )


def _task_state(row: dict[str, Any], schedule: Schedule) -> TaskState:
    return TaskState(
        name=row["name"],
        task=row["task"],
        schedule=schedule,
        args=canonical_json_text(row["args"], "[]"),
        kwargs=canonical_json_text(row["kwargs"], "{}"),
        headers=canonical_json_text(row["headers"], "{}"),
        queue=canonical_optional_text(row["queue"]),
        exchange=canonical_optional_text(row["exchange"]),
        routing_key=canonical_optional_text(row["routing_key"]),
        priority=row["priority"],
        expires=canonical_datetime(row["expires"]),
        expire_seconds=row["expire_seconds"],
        one_off=bool(row["one_off"]),
        start_time=canonical_datetime(row["start_time"]),
        enabled=bool(row["enabled"]),
        description=row["description"] or "",
    )


def _read(using: str) -> _Snapshot:
    rows = (
        _models()
        .PeriodicTask._base_manager.using(using)
        .order_by("name")
        .values(*_TASK_COLUMNS, *_SCHEDULE_COLUMNS)
    )
    snapshot = _Snapshot(state=CurrentState())
    tasks, history = [], {}
    for row in rows:
        fk, schedule = _schedule_of(row)
        name = row["name"]
        tasks.append(_task_state(row, schedule))
        history[name] = RunHistory(
            last_run_at=canonical_datetime(row["last_run_at"]),
            total_run_count=row["total_run_count"],
        )
        snapshot.ids[name] = row["id"]
        snapshot.date_changed[name] = row["date_changed"]
        snapshot.schedule_ids[name] = (fk, row[f"{fk}_id"])
    snapshot.state = CurrentState(tasks=tuple(tasks), history=history)
    return snapshot


def read_current_state(using: str = "default") -> CurrentState:
    """Every PeriodicTask with its schedule and run history, in one query."""
    with database_errors(using):
        return _read(using).state


# --- errors -------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _missing_tables(using: str) -> list[str]:
    from django.db import connections

    wanted = [model._meta.db_table for model in beat_models()]
    try:
        with connections[using].cursor() as cursor:
            present = set(connections[using].introspection.table_names(cursor))
    except Exception:
        return []  # cannot tell; the original error is reported instead
    return [table for table in wanted if table not in present]


@contextmanager
def database_errors(using: str, doing: str = "") -> Iterator[None]:
    """Turn the database's expected failures into one UserError line each."""
    from django.conf import settings
    from django.db import DatabaseError, IntegrityError, connections
    from django.utils.connection import ConnectionDoesNotExist

    try:
        connection = connections[using]
    except ConnectionDoesNotExist:
        known = ", ".join(sorted(settings.DATABASES)) or "none"
        raise UserError(f"unknown database alias {using!r} (DATABASES has: {known})") from None
    if not settings.USE_TZ:
        raise UserError("beat-sync needs USE_TZ = True in the Django settings")
    where = f"database {using!r} ({connection.vendor} {connection.settings_dict.get('NAME')})"
    try:
        yield
    except IntegrityError as exc:
        raise UserError(
            f"{doing or 'operation'} failed on {where}, nothing was changed: {_first_line(exc)}"
        ) from None
    except DatabaseError as exc:
        missing = _missing_tables(using)
        if missing:
            which = "" if len(missing) == len(beat_models()) else f" ({', '.join(missing)})"
            raise UserError(
                f"django-celery-beat tables not found{which} in {where} "
                "— run `python manage.py migrate`"
            ) from None
        prefix = f"{doing} failed on {where}" if doing else f"cannot use {where}"
        raise UserError(f"{prefix}: {_first_line(exc)}") from None


# --- writing ------------------------------------------------------------------------------


@contextmanager
def _locked_transaction(using: str) -> Iterator[None]:
    """One transaction that no other beat-sync apply on the same database runs alongside."""
    from django.db import connections, transaction

    connection = connections[using]
    if connection.vendor not in SUPPORTED_VENDORS:
        raise UserError(
            f"apply supports PostgreSQL and SQLite; database {using!r} is {connection.vendor} "
            "(diff and export work on any database)"
        )
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            yield
        return
    # SQLite: Django's atomic() opens the outermost transaction with
    # `BEGIN <connection.transaction_mode>` (the OPTIONS "transaction_mode" setting); set it to
    # IMMEDIATE for this one transaction, whatever the settings say. Inside an outer
    # transaction the caller's BEGIN already happened: its lock is the one that counts.
    connection.ensure_connection()
    configured = connection.transaction_mode
    connection.transaction_mode = "IMMEDIATE"
    try:
        with transaction.atomic(using=using):
            connection.transaction_mode = configured
            yield
    finally:
        connection.transaction_mode = configured


def _rows_per_statement(connection: Any, columns: int) -> int | None:
    """How many rows one INSERT may carry on this connection (None: no limit)."""
    if connection.vendor == "sqlite":
        import sqlite3

        raw = connection.connection
        variables = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        # Each row's SQL is "(%s, %s, ...)": about 3 characters per column.
        length = raw.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH)
        return max(1, min(variables // columns, (length - 1000) // (3 * columns + 4)))
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        return max(1, 65535 // columns)  # PostgreSQL's limit on bound parameters
    return None


def _adapter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` is bound: the backend's own adapt_* (what Django's compiler uses),
    or None for values the driver takes as they are (text, numbers, booleans, NULL)."""
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if internal == "DecimalField":
        return lambda value: connection.ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    return None


def _insert(model: Any, rows: list[dict[str, Any]], using: str, returning: bool) -> list[int]:
    """Multi-row INSERT of `rows` (column name -> value, same keys in every row).

    Written out rather than through bulk_create: bulk_create caps SQLite at 999 variables per
    statement, and sets `date_changed` (auto_now) itself. Returns the new primary keys in row
    order when `returning` (RETURNING, as bulk_create relies on it too).
    """
    from django.db import connections

    if not rows:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in rows[0]]
    adapters = [_adapter(f, connection) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    size = _rows_per_statement(connection, len(fields)) or len(rows)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [
                value if adapt is None or value is None else adapt(value)
                for row in batch
                for value, adapt in zip(row.values(), adapters, strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                f"{', '.join([placeholders] * len(batch))}{suffix}",
                params,
            )
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _schedule_row(schedule: Schedule) -> tuple[str, dict[str, Any]]:
    """(foreign key, column values) of the schedule row for `schedule`."""
    if isinstance(schedule, CronSchedule):
        return "crontab", {
            "minute": schedule.minute,
            "hour": schedule.hour,
            "day_of_month": schedule.day_of_month,
            "month_of_year": schedule.month_of_year,
            "day_of_week": schedule.day_of_week,
            "timezone": schedule.timezone,
        }
    if isinstance(schedule, IntervalSchedule):
        return "interval", {"every": schedule.every, "period": schedule.period}
    if isinstance(schedule, SolarSchedule):
        return "solar", {
            "event": schedule.event,
            "latitude": schedule.latitude,
            "longitude": schedule.longitude,
        }
    if isinstance(schedule, ClockedSchedule):
        return "clocked", {"clocked_time": schedule.clocked_time}
    raise TypeError(f"not a schedule: {schedule!r}")


def _recreate(plan: Plan, snapshot: _Snapshot, using: str, now: datetime) -> None:
    models = _models()
    schedule_models = {
        "interval": models.IntervalSchedule,
        "crontab": models.CrontabSchedule,
        "solar": models.SolarSchedule,
        "clocked": models.ClockedSchedule,
    }
    kept = set(plan.left_alone)
    current = {task.name: task for task in snapshot.state.tasks}

    # Schedule rows of kept tasks stay (deleting them would orphan those tasks); an identical
    # desired schedule reuses them (SolarSchedule is unique on its three columns).
    kept_ids: dict[str, list[int]] = {fk: [] for fk in schedule_models}
    schedule_ids: dict[Schedule, tuple[str, int]] = {}
    for name in kept:
        fk, row_id = snapshot.schedule_ids[name]
        kept_ids[fk].append(row_id)
        schedule_ids[current[name].schedule] = (fk, row_id)

    models.PeriodicTask._base_manager.using(using).exclude(name__in=kept)._raw_delete(using)
    for fk, model in schedule_models.items():
        model._base_manager.using(using).exclude(pk__in=kept_ids[fk])._raw_delete(using)

    hold = os.environ.get(HOLD_AFTER_DELETE_ENV)
    if hold:
        time.sleep(float(hold))

    # Identical schedules share one row, in the order of the first task that uses each.
    new_schedules: dict[str, dict[Schedule, dict[str, Any]]] = {fk: {} for fk in schedule_models}
    for task in plan.desired:
        if task.schedule not in schedule_ids:
            fk, row = _schedule_row(task.schedule)
            new_schedules[fk].setdefault(task.schedule, row)
    for fk, model in schedule_models.items():
        pending = new_schedules[fk]
        ids = _insert(model, list(pending.values()), using, returning=True)
        for schedule, row_id in zip(pending, ids, strict=True):
            schedule_ids[schedule] = (fk, row_id)

    unchanged = set(plan.unchanged)
    survivors, newcomers = [], []
    for task in plan.desired:
        fk, schedule_id = schedule_ids[task.schedule]
        row = _task_row(task, snapshot, fk, schedule_id, task.name in unchanged, now)
        (survivors if "id" in row else newcomers).append(row)
    _insert(models.PeriodicTask, survivors, using, returning=False)
    _insert(models.PeriodicTask, newcomers, using, returning=False)


def _task_row(
    task: TaskState,
    snapshot: _Snapshot,
    fk: str,
    schedule_id: int,
    unchanged: bool,
    now: datetime,
) -> dict[str, Any]:
    history = snapshot.state.history.get(task.name)
    row: dict[str, Any] = {}
    if task.name in snapshot.ids:
        row["id"] = snapshot.ids[task.name]
    row.update(
        name=task.name,
        task=task.task,
        interval_id=schedule_id if fk == "interval" else None,
        crontab_id=schedule_id if fk == "crontab" else None,
        solar_id=schedule_id if fk == "solar" else None,
        clocked_id=schedule_id if fk == "clocked" else None,
        args=task.args,
        kwargs=task.kwargs,
        headers=task.headers,
        queue=task.queue,
        exchange=task.exchange,
        routing_key=task.routing_key,
        priority=task.priority,
        expires=task.expires,
        expire_seconds=task.expire_seconds,
        one_off=task.one_off,
        start_time=task.start_time,
        enabled=task.enabled,
        # PeriodicTask.save(): a disabled task has no last run.
        last_run_at=history.last_run_at if history and task.enabled else None,
        total_run_count=history.total_run_count if history else 0,
        date_changed=snapshot.date_changed[task.name] if unchanged else now,
        description=task.description,
    )
    return row


def _bump_change_marker(using: str, now: datetime) -> None:
    """What PeriodicTasks.update_changed() does, on this alias (update_changed() itself always
    writes through the default manager, i.e. the router's database, not necessarily `using`)."""
    marker = _models().PeriodicTasks._base_manager.using(using)
    if not marker.filter(ident=1).update(last_update=now):
        marker.create(ident=1, last_update=now)


def apply_plan(
    desired: Plan | Sequence[TaskState],
    *,
    using: str = "default",
    beat_owned: Collection[str] = (),
    after_read: Callable[[Plan], None] | None = None,
) -> ApplyResult:
    """Make the tables hold exactly `desired`, atomically, under the lock (see module docstring).

    `desired` is the manifest's tasks, or a Plan whose `desired` is used: the plan that is
    applied is always recomputed from the state read under the lock. `after_read` is called
    with that plan inside the transaction, before anything is written (tests use it to fail
    there; an exception it raises rolls everything back).
    """
    from django_celery_beat.utils import now as beat_now

    tasks = desired.desired if isinstance(desired, Plan) else tuple(desired)
    with database_errors(using, doing="apply"), _locked_transaction(using):
        snapshot = _read(using)
        plan = make_plan(tasks, snapshot.state, beat_owned=beat_owned)
        if after_read is not None:
            after_read(plan)
        if plan.in_sync:
            return ApplyResult(plan=plan, applied=False)
        now = beat_now()
        _recreate(plan, snapshot, using, now)
        _bump_change_marker(using, now)
    return ApplyResult(plan=plan, applied=True)
