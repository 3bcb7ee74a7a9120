"""The manifest's pydantic models: TaskSpec (one periodic task) and its four kinds of schedule.

Strict models: YAML already gives real booleans, numbers and timestamps, so a quoted "yes" or
"30" is a mistake to report, not a value to coerce. Problems that span several keys are raised
as one `beat_sync` error whose ctx["problems"] lists (relative loc, message, at_key) triples, so
the validator can place each at its own line:column.
"""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from beat_sync.manifest import columns

ERROR_TYPE = "beat_sync"
SCHEDULE_KINDS = ("cron", "interval", "solar", "clocked")
INT_COLUMN_MAX = 2_147_483_647  # IntegerField / PositiveIntegerField on PostgreSQL


def problem(message: str, problems: list[tuple[tuple, str, bool]] | None = None):
    """A pydantic error carrying beat-sync's own message (and optional located sub-problems)."""
    return PydanticCustomError(ERROR_TYPE, message, {"problems": problems or []})


def did_you_mean(word: str, choices: Any) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


@dataclass(frozen=True)
class SourceLocation:
    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@functools.lru_cache(maxsize=4096)
def cron_field_problem(field: str, value: str) -> str | None:
    """Why Celery's crontab parser (what beat runs) or the column refuses a field, if it does."""
    limit = columns.CRON_FIELD_MAX_LENGTH[field]
    if len(value) > limit:
        return (
            f"cron {field} is {len(value)} characters, longer than django-celery-beat's "
            f"{limit}-character column"
        )
    if not value.strip():
        return f"cron {field} must not be empty (use '*' for every value)"
    from celery.schedules import crontab  # imported here: Celery's import costs ~0.2 s

    try:
        crontab(**{field: value})
    except Exception as exc:  # the parser raises ValueError, ParseException, IndexError...
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        return f"invalid cron {field} {value!r}: {reason[:1].lower()}{reason[1:]}"
    return None


@functools.lru_cache(maxsize=4096)
def _cron_combination_problem(fields: tuple[str, ...]) -> str | None:
    """Why Celery refuses the five fields together (day_of_month 30 in month_of_year 2 never
    runs), if it does. Cached: crons repeat, and each crontab Celery builds is garbage with
    reference cycles."""
    from celery.schedules import crontab

    try:
        crontab(**dict(zip(columns.CRON_FIELDS, fields, strict=True)))
    except Exception as exc:
        return str(exc).rstrip(".").removeprefix("Invalid crontab: ")
    return None


@functools.cache
def _timezones() -> frozenset[str]:
    import zoneinfo

    # The same list django-timezone-field (CrontabSchedule.timezone) accepts.
    return frozenset(zoneinfo.available_timezones())


CronString = Annotated[
    str,
    Field(
        pattern=r"^\s*\S+(\s+\S+){4}\s*$",
        description='Five fields in crontab order: "minute hour day_of_month month_of_year '
        'day_of_week", e.g. "15 * * * *" (as crontab.guru reads it).',
    ),
]


def _number_as_text(value: Any) -> Any:
    # `minute: 15` is as natural as `minute: "15"`; booleans stay errors
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


CronField = Annotated[str, BeforeValidator(_number_as_text, json_schema_input_type=str | int)]


class CronSpec(_Strict):
    """A crontab schedule; omitted fields mean every value ("*")."""

    minute: CronField = Field("*", description='Minutes, 0-59, e.g. "15", "*/5", "0,30".')
    hour: CronField = Field("*", description="Hours, 0-23.")
    day_of_week: CronField = Field(
        "*", description="Days of the week, 0-6 (0 = Sunday) or mon-sun."
    )
    day_of_month: CronField = Field("*", description="Days of the month, 1-31.")
    month_of_year: CronField = Field("*", description="Months, 1-12.")
    timezone: str | None = Field(
        None,
        description="IANA time zone the fields are read in; default: the project's "
        "CELERY_TIMEZONE, else UTC.",
        examples=["Europe/Sofia", "UTC"],
    )

    @field_validator(*columns.CRON_FIELDS)
    @classmethod
    def _celery_accepts(cls, value: str, info: ValidationInfo) -> str:
        reason = cron_field_problem(info.field_name, value)
        if reason:
            raise problem(reason)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _timezones():
            raise problem(f"unknown time zone {value!r}{did_you_mean(value, _timezones())}")
        return value

    @model_validator(mode="after")
    def _some_day_exists(self) -> CronSpec:
        reason = _cron_combination_problem(
            tuple(getattr(self, field) for field in columns.CRON_FIELDS)
        )
        if reason:
            raise problem(f"invalid cron: {reason}")
        return self

    @classmethod
    def from_expression(cls, value: Any) -> Any:
        """`"15 * * * *"` -> the mapping form; anything else is left for validation to judge."""
        if not isinstance(value, str):
            return value
        parts = value.split()
        if len(parts) != 5:
            raise problem(
                f"cron string must have 5 fields (minute hour day_of_month month_of_year "
                f"day_of_week), got {len(parts)}: {value!r}"
            )
        return dict(zip(columns.CRON_FIELDS, parts, strict=True))


def _one_of(value: Any, choices: tuple[str, ...], what: str) -> Any:
    """A string among django-celery-beat's choices, or a "did you mean" problem (other types are
    left to the Literal type's own message)."""
    if isinstance(value, str) and value not in choices:
        raise problem(
            f"unknown {what} {value!r}{did_you_mean(value, choices)}; "
            f"use one of: {', '.join(choices)}"
        )
    return value


class IntervalSpec(_Strict):
    """Run every N periods (django-celery-beat IntervalSchedule)."""

    every: int = Field(ge=1, le=INT_COLUMN_MAX, description="How many periods between runs.")
    period: Literal[columns.PERIODS] = Field(description="The unit of `every`.")  # type: ignore[valid-type]

    @field_validator("period", mode="before")
    @classmethod
    def _known_period(cls, value: Any) -> Any:
        return _one_of(value, columns.PERIODS, "period")


class SolarSpec(_Strict):
    """Run at a solar event at a place (django-celery-beat SolarSchedule)."""

    event: Literal[columns.SOLAR_EVENTS] = Field(description="The solar event.")  # type: ignore[valid-type]
    latitude: float = Field(description="Degrees, -90 to 90.", ge=-90, le=90)
    longitude: float = Field(description="Degrees, -180 to 180.", ge=-180, le=180)

    @field_validator("event", mode="before")
    @classmethod
    def _known_event(cls, value: Any) -> Any:
        return _one_of(value, columns.SOLAR_EVENTS, "solar event")

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _finite(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise problem(f"'{info.field_name}' must be a finite number, not {value}")
        return value


def json_problems(value: Any, loc: tuple = ()) -> list[tuple[tuple, str, bool]]:
    """Every place in `value` that JSON (the column's format) cannot hold, with its loc."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if not isinstance(key, str):
                found.append((loc, f"mapping key {key!r} is not a string", False))
            found.extend(json_problems(item, (*loc, key)))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in json_problems(item, (*loc, i))]
    if value is None or isinstance(value, (str, bool, int)):
        return []
    if isinstance(value, float) and math.isfinite(value):
        return []
    kind = {datetime: "a datetime", date: "a date", bytes: "binary data", set: "a set"}.get(
        type(value), f"a {type(value).__name__}"
    )
    if isinstance(value, float):
        kind = f"the number {value}"
    hint = "; quote it to pass a string" if isinstance(value, (datetime, date)) else ""
    return [(loc, f"{kind} is not JSON-serialisable{hint}", False)]


def _aware_datetime(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise problem(
                f"'{info.field_name}' must be an ISO 8601 date and time with a UTC offset, "
                f"e.g. 2026-12-24T09:00:00+02:00, not {value!r}"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise problem(
                f"'{info.field_name}' is a naive datetime ({value.isoformat(sep=' ')}): "
                "add a UTC offset, e.g. +00:00"
            )
    elif isinstance(value, date):
        raise problem(
            f"'{info.field_name}' needs a time and a UTC offset, not just the date "
            f"{value.isoformat()} (e.g. {value.isoformat()}T00:00:00+00:00)"
        )
    return value


AwareDatetime = Annotated[datetime, BeforeValidator(_aware_datetime)]
JsonMapping = dict[str, Any]


class TaskSpec(_Strict):
    """One periodic task as the manifest declares it (a django-celery-beat PeriodicTask)."""

    # The cross-key rules of rule_problems(), for editors that check against the JSON Schema
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": [kind]} for kind in SCHEDULE_KINDS],
            "dependentSchemas": {
                "clocked": {"required": ["one_off"], "properties": {"one_off": {"const": True}}}
            },
            "not": {"required": ["expires", "expire_seconds"]},
        }
    )

    name: str = Field(
        min_length=1,
        max_length=columns.NAME_MAX_LENGTH,
        description="PeriodicTask.name: unique across all manifest files.",
    )
    task: str = Field(
        min_length=1,
        max_length=columns.TASK_MAX_LENGTH,
        description="The registered Celery task, e.g. myapp.tasks.cleanup.",
    )
    cron: Annotated[
        CronSpec | None,
        BeforeValidator(CronSpec.from_expression, json_schema_input_type=CronSpec | CronString),
    ] = Field(None, description="A crontab schedule: a mapping, or a 5-field string.")
    interval: IntervalSpec | None = Field(None, description="Run every N periods.")
    solar: SolarSpec | None = Field(None, description="Run at a solar event.")
    clocked: AwareDatetime | None = Field(
        None, description="Run once at this aware date and time; requires one_off: true."
    )
    args: list[Any] = Field(default_factory=list, description="Positional arguments (JSON).")
    kwargs: JsonMapping = Field(default_factory=dict, description="Keyword arguments (JSON).")
    queue: str | None = Field(
        None, max_length=columns.QUEUE_MAX_LENGTH, description="Queue override."
    )
    exchange: str | None = Field(
        None, max_length=columns.EXCHANGE_MAX_LENGTH, description="AMQP exchange override."
    )
    routing_key: str | None = Field(
        None, max_length=columns.ROUTING_KEY_MAX_LENGTH, description="AMQP routing key override."
    )
    headers: JsonMapping = Field(default_factory=dict, description="AMQP message headers (JSON).")
    priority: int | None = Field(
        None, ge=0, le=columns.PRIORITY_MAX, description="Message priority, 0-255."
    )
    expires: AwareDatetime | None = Field(
        None, description="No runs after this aware date and time (not with expire_seconds)."
    )
    expire_seconds: int | None = Field(
        None,
        ge=0,
        le=INT_COLUMN_MAX,
        description="Each run's message expires after this many seconds (not with expires).",
    )
    one_off: bool = Field(False, description="Run only once.")
    start_time: AwareDatetime | None = Field(
        None, description="No runs before this aware date and time."
    )
    enabled: bool = Field(True, description="false keeps the task but beat does not run it.")
    description: str = Field("", description="Free text, shown in the Django admin.")

    _locations: dict[str, SourceLocation] = PrivateAttr(default_factory=dict)

    @field_validator("args", "kwargs", "headers")
    @classmethod
    def _json_only(cls, value: Any, info: ValidationInfo) -> Any:
        found = json_problems(value)
        if found:
            raise problem(f"'{info.field_name}' must be JSON-serialisable", found)
        return value

    @model_validator(mode="after")
    def _one_schedule(self, info: ValidationInfo) -> TaskSpec:
        if info.context and info.context.get("rules_checked"):
            return self  # the manifest validator already placed these at their lines
        found = rule_problems({key: getattr(self, key) for key in self.model_fields_set})
        if found:
            raise problem(found[0][1], found)
        return self

    @property
    def schedule_kind(self) -> str:
        return next(kind for kind in SCHEDULE_KINDS if getattr(self, kind) is not None)

    @property
    def location(self) -> SourceLocation | None:
        """Where the task's `name` is written (None for a TaskSpec built in Python)."""
        return self._locations.get("name")

    @property
    def task_location(self) -> SourceLocation | None:
        """Where the task's `task` value is written."""
        return self._locations.get("task")

    def location_of(self, key: str) -> SourceLocation | None:
        return self._locations.get(key)


def rule_problems(values: dict[str, Any]) -> list[tuple[tuple, str, bool]]:
    """Rules across keys (as django-celery-beat's PeriodicTask.validate_unique and save check)."""
    found: list[tuple[tuple, str, bool]] = []
    # in the order written, so the error points at the second schedule the reader meets
    kinds = [key for key, value in values.items() if key in SCHEDULE_KINDS and value is not None]
    if not kinds:
        found.append(
            ((), "no schedule: give exactly one of cron, interval, solar or clocked", False)
        )
    elif len(kinds) > 1:
        listed = ", ".join(kinds[:-1]) + " and " + kinds[-1]
        found.append(((kinds[1],), f"more than one schedule ({listed}): keep exactly one", True))
    one_off = values.get("one_off", False)
    if values.get("clocked") is not None and one_off is False:
        found.append(
            (("clocked",), "a clocked schedule runs once: set 'one_off: true' with it", True)
        )
    if values.get("expires") is not None and values.get("expire_seconds") is not None:
        found.append(
            (("expire_seconds",), "'expires' and 'expire_seconds' cannot both be set", True)
        )
    return found


class Manifest(_Strict):
    """A beat-sync manifest file (schedules/*.yaml): Celery beat periodic tasks as code."""

    # Top-level `x-...` keys are ignored: a place for YAML anchors (`x-defaults: &defaults`)
    model_config = ConfigDict(json_schema_extra={"patternProperties": {"^x-": {}}})

    periodic_tasks: list[TaskSpec] = Field(
        description="The periodic tasks; every task name is unique across all files."
    )
