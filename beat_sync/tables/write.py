"""Applying a plan: in one transaction on the chosen database alias, under the lock
(`beat_sync.tables.sql`), the current state is read and the plan computed from it; an empty plan
writes nothing at all (no delete, no insert, no change-marker bump); otherwise the styleguide's
full delete and recreate: every PeriodicTask and schedule row is deleted with a raw DELETE per
table (a queryset `.delete()` would send django-celery-beat's per-row signals, one query each),
then the schedules (identical schedules share one row, as django-celery-beat's `from_schedule`
shares them) and the tasks are inserted in bulk, and the change marker
(`PeriodicTasks.last_update`, what a running beat polls) is bumped exactly once. The number of
queries does not grow with the number of tasks.

What survives the recreate, for a task whose name is in both the old and the new state:
  - its primary key: beat keeps its loaded rows in memory and later saves their run count by
    primary key; the same id lets that save land on the recreated row;
  - `last_run_at` and `total_run_count` (without them an `interval: 1 day` task on a project
    that deploys daily never runs); `last_run_at` is None when the task is disabled, as
    django-celery-beat's `PeriodicTask.save()` does;
  - `date_changed` when the task itself is unchanged (beat counts a never-run task's first
    interval from it); a changed or added task gets the apply's time.
A renamed task is recreated with the primary key and run history of the row it is renamed from.
Rows beat writes itself (`celery.*` and `beat_schedule` names, see `beat_sync.plan`) and, with
`manage = "owned"`, every row beat-sync does not manage are kept exactly as they are, with their
schedule rows (a manifest task with an identical schedule shares such a row, untouched).

The ownership record (`beat_sync.tables.ownership`) is rewritten in the same transaction, also
when the tables are in sync but the record is not (first apply after installing the app, a task
moved to another line); then django-celery-beat's tables and the change marker are not touched.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beat_sync.config import DEFAULT_LOCK_TIMEOUT
from beat_sync.errors import UserError
from beat_sync.kinds import KINDS, ScheduleKind, kind_of
from beat_sync.plan import Plan, make_plan
from beat_sync.state import Schedule, TaskState
from beat_sync.tables.environment import applied_environment, guard_environment
from beat_sync.tables.errors import database_errors
from beat_sync.tables.models import change_marker, periodic_task, schedule_model
from beat_sync.tables.ownership import write_records
from beat_sync.tables.read import Snapshot, read_snapshot
from beat_sync.tables.sql import insert, locked_transaction

# Called with no arguments between the deletes and the inserts, inside the transaction: the
# fault tests append one that sleeps there, to kill or race an apply at that point.
after_delete: list[Callable[[], None]] = []


class TablesChanged(UserError):
    """The tables no longer hold the state a saved plan was computed from."""


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan  # the plan computed under the lock: what was (or would have been) written
    applied: bool  # False when the tables were already in sync and nothing was written
    recorded: bool = False  # the ownership record changed (also when `applied` is False)
    switched: bool = False  # another environment than the last applied one was recorded
    environment: str | None = None  # the environment applied (None: the base)


def _recreate(plan: Plan, snapshot: Snapshot, using: str, now: datetime) -> None:
    kept = {*plan.left_alone, *plan.unmanaged}
    current = {task.name: task for task in snapshot.state.tasks}

    # Schedule rows of kept tasks stay (deleting them would orphan those tasks); an identical
    # desired schedule reuses them (SolarSchedule is unique on its three columns).
    kept_ids: dict[ScheduleKind, list[int]] = {kind: [] for kind in KINDS}
    schedule_ids: dict[Schedule, int] = {}
    for name in kept:
        kind, row_id = snapshot.schedule_ids[name]
        kept_ids[kind].append(row_id)
        schedule_ids[current[name].schedule] = row_id

    periodic_task()._base_manager.using(using).exclude(name__in=kept)._raw_delete(using)
    for kind in KINDS:
        rows = schedule_model(kind)._base_manager.using(using)
        rows.exclude(pk__in=kept_ids[kind])._raw_delete(using)

    for hook in after_delete:
        hook()

    # Identical schedules share one row, in the order of the first task that uses each.
    new_schedules: dict[ScheduleKind, dict[Schedule, dict[str, Any]]] = {k: {} for k in KINDS}
    for task in plan.desired:
        if task.schedule not in schedule_ids:
            kind = kind_of(task.schedule)
            new_schedules[kind].setdefault(task.schedule, kind.columns_of(task.schedule))
    for kind, pending in new_schedules.items():
        ids = insert(schedule_model(kind), list(pending.values()), using, returning=True)
        schedule_ids.update(zip(pending, ids, strict=True))

    unchanged = {*plan.unchanged, *plan.kept_disabled}
    renames = plan.renames
    survivors, newcomers = [], []
    for task in plan.desired:
        was = renames.get(task.name, task.name)
        row = _task_row(task, was, snapshot, schedule_ids[task.schedule], was in unchanged, now)
        (survivors if "id" in row else newcomers).append(row)
    insert(periodic_task(), survivors, using, returning=False)
    insert(periodic_task(), newcomers, using, returning=False)


def _task_row(
    task: TaskState,
    was: str,
    snapshot: Snapshot,
    schedule_id: int,
    unchanged: bool,
    now: datetime,
) -> dict[str, Any]:
    """The row of `task`, with the id and history of the row named `was` (its name before a
    rename, else its own) if there is one."""
    history = snapshot.state.history.get(was)
    kind = kind_of(task.schedule)
    row: dict[str, Any] = {}
    if was in snapshot.ids:
        row["id"] = snapshot.ids[was]
    row.update(task.columns())
    row.update({f"{k.foreign_key}_id": schedule_id if k == kind else None for k in KINDS})
    row.update(
        # PeriodicTask.save(): a disabled task has no last run.
        last_run_at=history.last_run_at if history and task.enabled else None,
        total_run_count=history.total_run_count if history else 0,
        date_changed=snapshot.date_changed[was] if unchanged else now,
    )
    return row


def _bump_change_marker(using: str, now: datetime) -> None:
    """What PeriodicTasks.update_changed() does, on this alias (update_changed() itself always
    writes through the default manager, i.e. the router's database, not necessarily `using`)."""
    marker = change_marker()._base_manager.using(using)
    if not marker.filter(ident=1).update(last_update=now):
        marker.create(ident=1, last_update=now)


def apply_plan(
    desired: Plan | Sequence[TaskState],
    *,
    using: str = "default",
    beat_owned: Collection[str] = (),
    after_read: Callable[[Plan], None] | None = None,
    before_commit: Callable[[Plan], None] | None = None,
    environment: str | None = None,
    allow_env_switch: bool = False,
    manage: str = "all",
    on_remove: str = "delete",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    expected_tables: str | None = None,
) -> ApplyResult:
    """Make the tables hold exactly `desired`, atomically, under the lock (see module docstring).

    `desired` is the manifest's tasks, or a Plan whose `desired` is used: the plan that is
    applied is always recomputed from the state read under the lock. `after_read` is called
    with that plan inside the transaction, before anything is written (tests use it to fail
    there); `before_commit` with the same plan after everything is written, just before the
    commit, and only when something was written (apply prints the plan there). An exception
    either raises rolls everything back. `environment` (None: the base) is checked against the
    one last applied (beat_sync.tables.environment) and recorded with the apply. The lock is
    waited for at most `lock_timeout` seconds (0: not at all), then UserError
    (beat_sync.tables.sql). With `expected_tables` (a saved plan's fingerprint,
    beat_sync.saved_plan), the state read under the lock must have that fingerprint, else
    TablesChanged, nothing written.
    """
    from django_celery_beat.utils import now as beat_now

    tasks = desired.desired if isinstance(desired, Plan) else tuple(desired)
    with database_errors(using, doing="apply"), locked_transaction(using, lock_timeout):
        snapshot = read_snapshot(using)
        last_environment = applied_environment(using)
        if expected_tables is not None:
            from beat_sync.saved_plan import fingerprint

            if fingerprint(snapshot.state, last_environment) != expected_tables:
                raise TablesChanged("the tables changed since the plan was saved")
        plan = make_plan(
            tasks,
            snapshot.state,
            beat_owned=beat_owned,
            records=snapshot.state.records,
            manage=manage,
            on_remove=on_remove,
        )
        if after_read is not None:
            after_read(plan)
        now = beat_now()
        switch = guard_environment(environment, last_environment, allow_switch=allow_env_switch)
        if plan.in_sync and not plan.records_changed and not switch:
            return ApplyResult(plan=plan, applied=False, environment=environment)
        if not plan.in_sync:
            _recreate(plan, snapshot, using, now)
            _bump_change_marker(using, now)
        write_records(plan, using, now, on_remove=on_remove, environment=environment or "")
        if before_commit is not None and not plan.in_sync:
            before_commit(plan)
    return ApplyResult(
        plan=plan,
        applied=not plan.in_sync,
        recorded=plan.records is not None and (not plan.in_sync or plan.records_changed),
        switched=switch,
        environment=environment,
    )
