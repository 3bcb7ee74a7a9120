"""Plain-words descriptions of schedules and field values, for diffs a reviewer reads (pure).

Cron descriptions come from `cron_descriptor`, the library django-celery-beat's own
`CrontabSchedule.human_readable` uses; the link is crontab.guru's, which reads the same five
fields in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import lru_cache, singledispatch
from typing import Any
from unicodedata import combining, east_asian_width

from beat_sync.kinds import kind_of
from beat_sync.state import (
    JSON_COLUMNS,
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    Schedule,
    SolarSchedule,
)


def visible(text: str) -> str:
    """`text` with each control or invisible character written as its escape (`\\n`, `\\x1b`,
    `\\u202e`): no value read from a manifest or a table can move the cursor, forge a line (a
    fake "In sync" in a CI log) or hide text in what beat-sync prints."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal: 2 for a wide (CJK, fullwidth) character, 0 for
    a combining mark, 1 for the others (Unicode's East Asian Width, as terminals count)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if combining(char) else 2 if east_asian_width(char) in "WF" else 1 for char in text
    )


@lru_cache(maxsize=4096)
def describe_cron(expression: str) -> str | None:
    """`"15 * * * *"` -> `"At 15 minutes past the hour"`; None when cron_descriptor can't say."""
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    # Fixed, not the machine's locale: a diff must read the same on every laptop and in CI.
    options.locale_code = "en_US"
    options.use_24hour_time_format = True
    try:
        return ExpressionDescriptor(expression, options).get_description()
    except Exception:  # cron_descriptor raises several unrelated types for odd input
        return None


def crontab_guru_url(cron: CronSchedule) -> str:
    return "https://crontab.guru/#" + cron.expression.replace(" ", "_")


def format_datetime(value: datetime) -> str:
    return value.isoformat()


def format_run(moment: datetime, zone: tzinfo) -> str:
    """A run as people read it, in `zone` with its offset: `Sun 14 Mar 2027 03:30 EDT (UTC-04:00)`
    (seconds shown only when not zero, fractions never; a UTC run is just `... 03:30 UTC`)."""
    local = moment.astimezone(zone)
    # strftime's "%a %d %b %Y %H:%M[:%S] %Z" in the C locale, which Python starts in, spelled
    # out: it is the cost of printing 10,000 rows' runs
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.second:
        clock += f":{local.second:02d}"
    name = local.tzname() or ""
    text = (
        f"{_DAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month - 1]} {local.year} "
        f"{clock} {name}"
    )
    if name == "UTC":
        return text
    offset = local.strftime("%z")
    return f"{text} (UTC{offset[:3]}:{offset[3:]})"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def runs_text(moments: Sequence[datetime], enabled: bool = True) -> str:
    """A task's next runs on one line, each in its own zone; why there are none when none."""
    if not enabled:
        return "none (disabled)"
    if not moments:
        return "none (it will not run again)"
    return ", ".join(format_run(moment, moment.tzinfo) for moment in moments)


def ago(moment: datetime, now: datetime) -> str:
    """How long before `now`: `40 s ago`, `20 min ago`, `2 h ago`, `3 days ago` (`in 5 min` for
    a moment after `now`, a clock ahead of this one)."""
    seconds = (now - moment).total_seconds()
    later = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("days", 86400 * 2), ("h", 3600), ("min", 60)):
        if seconds >= size:
            amount = int(seconds // (86400 if unit == "days" else size))
            break
    else:
        unit, amount = "s", int(seconds)
    return f"in {amount} {unit}" if later else f"{amount} {unit} ago"


def schedule_words(schedule: Schedule) -> str:
    """A schedule in plain words where there are some (a cron's description and zone), else its
    one-line text."""
    if isinstance(schedule, CronSchedule):
        words = describe_cron(schedule.expression)
        if words:
            return f"{words} ({_zone_text(schedule)})"
    return schedule_text(schedule)


def format_run_json(moment: datetime, zone: tzinfo) -> str:
    """A run as the JSON output carries it: ISO 8601 in `zone`, with its offset."""
    return moment.astimezone(zone).isoformat()


def format_coordinate(value: Decimal) -> str:
    return format(value.normalize(), "f")


@singledispatch
def schedule_text(schedule: Schedule) -> str:
    """One line: `cron 15 * * * * (Europe/Sofia)`, `interval every 30 minutes`, ..."""
    raise TypeError(f"not a schedule: {schedule!r}")


@schedule_text.register
def _(schedule: CronSchedule) -> str:
    return f"cron {schedule.expression} ({_zone_text(schedule)})"


def _zone_text(schedule: CronSchedule) -> str:
    """A cron's zone as shown; a row's empty column (no zone) said so, not as `()`."""
    return schedule.timezone or "no time zone"


@schedule_text.register
def _(schedule: IntervalSchedule) -> str:
    unit = schedule.period[:-1] if schedule.every == 1 else schedule.period
    return f"interval every {schedule.every} {unit}"


@schedule_text.register
def _(schedule: SolarSchedule) -> str:
    latitude, longitude = (
        format_coordinate(schedule.latitude),
        format_coordinate(schedule.longitude),
    )
    return f"solar {schedule.event} at {latitude}, {longitude}"


@schedule_text.register
def _(schedule: ClockedSchedule) -> str:
    return f"clocked {format_datetime(schedule.clocked_time)}"


@singledispatch
def schedule_note(schedule: Schedule) -> str | None:
    """The plain-words line shown under a schedule: for a cron, description and crontab.guru
    link; None for the other kinds."""
    return None


@schedule_note.register
def _(schedule: CronSchedule) -> str | None:
    words = describe_cron(schedule.expression)
    url = crontab_guru_url(schedule)
    return f"{words} ({schedule.timezone}), {url}" if words else url


def _column_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_coordinate(value)  # a decimal string: JSON numbers are floats
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


@singledispatch
def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """The schedule as the JSON output carries it: `{"kind": ..., <its columns>}`."""
    kind = kind_of(schedule)
    columns = kind.columns_of(schedule)
    return {"kind": kind.key, **{name: _column_json(value) for name, value in columns.items()}}


@schedule_json.register
def _(schedule: CronSchedule) -> dict[str, Any]:
    # The expression first, then the columns, then the words and the link.
    return {
        "kind": schedule.kind,
        "expression": schedule.expression,
        **kind_of(schedule).columns_of(schedule),
        "description": describe_cron(schedule.expression),
        "url": crontab_guru_url(schedule),
    }


def value_text(field: str, value: Any) -> str:
    """A field value as a diff line shows it (None as `null`, JSON fields as their JSON text)."""
    if field == "schedule":
        return schedule_text(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if field in JSON_COLUMNS:
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def value_json(field: str, value: Any) -> Any:
    """A field value as the JSON output carries it: JSON fields parsed, datetimes as ISO 8601."""
    if value is None:
        return None
    if field == "schedule":
        return schedule_json(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if field in JSON_COLUMNS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
