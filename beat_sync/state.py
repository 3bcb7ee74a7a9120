"""The canonical, comparable form of periodic tasks: what the manifest wants, what the tables hold.

Both sides are normalised into these frozen values, so two schedules written differently
("0,30" and "0, 30", a cron string and a cron mapping, the default zone and the same zone
written out) compare equal with `==`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

# django-celery-beat stores solar coordinates as DecimalField(max_digits=9, decimal_places=6).
COORDINATE_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class CronSchedule:
    kind: ClassVar[str] = "cron"
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str
    timezone: str

    @classmethod
    def of(
        cls,
        minute: str,
        hour: str,
        day_of_month: str,
        month_of_year: str,
        day_of_week: str,
        timezone: str,
    ) -> CronSchedule:
        """The canonical cron of fields as written, in the manifest or in a table row."""
        return cls(
            canonical_cron_field(minute),
            canonical_cron_field(hour),
            canonical_cron_field(day_of_month),
            canonical_cron_field(month_of_year),
            canonical_cron_field(day_of_week),
            timezone,
        )

    @property
    def expression(self) -> str:
        """The five fields in crontab order (minute hour day_of_month month_of_year day_of_week)."""
        return " ".join(
            (self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week)
        )


@dataclass(frozen=True)
class IntervalSchedule:
    kind: ClassVar[str] = "interval"
    every: int
    period: str  # days | hours | minutes | seconds | microseconds


@dataclass(frozen=True)
class SolarSchedule:
    kind: ClassVar[str] = "solar"
    event: str
    latitude: Decimal
    longitude: Decimal

    @classmethod
    def of(
        cls, event: str, latitude: Decimal | float | str, longitude: Decimal | float | str
    ) -> SolarSchedule:
        """The canonical solar schedule: coordinates at the column's six decimal places."""
        return cls(event, canonical_coordinate(latitude), canonical_coordinate(longitude))


@dataclass(frozen=True)
class ClockedSchedule:
    kind: ClassVar[str] = "clocked"
    clocked_time: datetime  # aware, in UTC


Schedule = CronSchedule | IntervalSchedule | SolarSchedule | ClockedSchedule


@dataclass(frozen=True)
class TaskState:
    """One PeriodicTask row as beat-sync compares it: every column a manifest can set, canonical."""

    name: str
    task: str
    schedule: Schedule
    args: str = "[]"  # canonical JSON text (see canonical_json)
    kwargs: str = "{}"
    headers: str = "{}"
    queue: str | None = None  # django-celery-beat stores "no value" as NULL, never ""
    exchange: str | None = None
    routing_key: str | None = None
    priority: int | None = None
    expires: datetime | None = None  # aware, in UTC
    expire_seconds: int | None = None
    one_off: bool = False
    start_time: datetime | None = None  # aware, in UTC
    enabled: bool = True
    description: str = ""


@dataclass(frozen=True)
class RunHistory:
    """What beat wrote on a row; carried over when a task survives an apply by name."""

    last_run_at: datetime | None
    total_run_count: int


@dataclass(frozen=True)
class CurrentState:
    """What the django-celery-beat tables hold, read in one go."""

    tasks: tuple[TaskState, ...] = ()
    history: dict[str, RunHistory] = field(default_factory=dict)


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys, so equal args/kwargs/headers compare equal as strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def canonical_json_text(text: str | None, default: str) -> str:
    """Re-serialise JSON text read from a column; text that is not JSON is kept as written."""
    if text is None or text.strip() == "":
        return default
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return text


def canonical_cron_field(value: str) -> str:
    """`"0, 30"` and `"0,30"`, `"MON-FRI"` and `"mon-fri"` are the same field."""
    return "".join(str(value).split()).lower()


def canonical_optional_text(value: str | None) -> str | None:
    """The admin saves a blank routing field as ""; django-celery-beat's own default is NULL."""
    return value if value else None


def canonical_datetime(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: beat-sync only compares aware datetimes")
    return value.astimezone(UTC)


def canonical_coordinate(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(COORDINATE_QUANTUM)
