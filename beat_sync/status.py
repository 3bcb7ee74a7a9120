"""What beat has done with each periodic task and what it will do next, from the rows (pure):
health, last run, next run, as `beat-sync status` shows them.

Health, the first that holds:
- `not managed`: with `manage = "owned"`, a row beat-sync does not manage (made in the admin or
  by code; beat-sync leaves it alone);
- `not in manifest`: the row's name is not declared (and is not one beat writes itself);
- `drift`: a managed row changed outside beat-sync since the last apply (`beat-sync diff` shows
  each field applied -> now -> manifest; the next apply restores it);
- `expired`: its `expires` has passed (beat disabled it or will at its next check);
- `spent`: a one-off that ran (beat disables it and resets its run count, so a disabled
  one-off the manifest declares enabled);
- `disabled`;
- `overdue`: it was due (counted from its last run, as beat counts) longer ago than its period
  plus beat's max interval: beat should have sent it by then, so beat is not running it;
- `never run`: no run yet, not overdue;
- `ok`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from beat_sync.ownership import Record
from beat_sync.plan import drifted, is_beat_owned
from beat_sync.state import RunHistory, TaskState
from beat_sync.when import computable, runs_of

Health = Literal[
    "ok",
    "never run",
    "overdue",
    "disabled",
    "spent",
    "expired",
    "drift",
    "not in manifest",
    "not managed",
]
HEALTHS: tuple[Health, ...] = get_args(Health)  # in the order the summary counts them


@dataclass(frozen=True)
class TaskStatus:
    task: TaskState  # the row, as beat-sync reads it
    health: Health
    last_run_at: datetime | None
    total_run_count: int
    next_run: datetime | None  # when beat will send it (now, if it is owed a run); None: never
    due_at: datetime | None  # when it was last due, counted from its last run


def task_status(
    task: TaskState,
    *,
    history: RunHistory,
    date_changed: datetime | None,
    declared: Mapping[str, TaskState],
    beat_owned: Collection[str],
    now: datetime,
    max_interval: float,
    record: Record | None = None,
    managed: bool = True,
) -> TaskStatus:
    """The status of one row at `now` (`declared`: the manifest's tasks by name; `record`: its
    ownership record, if any; `managed`: False for a row `manage = "owned"` leaves alone)."""
    wanted = declared.get(task.name)

    def status(health: Health, next_run=None, due_at=None) -> TaskStatus:
        return TaskStatus(
            task, health, history.last_run_at, history.total_run_count, next_run, due_at
        )

    if not managed:
        health: Health = "not managed"
    elif wanted is None and not is_beat_owned(task.name, beat_owned):
        health = "not in manifest"
    elif drifted(task, record, now):
        health = "drift"
    elif task.expires is not None and task.expires <= now:
        return status("expired")
    elif task.one_off and (
        history.total_run_count > 0 or (wanted and wanted.enabled and not task.enabled)
    ):
        return status("spent")
    elif not task.enabled:
        return status("disabled")
    else:
        health = "ok" if history.last_run_at else "never run"
    if not task.enabled or not computable(task):
        return status(health)
    # Counted from the last run (or from date_changed, as beat counts a row never run).
    since = history.last_run_at or date_changed or now
    history_fields = {
        "after": since,
        "last_run_at": history.last_run_at,
        "total_run_count": history.total_run_count,
        "date_changed": date_changed,
    }
    stream = runs_of(task, **history_fields)
    runs = stream.first(1)
    if not runs:
        return status(health)
    due = runs[0]
    late = now - due - timedelta(seconds=max_interval)
    # Overdue: late by more than the period (the gap to the run after). A row not late at all
    # is not overdue whatever its period, so the second run is only asked for a late one: most
    # of thousands of rows are not, and each run asked costs Celery an estimate or two.
    if health in ("ok", "never run") and late > timedelta(0):
        runs = stream.first(2)
        period = runs[1] - runs[0] if len(runs) > 1 else timedelta(0)
        if late > period:
            health = "overdue"
    return status(health, next_run=max(due, now), due_at=due)
