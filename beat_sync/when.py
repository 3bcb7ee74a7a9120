"""When beat runs a task: its run instants, asked of Celery's and django-celery-beat's own
schedule classes the way DatabaseScheduler asks them (no cron engine of beat-sync's own).

beat keeps, per task, a `last_run_at`; on each check it asks the schedule `is_due(last_run_at)`,
which answers "due now" or "check again in N seconds"; when due it sends the task and sets
`last_run_at` to that moment. `iter_runs` replays exactly that loop on a stopped clock, asking
the schedule what is_due asks it (`_check`), with what django-celery-beat's `ModelEntry` adds
around the schedule:

- a row without `last_run_at` counts from its `date_changed` (for a task not in the tables yet:
  the moment it is applied), or, when it has a `start_time`, from 30 years before that;
- nothing runs before `start_time`: the first check is at `start_time` itself (beat re-reads
  its whole schedule at least every 5 minutes, so a cron task that is due at `start_time` is
  sent within 5 minutes of it, or at its next cron time if that comes first);
- at or after `expires` beat disables the task instead of sending it;
- a `one_off` task runs once; one whose `total_run_count` is above 0 has run (beat disables it).

Times are aware datetimes in UTC; `zone_of` says which zone a person reads a task's runs in.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from beat_sync.state import CronSchedule, Schedule, TaskState
from beat_sync.tables.beat import (
    at,
    beat_schedule,
    clock_zone,
    estimate_is_linear,
    known_zone,
    remaining_estimate,
)

# ModelEntry: "if last_run_at is not set and model.start_time last_run_at should be in way past".
_START_TIME_PAST = timedelta(days=365 * 30)
# Checks (due or not) allowed per run before giving up on a schedule that never comes due (a
# solar event that does not happen at a pole is re-checked about once a day).
_CHECKS_PER_RUN = 1000


def first_check(
    task: TaskState,
    *,
    after: datetime,
    last_run_at: datetime | None,
    date_changed: datetime | None,
) -> tuple[datetime, datetime]:
    """(the `last_run_at` beat counts from, the first moment at or after `after` it may run)."""
    last = last_run_at or date_changed or after
    if last_run_at is None and task.start_time is not None:
        last = last - _START_TIME_PAST
    start = after
    if task.start_time is not None and start < task.start_time:
        start = task.start_time
    return last.astimezone(UTC), start.astimezone(UTC)


def iter_runs(
    task: TaskState,
    *,
    after: datetime,
    last_run_at: datetime | None = None,
    total_run_count: int = 0,
    date_changed: datetime | None = None,
) -> Iterator[datetime]:
    """The moments, from `after` on, at which beat sends `task` if it is enabled (`enabled`
    itself is not looked at: see `next_runs`), in UTC, for as long as it runs.

    `last_run_at`, `total_run_count` and `date_changed` are the row's (None, 0, None for a task
    not in the tables: it counts from `after`, as if applied then). A task overdue at `after`
    runs at `after`, as beat sends it at its first check."""
    if after.tzinfo is None:
        raise ValueError(f"naive datetime {after!r}: next runs are computed from an aware one")
    if task.one_off and total_run_count > 0:
        return
    try:
        schedule, zone = beat_schedule(task.schedule), clock_zone(task.schedule)
    except Exception:  # values Celery refuses (tables.beat.schedule_problem): beat never runs it
        return
    last, now = first_check(task, after=after, last_run_at=last_run_at, date_changed=date_changed)
    checks = 0
    known_due = False  # the check at `now` is due without asking Celery (see below)
    while checks < _CHECKS_PER_RUN:
        if task.expires is not None and now >= task.expires:
            return
        try:
            due, next_check, estimated = (
                (True, None, False) if known_due else _check(schedule, zone, last, now)
            )
        except Exception:  # beat logs such a schedule and retries it for ever: it never runs
            return
        if due:
            yield now
            if task.one_off:
                return
            if next_check is None:  # asked only when a run after this one is
                try:
                    # is_due's next check after a run is the estimate counted from that run
                    # (a positive one: else is_due's own answer, as for a clocked schedule)
                    _, next_check, estimated = _check(schedule, zone, now, now)
                    if not estimated:
                        next_check = at(schedule, now, zone).is_due(last)[1]
                except Exception:
                    return
            last, checks = now, 0
        else:
            checks += 1
        try:
            later = now + timedelta(seconds=max(next_check, 0.000001))
        except OverflowError:  # the next check is past the year 9999: no run before it
            return
        # A positive estimate is (the next run's moment - now), so the next check is at that
        # moment, where the same question's estimate is 0: due. Not asked again, unless the
        # estimate is not linear in the clock between the two (estimate_is_linear).
        known_due = estimated and estimate_is_linear(zone, now, later)
        now = later


def _check(
    schedule: Any, zone: ZoneInfo | None, last: datetime, now: datetime
) -> tuple[bool, float | None, bool]:
    """`is_due(last)` at `now` as (due, seconds to the next check, whether the answer is a
    positive estimate), the next check left None for a run that is due (iter_runs asks is_due
    for it only if a later run is wanted).

    Every schedule beat runs (Celery's `schedule`, `crontab` and `solar`, django-celery-beat's
    `TzAwareCrontab` and `clocked`) answers is_due from its `remaining_estimate(last)`: a
    positive estimate is "not due, check again in that many seconds" and an estimate of 0 is
    "due". Asking the estimate alone gives that answer for a third of the cost (is_due then
    asks a second estimate for the check after, and a crontab reads the app's configuration).
    A negative estimate (a run owed from the past) goes to is_due itself: a crontab may then
    say "not due" (beat_cron_starting_deadline)."""
    celery_schedule = at(schedule, now, zone)
    remaining = remaining_estimate(celery_schedule, last, zone).total_seconds()
    if remaining > 0:
        return False, remaining, True
    if remaining == 0:
        return True, None, False
    due, next_check = celery_schedule.is_due(last)
    return due, next_check, False


def next_runs(
    task: TaskState,
    *,
    after: datetime,
    count: int,
    last_run_at: datetime | None = None,
    total_run_count: int = 0,
    date_changed: datetime | None = None,
) -> tuple[datetime, ...]:
    """The first `count` runs of `iter_runs`; none for a disabled task (beat skips it)."""
    runs = runs_of(
        task,
        after=after,
        last_run_at=last_run_at,
        total_run_count=total_run_count,
        date_changed=date_changed,
    )
    return runs.first(count)


def runs_of(
    task: TaskState,
    *,
    after: datetime,
    last_run_at: datetime | None = None,
    total_run_count: int = 0,
    date_changed: datetime | None = None,
) -> Runs:
    """The runs of `iter_runs`, asked for as far as `Runs.first` is (none for a disabled task:
    beat skips it). Rows never run share theirs (see `Timing`)."""
    if not task.enabled:
        return _NO_RUNS
    if last_run_at is not None:  # its own: beat sets it per row, to the moment it sent it
        return Runs(
            iter_runs(
                task,
                after=after,
                last_run_at=last_run_at,
                total_run_count=total_run_count,
                date_changed=date_changed,
            )
        )
    # never run: the rows applied together count from the same date_changed, and share runs
    return _runs(timing_of(task), after, total_run_count > 0, date_changed)


# What decides when a task runs: its schedule, one_off, start_time and expires. Tasks with the
# same timing and run history run at the same moments, so it is the key their runs are computed
# once under (thousands of tasks share a few schedules); a tuple, cheaper to hash than a
# TaskState.
Timing = tuple[Schedule, bool, datetime | None, datetime | None]


def timing_of(task: TaskState) -> Timing:
    return (task.schedule, task.one_off, task.start_time, task.expires)


def _timed(timing: Timing) -> TaskState:
    """A TaskState of that timing, its name, task and arguments blank (what iter_runs reads)."""
    schedule, one_off, start_time, expires = timing
    return TaskState(
        name="",
        task="",
        schedule=schedule,
        one_off=one_off,
        start_time=start_time,
        expires=expires,
    )


class Runs:
    """The runs of one iter_runs, remembered as far as they were asked for: asking for 2 after
    asking for 1 (status, for a late row) continues the same stream instead of starting again."""

    __slots__ = ("_more", "_seen")

    def __init__(self, runs: Iterator[datetime]) -> None:
        self._more: Iterator[datetime] | None = runs
        self._seen: list[datetime] = []

    def first(self, count: int) -> tuple[datetime, ...]:
        while self._more is not None and len(self._seen) < count:
            moment = next(self._more, None)
            if moment is None:
                self._more = None
            else:
                self._seen.append(moment)
        return tuple(self._seen[:count])


_NO_RUNS = Runs(iter(()))


@lru_cache(maxsize=4096)
def _runs(timing: Timing, after: datetime, has_run: bool, date_changed: datetime | None) -> Runs:
    return Runs(
        iter_runs(
            _timed(timing),
            after=after,
            total_run_count=int(has_run),
            date_changed=date_changed,
        )
    )


def merged_runs(
    tasks: Iterable[TaskState], *, after: datetime, count: int
) -> list[tuple[datetime, TaskState]]:
    """The first `count` runs of the enabled `tasks`, all merged in time order (a tie by name),
    for tasks new to the tables (counted from `after`, as if applied then)."""
    runs: list[tuple[datetime, TaskState]] = []
    if count <= 0:
        return runs
    for moment, due in groupby(timed_runs(tasks, after=after), key=itemgetter(0)):
        # the tasks of every timing due at this moment, in name order
        for task in heapq.merge(*(group for _, group in due), key=_name):
            runs.append((moment, task))
            if len(runs) == count:
                return runs
    return runs


def timed_runs(
    tasks: Iterable[TaskState], *, after: datetime
) -> Iterator[tuple[datetime, list[TaskState]]]:
    """Each run of each distinct timing (`Timing`) of the enabled `tasks`, in time order, with
    the tasks that share it (in name order), for tasks new to the tables (counted from `after`).
    Each entry is one run asked of Celery, for all the tasks sharing it; each timing's runs are
    asked for only as far as the caller reads."""
    shared: dict[Timing, list[TaskState]] = {}
    for task in tasks:
        if task.enabled:
            shared.setdefault(timing_of(task), []).append(task)
    streams = [
        _stream(_timed(timing), index, sorted(group, key=_name), after)
        for index, (timing, group) in enumerate(shared.items())
    ]
    for moment, _, group in heapq.merge(*streams):
        yield moment, group


def _name(task: TaskState) -> str:
    return task.name


def _stream(
    key: TaskState, index: int, group: list[TaskState], after: datetime
) -> Iterator[tuple[datetime, int, list[TaskState]]]:
    # `index` breaks a tie between timings due at the same moment before the lists compare
    for moment in iter_runs(key, after=after):
        yield moment, index, group


def zone_of(schedule: Schedule, default_timezone: str) -> ZoneInfo:
    """The zone a person reads a task's runs in: a cron's own, else the project's default (UTC
    when that is not a zone: `diff --base` knows no settings)."""
    name = schedule.timezone if isinstance(schedule, CronSchedule) else default_timezone
    return known_zone(name) or ZoneInfo("UTC")


def computable(task: TaskState) -> bool:
    """Whether the runs can be computed here: not for a cron whose zone is unknown."""
    return (
        not isinstance(task.schedule, CronSchedule)
        or known_zone(task.schedule.timezone) is not None
    )
