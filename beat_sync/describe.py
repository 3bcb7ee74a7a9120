"""Plain-words descriptions of schedules and field values, for diffs a reviewer reads (pure).

Cron descriptions come from `cron_descriptor`, the library django-celery-beat's own
`CrontabSchedule.human_readable` uses; the link is crontab.guru's, which reads the same five
fields in the same order.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    Schedule,
    SolarSchedule,
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


def format_coordinate(value: Decimal) -> str:
    return format(value.normalize(), "f")


def schedule_text(schedule: Schedule) -> str:
    """One line: `cron 15 * * * * (Europe/Sofia)`, `interval every 30 minutes`, ..."""
    if isinstance(schedule, CronSchedule):
        return f"cron {schedule.expression} ({schedule.timezone})"
    if isinstance(schedule, IntervalSchedule):
        unit = schedule.period[:-1] if schedule.every == 1 else schedule.period
        return f"interval every {schedule.every} {unit}"
    if isinstance(schedule, SolarSchedule):
        return (
            f"solar {schedule.event} at {format_coordinate(schedule.latitude)}, "
            f"{format_coordinate(schedule.longitude)}"
        )
    if isinstance(schedule, ClockedSchedule):
        return f"clocked {format_datetime(schedule.clocked_time)}"
    raise TypeError(f"not a schedule: {schedule!r}")


def schedule_note(schedule: Schedule) -> str | None:
    """The plain-words line shown under a cron: description and crontab.guru link."""
    if not isinstance(schedule, CronSchedule):
        return None
    words = describe_cron(schedule.expression)
    url = crontab_guru_url(schedule)
    return f"{words} ({schedule.timezone}), {url}" if words else url


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """The schedule as the JSON output carries it: `{"kind": ..., <its fields>}`."""
    if isinstance(schedule, CronSchedule):
        return {
            "kind": "cron",
            "expression": schedule.expression,
            "minute": schedule.minute,
            "hour": schedule.hour,
            "day_of_month": schedule.day_of_month,
            "month_of_year": schedule.month_of_year,
            "day_of_week": schedule.day_of_week,
            "timezone": schedule.timezone,
            "description": describe_cron(schedule.expression),
            "url": crontab_guru_url(schedule),
        }
    if isinstance(schedule, IntervalSchedule):
        return {"kind": "interval", "every": schedule.every, "period": schedule.period}
    if isinstance(schedule, SolarSchedule):
        return {
            "kind": "solar",
            "event": schedule.event,
            "latitude": format_coordinate(schedule.latitude),
            "longitude": format_coordinate(schedule.longitude),
        }
    if isinstance(schedule, ClockedSchedule):
        return {"kind": "clocked", "clocked_time": format_datetime(schedule.clocked_time)}
    raise TypeError(f"not a schedule: {schedule!r}")


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
    if field in ("args", "kwargs", "headers"):
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
    if field in ("args", "kwargs", "headers"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
