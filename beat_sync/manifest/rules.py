"""The manifest's rules beyond types: cron fields, JSON values, aware datetimes and cross-key rules.

Each check answers with a message (or a list of Problems) rather than raising, except the few
that pydantic calls as validators; `problem()` wraps messages as beat-sync's own pydantic error,
whose ctx["problems"] the validator places, each at its own line:column.
"""

from __future__ import annotations

import difflib
import functools
import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic_core import PydanticCustomError

from beat_sync.manifest import columns

if TYPE_CHECKING:
    from pydantic import ValidationInfo

    from beat_sync.manifest.loader import KeyPath

ERROR_TYPE = "beat_sync"
SCHEDULE_KINDS = ("cron", "interval", "solar", "clocked")


class Problem(NamedTuple):
    """One rule broken at `loc` (relative to the value checked), shown at its key or its value."""

    loc: KeyPath
    message: str
    at_key: bool


def problem(message: str, problems: list[Problem] | None = None) -> PydanticCustomError:
    """A pydantic error carrying beat-sync's own message (and optional located sub-problems)."""
    return PydanticCustomError(ERROR_TYPE, message, {"problems": problems or []})


def did_you_mean(word: str, choices: Any) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


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
def cron_combination_problem(fields: tuple[str, ...]) -> str | None:
    """Why Celery refuses the five fields together (day_of_month 30 in month_of_year 2 never
    runs), if it does. Cached: crons repeat, and each crontab Celery builds is garbage with
    reference cycles."""
    from celery.schedules import crontab

    try:
        crontab(**dict(zip(columns.CRON_FIELDS, fields, strict=True)))
    except Exception as exc:
        return str(exc).rstrip(".").removeprefix("Invalid crontab: ")
    return None


def cron_fields_of(value: Any) -> Any:
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


def number_as_text(value: Any) -> Any:
    # `minute: 15` is as natural as `minute: "15"`; booleans stay errors
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


@functools.cache
def _timezones() -> frozenset[str]:
    import zoneinfo

    # The same list django-timezone-field (CrontabSchedule.timezone) accepts.
    return frozenset(zoneinfo.available_timezones())


def timezone_problem(value: str) -> str | None:
    if value in _timezones():
        return None
    return f"unknown time zone {value!r}{did_you_mean(value, _timezones())}"


def one_of(value: Any, choices: tuple[str, ...], what: str) -> Any:
    """A string among django-celery-beat's choices, or a "did you mean" problem (other types are
    left to the Literal type's own message)."""
    if isinstance(value, str) and value not in choices:
        raise problem(
            f"unknown {what} {value!r}{did_you_mean(value, choices)}; "
            f"use one of: {', '.join(choices)}"
        )
    return value


def finite(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise problem(f"'{info.field_name}' must be a finite number, not {value}")
    return value


def json_problems(value: Any, loc: KeyPath = ()) -> list[Problem]:
    """Every place in `value` that JSON (the column's format) cannot hold, with its loc."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(Problem(loc, f"mapping key {key!r} is not a string", False))
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
    return [Problem(loc, f"{kind} is not JSON-serialisable{hint}", False)]


def aware_datetime(value: Any, info: ValidationInfo) -> Any:
    """An ISO 8601 string or a YAML timestamp, refused without a time or a UTC offset."""
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


def rule_problems(values: dict[str, Any]) -> list[Problem]:
    """Rules across keys (as django-celery-beat's PeriodicTask.validate_unique and save check)."""
    found: list[Problem] = []
    # in the order written, so the error points at the second schedule the reader meets
    kinds = [key for key, value in values.items() if key in SCHEDULE_KINDS and value is not None]
    if not kinds:
        found.append(
            Problem((), "no schedule: give exactly one of cron, interval, solar or clocked", False)
        )
    elif len(kinds) > 1:
        listed = ", ".join(kinds[:-1]) + " and " + kinds[-1]
        found.append(
            Problem((kinds[1],), f"more than one schedule ({listed}): keep exactly one", True)
        )
    one_off = values.get("one_off", False)
    if values.get("clocked") is not None and one_off is False:
        found.append(
            Problem(("clocked",), "a clocked schedule runs once: set 'one_off: true' with it", True)
        )
    if values.get("expires") is not None and values.get("expire_seconds") is not None:
        found.append(
            Problem(("expire_seconds",), "'expires' and 'expire_seconds' cannot both be set", True)
        )
    return found
