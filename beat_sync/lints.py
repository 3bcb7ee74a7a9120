"""Lints: schedules that validate, but that beat runs otherwise than a reader would expect,
reported as located warnings with stable codes (the codes: beat_sync.manifest.lint_codes; each
with an example: README, "Lints").

    warnings = lint(specs, now=datetime.now(UTC), settings=LintSettings(herd_limit=10))

Pure: no Django, no database. Crons are read with Celery's own crontab parser, and what beat does
at a daylight-saving change is asked of beat_sync.when (Celery's and django-celery-beat's
classes replayed as beat runs them), never of a cron engine of our own. `now` is a parameter, so
every lint is testable at a fixed instant.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from beat_sync.config import DEFAULT_HERD_LIMIT
from beat_sync.errors import LocatedError, Location
from beat_sync.kinds import schedule_from_spec
from beat_sync.manifest import TaskSpec
from beat_sync.manifest.columns import CRON_FIELDS
from beat_sync.manifest.lint_codes import LINT_CODES
from beat_sync.state import CronSchedule, TaskState

_NO_LOCATION = Location("<python>", 1, 1)  # a TaskSpec built in Python
# How far ahead BS102 looks for a daylight-saving change, and BS104 for a common day.
_DST_HORIZON_DAYS = 400
_HERD_HORIZON_DAYS = 4 * 366  # a 29th of February included
_NAMES_SHOWN = 10
_MINUTES_SHOWN = 4


@dataclass(frozen=True)
class LintSettings:
    """What the project says about lints (`[tool.beat-sync]`), and the zone a cron without
    `timezone` is read in (the project's; UTC when the project is not loaded)."""

    ignore: frozenset[str] = frozenset()
    herd_limit: int = DEFAULT_HERD_LIMIT
    default_timezone: str = "UTC"


def lint(
    specs: Iterable[TaskSpec], *, now: datetime, settings: LintSettings | None = None
) -> list[LocatedError]:
    """Every lint warning of `specs` at `now`, sorted, less the codes ignored by the settings
    or by a task's own `ignore`."""
    settings = settings or LintSettings()
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: lints need an aware 'now'")
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    found: list[LocatedError] = []
    herd: list[tuple[TaskSpec, CronSchedule]] = []
    for spec in specs:
        ignored = settings.ignore.union(spec.ignore) if spec.ignore else settings.ignore
        answers: list[tuple[str, str, str]] = []
        cron = None
        if spec.cron is not None:
            cron = _cron_of(_cron_fields(spec.cron), settings.default_timezone)
            answers.extend(_cron_answers(cron, minute))
        for code, check in _TASK_LINTS.items():
            answer = check(spec, settings.default_timezone, now)
            if answer is not None:
                answers.append((code, *answer))
        found.extend(
            _warning(spec, key, code, message)
            for code, key, message in answers
            if code not in ignored
        )
        if cron is not None and spec.enabled and "BS104" not in ignored:
            herd.append((spec, cron))
    found.extend(_herds(herd, settings.herd_limit, now))
    return sorted(found)


def _cron_fields(spec: Any) -> tuple[str | None, ...]:
    return (
        spec.minute,
        spec.hour,
        spec.day_of_month,
        spec.month_of_year,
        spec.day_of_week,
        spec.timezone,
    )


@lru_cache(maxsize=4096)
def _cron_of(fields: tuple[str | None, ...], default_timezone: str) -> CronSchedule:
    """The canonical cron (beat_sync.state) of a manifest cron's fields; cached, as thousands of
    tasks share a few crons."""
    minute, hour, day_of_month, month_of_year, day_of_week, timezone = fields
    return CronSchedule.from_columns(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        timezone=timezone or default_timezone,
    )


@lru_cache(maxsize=4096)
def _cron_answers(cron: CronSchedule, now: datetime) -> tuple[tuple[str, str, str], ...]:
    """(code, key, message) of every cron lint `cron` breaks at `now` (a whole minute)."""
    answers = []
    for code, check in _CRON_LINTS.items():
        message = check(cron, now)
        if message is not None:
            answers.append((code, "cron", message))
    return tuple(answers)


def _warning(spec: TaskSpec, key: str, code: str, message: str) -> LocatedError:
    where = spec.location_of(key) or spec.location or _NO_LOCATION
    return LocatedError.at(where, message, "warning", code=code)


Answer = tuple[str, str] | None  # (the key to point at, the message), or no warning


@lru_cache(maxsize=4096)
def _parsed(cron: CronSchedule) -> Any:
    """Celery's crontab of `cron`'s fields (the parser beat runs): its minute, hour,
    day_of_week (0 = Sunday), day_of_month and month_of_year are the sets of values it runs at.
    Not beat_sync.tables.beat's TzAwareCrontab: that import costs the pre-commit hook 0.1 s."""
    from celery.schedules import crontab

    return crontab(**{name: getattr(cron, name) for name in CRON_FIELDS})


def _hour_is_fixed(cron: CronSchedule) -> bool:
    return len(_parsed(cron).hour) < 24


def every_minute_of_fixed_hours(schedule: CronSchedule, now: datetime) -> str | None:
    """BS101: `minute: "*"` with `hour: "3"` runs sixty times between 03:00 and 03:59."""
    parsed = _parsed(schedule)
    if len(parsed.minute) < 60 or not _hour_is_fixed(schedule):
        return None
    hours = len(parsed.hour)
    which = "that hour" if hours == 1 else f"those {hours} hours"
    return (
        f'minute "{schedule.minute}" with hour "{schedule.hour}" runs every minute of {which}: '
        f'{60 * hours} runs a day; for one run at the start of the hour write minute: "0"'
    )


def daylight_saving(schedule: CronSchedule, now: datetime) -> str | None:
    """BS102: a cron time that a daylight-saving change of its zone skips or repeats."""
    if not _hour_is_fixed(schedule):
        return None
    return _dst_note(schedule, now)


def never_runs_again(spec: TaskSpec, default_timezone: str, now: datetime) -> Answer:
    """BS103: an enabled task whose clocked time or expires has passed, or that cannot run
    before it expires."""
    if not spec.enabled:
        return None
    if spec.clocked is not None and spec.clocked <= now:
        return "clocked", (
            f"clocked time {_when(spec.clocked)} is in the past: beat sends the task at once on "
            "a database where it has not run (a new one), and never again"
        )
    if spec.expires is not None and spec.expires <= now:
        return "expires", (
            f"expires {_when(spec.expires)} is in the past: beat disables the task at its first "
            "check without running it"
        )
    starts_too_late = spec.start_time is not None and spec.expires is not None
    if starts_too_late and spec.start_time >= spec.expires:
        return "start_time", (
            f"start_time {_when(spec.start_time)} is not before expires "
            f"{_when(spec.expires)}: the task never runs"
        )
    if spec.expires is not None:
        from beat_sync.when import next_runs

        task = TaskState(
            name=spec.name,
            task=spec.task,
            schedule=schedule_from_spec(spec, default_timezone),
            start_time=spec.start_time,
            expires=spec.expires,
        )
        if not next_runs(task, after=now, count=1):
            return "expires", (
                f"no run of its schedule comes before expires {_when(spec.expires)}: beat "
                "disables the task without running it"
            )
    return None


def one_off_repeating(spec: TaskSpec, default_timezone: str, now: datetime) -> Answer:
    """BS105: `one_off: true` on a cron, interval or solar schedule."""
    if not spec.one_off or spec.clocked is not None:
        return None
    kind = spec.schedule_kind
    return "one_off", (
        f"one_off: true on a{'n' if kind == 'interval' else ''} {kind} "
        "schedule: beat runs it once, then disables it, and every later deploy keeps it "
        "disabled while the task is unchanged; for one run at a set time use "
        "clocked: <date and time> with one_off: true"
    )


def day_of_month_and_week(schedule: CronSchedule, now: datetime) -> str | None:
    """BS106: Celery runs a cron only on days that match both day fields; Vixie cron, and the
    plain words and crontab.guru link diff shows, read it as either."""
    if schedule.day_of_month == "*" or schedule.day_of_week == "*":
        return None
    return (
        f'day_of_month "{schedule.day_of_month}" and day_of_week "{schedule.day_of_week}" are '
        "both restricted: Celery runs it only on days that match both (Vixie cron, and "
        "crontab.guru, on days that match either)"
    )


def missing_days_of_month(schedule: CronSchedule, now: datetime) -> str | None:
    """BS107: `day_of_month: "31"` skips the months without a 31st (Celery's crontab has no
    "last day of the month")."""
    if schedule.day_of_month == "*":
        return None
    parsed = _parsed(schedule)
    first = min(parsed.day_of_month)
    never = [m for m in sorted(parsed.month_of_year) if first > _longest_month(m)]
    leap_only = 2 in parsed.month_of_year and first == 29
    if not never and not leap_only:
        return None
    field = f'day_of_month "{schedule.day_of_month}"'
    if never:
        names = ", ".join(calendar.month_abbr[m] for m in never)
        extra = "; February only in leap years" if leap_only else ""
        return (
            f"{field} does not exist in {names}: beat skips those months{extra} (Celery's "
            "crontab has no last day of the month)"
        )
    return f"{field} exists in February only in leap years: beat skips February in other years"


def _longest_month(month: int) -> int:
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def _when(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


# Lints of a cron alone (cached per distinct cron), of a task, and BS104 of all tasks (_herds)
_CRON_LINTS: dict[str, Callable[[CronSchedule, datetime], str | None]] = {
    "BS101": every_minute_of_fixed_hours,
    "BS102": daylight_saving,
    "BS106": day_of_month_and_week,
    "BS107": missing_days_of_month,
}
_TASK_LINTS: dict[str, Callable[[TaskSpec, str, datetime], Answer]] = {
    "BS103": never_runs_again,
    "BS105": one_off_repeating,
}
CHECKED_CODES = frozenset({*_CRON_LINTS, *_TASK_LINTS, "BS104"})
assert set(LINT_CODES) == CHECKED_CODES, "every lint code has its check"


# BS102: daylight-saving changes ------------------------------------------------------------


@lru_cache(maxsize=256)
def _transitions(zone_name: str, start: datetime) -> tuple[tuple[datetime, timedelta, timedelta]]:
    """(instant, UTC offset before, after) of each change of `zone_name`'s offset in the
    _DST_HORIZON_DAYS after `start` (a whole minute, UTC)."""
    zone = ZoneInfo(zone_name)
    found = []
    day = start
    before = day.astimezone(zone).utcoffset()
    for _ in range(_DST_HORIZON_DAYS):
        following = day + timedelta(days=1)
        offset = following.astimezone(zone).utcoffset()
        if offset != before:
            low, high = day, following  # low has the old offset, high the new one
            while high - low > timedelta(minutes=1):
                middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((high, before, offset))
        day, before = following, offset
    return tuple(found)  # type: ignore[return-value]


def _cron_walls(cron: CronSchedule, first: datetime, length: timedelta) -> list[datetime]:
    """The naive local times in [first, first + length) the cron's fields name."""
    parsed = _parsed(cron)
    walls = []
    for step in range(int(length.total_seconds() // 60)):
        wall = first + timedelta(minutes=step)
        if _matches(parsed, wall):
            walls.append(wall)
    return walls


def _matches(parsed: Any, wall: datetime) -> bool:
    return (
        wall.minute in parsed.minute
        and wall.hour in parsed.hour
        and wall.day in parsed.day_of_month
        and wall.month in parsed.month_of_year
        and wall.isoweekday() % 7 in parsed.day_of_week
    )


@lru_cache(maxsize=4096)
def _dst_note(cron: CronSchedule, now: datetime) -> str | None:
    """What beat does with `cron` at the first daylight-saving change after `now` that moves
    one of its times, in words; None when no change in the horizon does."""
    for instant, before, after in _transitions(cron.timezone, now):
        if instant <= now:
            continue
        if after > before:
            first = (instant + before).replace(tzinfo=None)  # the first wall time skipped
            walls = _cron_walls(cron, first, after - before)
            if walls:
                return _gap_note(cron, instant, first, after - before, walls)
        else:
            first = (instant + after).replace(tzinfo=None)  # the first wall time repeated
            walls = _cron_walls(cron, first, before - after)
            if walls:
                return _fold_note(cron, instant, first, before - after, walls)
    return None


def _beat_runs_around(cron: CronSchedule, instant: datetime) -> list[datetime]:
    """The runs beat makes of `cron` from 4 hours before `instant` to 4 hours after, in the
    cron's zone, replayed with Celery's classes (beat_sync.when)."""
    from beat_sync.when import iter_runs

    zone = ZoneInfo(cron.timezone)
    task = TaskState(name="", task="", schedule=cron)
    runs = []
    for run in iter_runs(task, after=instant - timedelta(hours=4)):
        if run > instant + timedelta(hours=4):
            break
        runs.append(run.astimezone(zone))
    return runs


def _times(walls: Sequence[datetime]) -> str:
    shown = [f"{wall:%H:%M}" for wall in walls[:_MINUTES_SHOWN]]
    more = len(walls) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _day(wall: datetime) -> str:
    return f"{wall:%Y-%m-%d} ({wall:%A})"


def _gap_note(
    cron: CronSchedule, instant: datetime, first: datetime, length: timedelta, walls: list
) -> str:
    parsed = _parsed(cron)
    runs = _beat_runs_around(cron, instant)
    moved = [run for run in runs if not _matches(parsed, run.replace(tzinfo=None))]
    skipped = len(walls) - len(moved)
    exists = "does not exist" if len(walls) == 1 else "do not exist"
    said = (
        f"{cron.expression} in {cron.timezone}: on {_day(first)} clocks jump from "
        f"{first:%H:%M} to {first + length:%H:%M}, so {_times(walls)} {exists}"
    )
    if not moved:
        return f"{said}: beat skips {'it' if len(walls) == 1 else 'them'} that day"
    at = ", ".join(f"{run:%H:%M %Z}" for run in moved)
    if skipped <= 0:
        return f"{said}: beat runs {'it' if len(walls) == 1 else 'them'} at {at} instead"
    return f"{said}: beat runs the first at {at} instead and skips the other {skipped}"


def _fold_note(
    cron: CronSchedule, instant: datetime, first: datetime, length: timedelta, walls: list
) -> str:
    runs = _beat_runs_around(cron, instant)
    counts: dict[datetime, list[datetime]] = defaultdict(list)
    for run in runs:
        counts[run.replace(tzinfo=None)].append(run)
    twice = [wall for wall in walls if len(counts[wall]) > 1]
    happen = "happens" if len(walls) == 1 else "happen"
    said = (
        f"{cron.expression} in {cron.timezone}: on {_day(first)} clocks go back from "
        f"{first + length:%H:%M} to {first:%H:%M}, so {_times(walls)} {happen} twice"
    )
    if twice:
        return f"{said}: beat runs {_times(twice)} twice, once in each"
    ran = [counts[wall][0] for wall in walls if counts[wall]]
    if not ran:
        return f"{said}: beat skips {'it' if len(walls) == 1 else 'them'} that day"
    return (
        f"{said}: beat runs {'it' if len(walls) == 1 else 'them'} once, at the first "
        f"{_times(walls)} ({ran[0]:%Z}), and not again in the repeated hour"
    )


# BS104: herds ------------------------------------------------------------------------------

DayKey = tuple[frozenset[int] | None, frozenset[int] | None, frozenset[int] | None]


def _day_key(cron: CronSchedule) -> DayKey:
    parsed = _parsed(cron)
    return (
        None if cron.day_of_month == "*" else frozenset(parsed.day_of_month),
        None if cron.month_of_year == "*" else frozenset(parsed.month_of_year),
        None if cron.day_of_week == "*" else frozenset(parsed.day_of_week),
    )


@lru_cache(maxsize=4096)
def _utc_minutes(cron: CronSchedule, offset_minutes: int) -> tuple[int, ...]:
    parsed = _parsed(cron)
    return tuple(
        (hour * 60 + minute - offset_minutes) % 1440
        for hour in parsed.hour
        for minute in parsed.minute
    )


def _herds(
    tasks: Sequence[tuple[TaskSpec, CronSchedule]], limit: int, now: datetime
) -> list[LocatedError]:
    """BS104: more than `limit` enabled crons start at one minute of the day (read in UTC at
    the zones' offsets of `now`) on a day they share."""
    if len(tasks) <= limit:
        return []
    by_cron: dict[CronSchedule, list[int]] = defaultdict(list)
    for index, (_, cron) in enumerate(tasks):
        by_cron[cron].append(index)
    minutes: dict[int, dict[DayKey, list[int]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[int, int] = defaultdict(int)
    for cron, members in by_cron.items():
        offset = now.astimezone(ZoneInfo(cron.timezone)).utcoffset()
        day = _day_key(cron)
        for minute in _utc_minutes(cron, int(offset.total_seconds() // 60)):
            minutes[minute][day].extend(members)
            totals[minute] += len(members)
    herds: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for minute, total in totals.items():
        if total <= limit:
            continue
        groups = minutes[minute]
        sizes = tuple(sorted((key, len(members)) for key, members in groups.items()))
        if _most_on_one_day(sizes, now.date()) > limit:
            herds[tuple(sorted(i for members in groups.values() for i in members))].append(minute)
    warnings = []
    for members, herd_minutes in herds.items():
        specs = [tasks[i][0] for i in members]  # in manifest order
        names = [spec.name for spec in specs]
        shown = ", ".join(repr(name) for name in names[:_NAMES_SHOWN])
        if len(names) > _NAMES_SHOWN:
            shown += f" and {len(names) - _NAMES_SHOWN} more"
        herd_minutes.sort()
        at = ", ".join(f"{m // 60:02d}:{m % 60:02d}" for m in herd_minutes[:_MINUTES_SHOWN])
        if len(herd_minutes) > _MINUTES_SHOWN:
            at += f" and {len(herd_minutes) - _MINUTES_SHOWN} more minutes of the day"
        message = (
            f"{len(names)} enabled tasks start at the same minute ({at} UTC), more than "
            f"herd_limit {limit}: {shown}; spread them over other minutes, or raise herd_limit "
            "in [tool.beat-sync]"
        )
        warnings.append(_warning(specs[0], "cron", "BS104", message))
    return warnings


@lru_cache(maxsize=1024)
def _most_on_one_day(sizes: tuple[tuple[DayKey, int], ...], today: date) -> int:
    """The most tasks of one minute that run on one day, over the next four years."""
    everyday = sum(size for key, size in sizes if key == (None, None, None))
    if everyday == sum(size for _, size in sizes):
        return everyday
    most = 0
    for step in range(_HERD_HORIZON_DAYS):
        day = today + timedelta(days=step)
        weekday = day.isoweekday() % 7
        count = sum(
            size
            for (days, months, weekdays), size in sizes
            if (days is None or day.day in days)
            and (months is None or day.month in months)
            and (weekdays is None or weekday in weekdays)
        )
        most = max(most, count)
    return most


def codes_problem(codes: Collection[Any]) -> list[str]:
    """Why each of `codes` is not a lint code ([tool.beat-sync] ignore)."""
    from beat_sync.manifest.lint_codes import unknown_code

    return [reason for code in codes if (reason := unknown_code(code))]
