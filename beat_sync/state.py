"""The canonical, comparable form of periodic tasks: what the manifest wants, what the tables hold.

Both sides are normalised into these frozen values, so two schedules written differently
("0,30" and "0, 30", a cron string and a cron mapping, the default zone and the same zone
written out) compare equal with `==`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, ClassVar

from beat_sync.errors import Location

# django-celery-beat stores solar coordinates as DecimalField(max_digits=9, decimal_places=6).
COORDINATE_QUANTUM = Decimal("0.000001")


# json.dumps(value, sort_keys=True, ensure_ascii=False), without a new encoder per call
_JSON_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys, so equal args/kwargs/headers compare equal as strings."""
    return _JSON_ENCODER.encode(value)


@functools.lru_cache(maxsize=8192)
def canonical_json_text(text: str | None, default: str) -> str:
    """Re-serialise JSON text read from a column; text that is not JSON is kept as written.
    Cached: most rows hold the same few texts ("[]", "{}"), read 10,000 times per diff."""
    if text is None or text.strip() == "":
        return default
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return text


@functools.lru_cache(maxsize=8192)
def canonical_cron_field(value: str) -> str:
    """`"0, 30"` and `"0,30"`, `"MON-FRI"` and `"mon-fri"` are the same field."""
    return "".join(str(value).split()).lower()


def canonical_optional_text(value: str | None) -> str | None:
    """The admin saves a blank routing field as ""; django-celery-beat's own default is NULL."""
    return value if value else None


def canonical_datetime(value: datetime | str | None) -> datetime | None:
    """An aware datetime in UTC; ISO 8601 text (an applied state read back, see `encode`) too."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: beat-sync only compares aware datetimes")
    return value.astimezone(UTC)


def canonical_coordinate(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(COORDINATE_QUANTUM)


class _Kind:
    """What every schedule class has: its manifest key, and the manifest value read as columns
    (the manifest's keys for a schedule are its columns' names)."""

    kind: ClassVar[str]  # the manifest key and the JSON output's "kind"

    @classmethod
    def from_columns(cls, **values: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def from_spec(cls, value: Any, default_timezone: str) -> Any:
        """The canonical schedule of the manifest's value for this kind."""
        return cls.from_columns(**cls.spec_columns(value))

    @classmethod
    def spec_columns(cls, value: Any) -> dict[str, Any]:
        return {name: getattr(value, name) for name in _column_names(cls)}


@functools.cache
def _column_names(kind: type) -> tuple[str, ...]:
    """A schedule class's fields (its columns), computed once: read for every task normalised."""
    return tuple(f.name for f in fields(kind))


@dataclass(frozen=True)
class CronSchedule(_Kind):
    """Five crontab fields and the zone they are read in (a CrontabSchedule row)."""

    kind: ClassVar[str] = "cron"
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str
    timezone: str

    @classmethod
    def from_columns(
        cls,
        *,
        minute: str,
        hour: str,
        day_of_month: str,
        month_of_year: str,
        day_of_week: str,
        timezone: str | tzinfo,
    ) -> CronSchedule:
        """The canonical cron of fields as written, in the manifest or in a table row (whose
        `timezone` is a ZoneInfo, from django-timezone-field)."""
        return cls(
            canonical_cron_field(minute),
            canonical_cron_field(hour),
            canonical_cron_field(day_of_month),
            canonical_cron_field(month_of_year),
            canonical_cron_field(day_of_week),
            # a row's empty column reads as None: no zone, not a zone named "None"
            "" if timezone is None else getattr(timezone, "key", None) or str(timezone),
        )

    @classmethod
    def from_spec(cls, value: Any, default_timezone: str) -> CronSchedule:
        """A manifest cron without `timezone` is in the project's default zone."""
        columns = cls.spec_columns(value)
        return cls.from_columns(**{**columns, "timezone": value.timezone or default_timezone})

    @property
    def expression(self) -> str:
        """The five fields in crontab order (minute hour day_of_month month_of_year day_of_week)."""
        return " ".join(
            (self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week)
        )


@dataclass(frozen=True)
class IntervalSchedule(_Kind):
    """Every N periods (an IntervalSchedule row)."""

    kind: ClassVar[str] = "interval"
    every: int
    period: str  # days | hours | minutes | seconds | microseconds

    @classmethod
    def from_columns(cls, *, every: int, period: str) -> IntervalSchedule:
        return cls(every, period)


@dataclass(frozen=True)
class SolarSchedule(_Kind):
    """A solar event at a place (a SolarSchedule row, unique on its three columns, so that
    identical solar schedules must share one row)."""

    kind: ClassVar[str] = "solar"
    event: str
    latitude: Decimal
    longitude: Decimal

    @classmethod
    def from_columns(
        cls, *, event: str, latitude: Decimal | float | str, longitude: Decimal | float | str
    ) -> SolarSchedule:
        """The canonical solar schedule: coordinates at the column's six decimal places."""
        return cls(event, canonical_coordinate(latitude), canonical_coordinate(longitude))


@dataclass(frozen=True)
class ClockedSchedule(_Kind):
    """One moment (a ClockedSchedule row); the manifest requires `one_off` with it."""

    kind: ClassVar[str] = "clocked"
    clocked_time: datetime  # aware, in UTC

    @classmethod
    def from_columns(cls, *, clocked_time: datetime) -> ClockedSchedule:
        return cls(canonical_datetime(clocked_time))

    @classmethod
    def from_spec(cls, value: Any, default_timezone: str) -> ClockedSchedule:
        """The manifest's `clocked` is the time itself."""
        return cls.from_columns(clocked_time=value)


Schedule = CronSchedule | IntervalSchedule | SolarSchedule | ClockedSchedule

# The metadata keys of a TaskState column field (see `column`).
FROM_COLUMN = "from_column"
FROM_SPEC = "from_spec"
JSON = "json"


def _same(value: Any) -> Any:
    return value


def column(
    default: Any = MISSING,
    *,
    canonical: Callable[[Any], Any] = _same,
    from_spec: Callable[[Any], Any] | None = None,
    json_text: bool = False,
) -> Any:
    """A TaskState field kept in the PeriodicTask column of the same name (and set by the
    manifest key of the same name): `canonical` makes the column's value canonical, `from_spec`
    the manifest's (default: `canonical` too); `json_text` marks a column holding JSON text."""
    metadata = {FROM_COLUMN: canonical, FROM_SPEC: from_spec or canonical, JSON: json_text}
    return field(default=default, metadata=metadata)


def _json_column(default: str) -> Any:
    return column(
        default,
        canonical=lambda text: canonical_json_text(text, default),
        from_spec=lambda value: canonical_json(value),
        json_text=True,
    )


def _text(value: str | None) -> str:
    return value or ""


@dataclass(frozen=True)
class TaskState:
    """One PeriodicTask row as beat-sync compares it: every column a manifest can set, canonical.

    Every field but `schedule` is a `column` (one declaration: reading the row, reading the
    manifest and writing the row all iterate COLUMNS); `schedule` is one of the kinds of
    `beat_sync.kinds`, a row of its own table."""

    name: str = column()
    task: str = column()
    schedule: Schedule
    args: str = _json_column("[]")  # canonical JSON text (see canonical_json)
    kwargs: str = _json_column("{}")
    headers: str = _json_column("{}")
    # django-celery-beat stores "no value" as NULL, never ""
    queue: str | None = column(None, canonical=canonical_optional_text)
    exchange: str | None = column(None, canonical=canonical_optional_text)
    routing_key: str | None = column(None, canonical=canonical_optional_text)
    priority: int | None = column(None)
    expires: datetime | None = column(None, canonical=canonical_datetime)  # aware, in UTC
    expire_seconds: int | None = column(None)
    one_off: bool = column(False, canonical=bool)
    start_time: datetime | None = column(None, canonical=canonical_datetime)  # aware, in UTC
    enabled: bool = column(True, canonical=bool)
    description: str = column("", canonical=_text)
    # Not compared, not a column: where the manifest declares the task's name (None for a row
    # read from the tables) and the names it had before (a rename keeps the row's history).
    location: Location | None = field(default=None, compare=False)
    previous_names: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_columns(cls, row: Mapping[str, Any], schedule: Schedule) -> TaskState:
        """The canonical task of a PeriodicTask row (column name -> value)."""
        return cls(schedule=schedule, **{name: read(row[name]) for name, read in _READERS})

    @classmethod
    def from_spec(cls, spec: Any, schedule: Schedule) -> TaskState:
        """The canonical task of a manifest TaskSpec (its keys are the column names), with the
        place it is declared at and its previous names."""
        return cls(
            schedule=schedule,
            location=spec.location,
            previous_names=tuple(spec.previous_names),
            **{name: read(getattr(spec, name)) for name, read in _SPEC},
        )

    @property
    def source(self) -> str:
        """`schedules/emails.yaml:12`: the file and line declaring it ("" if not declared)."""
        return f"{self.location.path}:{self.location.line}" if self.location else ""

    def columns(self) -> dict[str, Any]:
        """The PeriodicTask column values of this task, schedule foreign keys aside."""
        return {f.name: getattr(self, f.name) for f in COLUMNS}


# TaskState's fields stored in a PeriodicTask column of their name, in declaration order.
COLUMNS: tuple[Field[Any], ...] = tuple(f for f in fields(TaskState) if FROM_COLUMN in f.metadata)
# The fields that make two tasks equal (columns and schedule), in declaration order.
COMPARED: tuple[str, ...] = tuple(f.name for f in fields(TaskState) if f.compare)
JSON_COLUMNS: frozenset[str] = frozenset(f.name for f in COLUMNS if f.metadata[JSON])
# (name, canonical form of the column's value) of each column: read 10,000 times per diff.
_READERS = tuple((f.name, f.metadata[FROM_COLUMN]) for f in COLUMNS)
# (name, canonical form of the manifest's value) of each column: read once per task normalised.
_SPEC = tuple((f.name, f.metadata[FROM_SPEC]) for f in COLUMNS)


@dataclass(frozen=True)
class RunHistory:
    """What beat wrote on a row; carried over when a task survives an apply by name."""

    last_run_at: datetime | None
    total_run_count: int


class Unreadable(str):
    """One line naming a task and a value of its row beat-sync could not read, ending in what
    apply does with it (`REPLACED`, or `LEFT_ALONE` for a row apply does not touch); `task` is
    the task's name."""

    REPLACED = "; apply replaces it"
    LEFT_ALONE = "; apply leaves it as it is (a row beat-sync does not manage)"

    task: str

    def __new__(cls, text: str, task: str) -> Unreadable:
        line = super().__new__(cls, text)
        line.task = task
        return line

    def left_alone(self) -> Unreadable:
        """The same line for a row apply leaves alone."""
        return Unreadable(self.removesuffix(self.REPLACED) + self.LEFT_ALONE, self.task)


@dataclass(frozen=True)
class CurrentState:
    """What the django-celery-beat tables hold, read in one go."""

    tasks: tuple[TaskState, ...] = ()
    history: dict[str, RunHistory] = field(default_factory=dict)
    # The ownership records by name (beat_sync.ownership.Record), read with the tasks; None
    # without the beat_sync app.
    records: Mapping[str, Any] | None = None
    # One line per value beat-sync could not read (a zone this machine's tzdata does not know),
    # naming the task and the column; the value is kept as the column's text, so the task
    # differs from any valid manifest and apply replaces it.
    unreadable: tuple[Unreadable, ...] = ()
