"""The manifest's pydantic models: TaskSpec (one periodic task) and its kinds of schedule.

Strict models: YAML already gives real booleans, numbers and timestamps, so a quoted "yes" or
"30" is a mistake to report, not a value to coerce. The models hold the shapes and the field
docs (the JSON Schema is generated from them); their validators call the checks in rules.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from beat_sync.errors import Location, Places
from beat_sync.manifest import columns
from beat_sync.manifest.lint_codes import LINT_CODES, known_codes
from beat_sync.manifest.rules import (
    SCHEDULE_KINDS,
    Problem,
    aware_datetime,
    cron_combination_problem,
    cron_field_problem,
    cron_start_problem,
    finite,
    free_text_problem,
    interval_problem,
    json_problems,
    name_problem,
    number_as_text,
    one_of,
    problem,
    refused,
    rule_problems,
    timezone_problem,
)
from beat_sync.manifest.shorthands import (
    CRON_NICKNAMES,
    DURATION_PATTERN,
    cron_of,
    interval_of,
)

INT_COLUMN_MAX = 2_147_483_647  # IntegerField / PositiveIntegerField on PostgreSQL


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


CronString = Annotated[
    str,
    Field(
        pattern=r"^\s*\S+(\s+\S+){4}\s*$",
        description='Five fields in crontab order: "minute hour day_of_month month_of_year '
        'day_of_week", e.g. "15 * * * *" (as crontab.guru reads it).',
    ),
]


CronNickname = Annotated[
    Literal[tuple(CRON_NICKNAMES)],  # type: ignore[valid-type]
    Field(description='Vixie cron\'s nicknames: "@daily" is "0 0 * * *", and so on.'),
]
DurationString = Annotated[
    str,
    Field(
        pattern=DURATION_PATTERN,
        description="A duration, largest unit first: 5m, 1h30m, 45s, 2d (stored as the largest "
        "unit that divides it exactly: 1h30m is every 90 minutes).",
    ),
]


LintCode = Literal[tuple(LINT_CODES)]  # type: ignore[valid-type]


CronField = Annotated[str, BeforeValidator(number_as_text, json_schema_input_type=str | int)]


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
        return refused(cron_field_problem(info.field_name, value), value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return refused(None if value is None else timezone_problem(value), value)

    @model_validator(mode="after")
    def _some_day_exists(self) -> CronSpec:
        reason = cron_combination_problem(
            tuple(getattr(self, field) for field in columns.CRON_FIELDS)
        )
        if reason:
            raise problem(f"invalid cron: {reason}")
        return self


class IntervalSpec(_Strict):
    """Run every N periods (django-celery-beat IntervalSchedule)."""

    every: int = Field(ge=1, le=INT_COLUMN_MAX, description="How many periods between runs.")
    period: Literal[columns.PERIODS] = Field(description="The unit of `every`.")  # type: ignore[valid-type]

    @field_validator("period", mode="before")
    @classmethod
    def _known_period(cls, value: Any) -> Any:
        return one_of(value, columns.PERIODS, "period")

    @model_validator(mode="after")
    def _celery_can_compute(self) -> IntervalSpec:
        reason = interval_problem(self.every, self.period)
        if reason:
            raise problem(reason, [Problem(("every",), reason, False)])
        return self


class SolarSpec(_Strict):
    """Run at a solar event at a place (django-celery-beat SolarSchedule)."""

    event: Literal[columns.SOLAR_EVENTS] = Field(description="The solar event.")  # type: ignore[valid-type]
    latitude: float = Field(description="Degrees, -90 to 90.", ge=-90, le=90)
    longitude: float = Field(description="Degrees, -180 to 180.", ge=-180, le=180)

    @field_validator("event", mode="before")
    @classmethod
    def _known_event(cls, value: Any) -> Any:
        return one_of(value, columns.SOLAR_EVENTS, "solar event")

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _finite(cls, value: Any, info: ValidationInfo) -> Any:
        return finite(value, info)


AwareDatetime = Annotated[datetime, BeforeValidator(aware_datetime)]
JsonMapping = dict[str, Any]


def _set(*keys: str) -> dict[str, Any]:
    """JSON Schema: every one of `keys` is present and not null."""
    return {"required": list(keys), "properties": {key: {"not": {"type": "null"}} for key in keys}}


class TaskSpec(_Strict):
    """One periodic task as the manifest declares it (a django-celery-beat PeriodicTask)."""

    # The cross-key rules of rule_problems(), for editors that check against the JSON Schema. A
    # key written as null counts as not set, as the validator counts it.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [_set(kind) for kind in SCHEDULE_KINDS],
            "if": _set("clocked"),
            "then": {"required": ["one_off"], "properties": {"one_off": {"const": True}}},
            "not": _set("expires", "expire_seconds"),
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
        BeforeValidator(
            cron_of, json_schema_input_type=CronSpec | CronString | CronNickname | None
        ),
    ] = Field(
        None,
        description='A crontab schedule: a mapping, a 5-field string, or a nickname ("@daily").',
    )
    interval: Annotated[
        IntervalSpec | None,
        BeforeValidator(interval_of, json_schema_input_type=IntervalSpec | DurationString | None),
    ] = Field(None, description="Run every N periods: a mapping, or a duration such as 5m.")
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
    previous_names: list[
        Annotated[str, Field(min_length=1, max_length=columns.NAME_MAX_LENGTH)]
    ] = Field(
        default_factory=list,
        description="Names the task had before: a row under one of them (and none under "
        "`name`) is renamed, keeping its id, last_run_at and total_run_count.",
    )
    ignore: Annotated[list[LintCode], BeforeValidator(known_codes)] = Field(
        default_factory=list,
        description="Lint codes not to report for this task, e.g. [BS101] (README: Lints).",
    )

    # key -> where its value is written (beat_sync.errors.Places; empty when built in Python)
    _locations: dict[str, Location] | Places = PrivateAttr(default_factory=dict)

    @field_validator("name", "task", "queue", "exchange", "routing_key")
    @classmethod
    def _plain_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        return refused(None if value is None else name_problem(info.field_name, value), value)

    @field_validator("description")
    @classmethod
    def _storable_text(cls, value: str, info: ValidationInfo) -> str:
        return refused(free_text_problem(info.field_name, value), value)

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
            raise problem(found[0].message, found)
        return self

    @model_validator(mode="after")
    def _first_cron_run_computable(self) -> TaskSpec:
        if self.cron is None or self.start_time is None:
            return self
        cron = self.cron
        fields = tuple(getattr(cron, field) for field in columns.CRON_FIELDS)
        reason = cron_start_problem(fields, cron.timezone, self.start_time)
        if reason:
            raise problem(reason, [Problem(("start_time",), reason, False)])
        return self

    @property
    def schedule_kind(self) -> str:
        return next(kind for kind in SCHEDULE_KINDS if getattr(self, kind) is not None)

    @property
    def location(self) -> Location | None:
        """Where the task's `name` is written (None for a TaskSpec built in Python)."""
        return self._locations.get("name")

    @property
    def task_location(self) -> Location | None:
        """Where the task's `task` value is written."""
        return self._locations.get("task")

    def location_of(self, key: str) -> Location | None:
        return self._locations.get(key)


class Manifest(_Strict):
    """A beat-sync manifest file (schedules/*.yaml): Celery beat periodic tasks as code."""

    # Top-level `x-...` keys are ignored: a place for YAML anchors (`x-defaults: &defaults`)
    model_config = ConfigDict(json_schema_extra={"patternProperties": {"^x-": {}}})

    periodic_tasks: list[TaskSpec] = Field(
        description="The periodic tasks; every task name is unique across all files."
    )
    defaults: TaskDefaults | None = Field(  # type: ignore[valid-type]  # noqa: F821
        None, description="Fields every task of this file takes; a task's own fields win."
    )


def _optional_task_fields(*, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """TaskSpec's fields, each optional (for the JSON Schema of `defaults` and overlay entries:
    what they leave out comes from the base)."""
    fields: dict[str, Any] = {}
    for name, info in TaskSpec.model_fields.items():
        if name in leave_out:
            continue
        optional = copy.copy(info)
        optional.default, optional.default_factory = None, None
        fields[name] = (info.annotation | None, optional)
    return fields


TaskDefaults = create_model(
    "TaskDefaults",
    __base__=_Strict,
    __doc__="Task fields every task of the file (of the environment, in an overlay) starts "
    "from; a task's own fields win.",
    **_optional_task_fields(leave_out=("name",)),
)

OverlayEntry = create_model(
    "OverlayEntry",
    __base__=_Strict,
    __doc__="In an overlay: the base task `name` with the fields this environment changes, "
    "or `absent: true` to remove it, or a new task of this environment only.",
    **{
        **_optional_task_fields(),
        "name": (str, TaskSpec.model_fields["name"]),
        "absent": (
            Literal[True] | None,
            Field(None, description="true: the base task is not in this environment."),
        ),
    },
)


class Overlay(_Strict):
    """A beat-sync environment overlay (schedules/env/NAME/*.yaml): changes to the base."""

    model_config = ConfigDict(json_schema_extra={"patternProperties": {"^x-": {}}})

    defaults: TaskDefaults | None = Field(  # type: ignore[valid-type]
        None, description="Fields every task of this environment takes; its entries win."
    )
    periodic_tasks: list[OverlayEntry] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Base tasks changed or removed, and new tasks."
    )


Manifest.model_rebuild()
