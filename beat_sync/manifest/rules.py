"""The manifest's rules beyond types: cron fields, JSON values, aware datetimes and cross-key rules.

Each check answers with a message (or a list of Problems) rather than raising, except the few
that pydantic calls as validators; `problem()` wraps messages as beat-sync's own pydantic error,
whose ctx["problems"] the validator places, each at its own line:column.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic_core import PydanticCustomError

from beat_sync.manifest import columns
from beat_sync.state import canonical_cron_field

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


def refused(reason: str | None, value: Any) -> Any:
    """A field validator's answer: `value`, or beat-sync's pydantic error saying `reason`."""
    if reason:
        raise problem(reason)
    return value


def did_you_mean(word: str, choices: Any) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


# What a cron field's comma-separated items may be: `*`, `*/step`, a value, `a-b`, `a-b/step`,
# each value a number or (day_of_week, month_of_year) a three-letter name. Celery's parser
# accepts more (`re.match`, not a full match, and only the first three letters of a name), but
# reads it differently from how it is written: `1-2-3` is 1-2, `*/15-3` is */15, `mon#2` and
# `monxyz` are mon, `jan` in minute is 1. Only what Celery reads exactly as written passes.
_CRON_ITEM = re.compile(
    r"\*(?:/[0-9]+)?|(?P<first>[0-9]+|[a-z]+)(?:-(?P<last>[0-9]+|[a-z]+)(?:/[0-9]+)?)?",
    re.IGNORECASE,
)
_CRON_NAMES_FIELD = {"day_of_week": "day of the week", "month_of_year": "month"}


@functools.cache
def _cron_names(field: str) -> dict[str, int]:
    """The names Celery's parser reads in `field` (day_of_week: sun-sat, month_of_year: jan-dec)."""
    from celery.utils.time import WEEKDAYS, YEARMONTHS

    return {"day_of_week": WEEKDAYS, "month_of_year": YEARMONTHS}.get(field, {})


def _cron_item_problem(field: str, item: str) -> str | None:
    """Why one comma-separated item of a cron field does not mean what Celery reads, if so."""
    max_, min_ = columns.CRON_FIELD_RANGES[field]
    values = f"{min_}-{min_ + max_ - 1}"
    names = _cron_names(field)
    if not item:
        return "an empty item in the list"
    if "#" in item:
        return (
            "Celery's crontab has no 'nth weekday of the month' ('#'): it would read "
            f"{item!r} as {item.partition('#')[0]!r}, every week"
        )
    if any(char.isspace() for char in item):
        return f"a space inside {item!r}"
    if item.startswith("-"):
        return "negative numbers not supported"
    match = _CRON_ITEM.fullmatch(item)
    if match is None:
        if re.fullmatch(r"\w+/\w*", item):
            return f"{item!r}: a step needs '*' or a range before it, e.g. '*/15' or '5-59/15'"
        return f"{item!r} is not a value ({values}), a range (a-b), a step (*/n, a-b/n) or '*'"
    for word in (match["first"], match["last"]):
        if word is None or word.isdigit() or word.lower() in names:
            continue
        if not names:
            return f"{word!r} is not a number: {field} takes {values}"
        if word[:3].lower() in names:
            return (
                f"write {word[:3]!r} for {word!r} (Celery reads only a name's first three letters)"
            )
        hint = did_you_mean(word.lower(), names)
        return (
            f"{word!r} is not a {_CRON_NAMES_FIELD[field]}{hint}; "
            f"use {values} or {', '.join(names)}"
        )
    return None


def _single_value_step(field: str, item: str) -> str | None:
    """`*/90` in minute: Celery's parser steps through the range once, leaving only its first
    value (beat runs at minute 0 only), where the words "every 90 minutes" promise otherwise."""
    from celery.schedules import crontab_parser

    step = item.rpartition("/")[2]
    if "/" not in item or int(step) < 2:
        return None
    max_, min_ = columns.CRON_FIELD_RANGES[field]
    selected = crontab_parser(max_, min_).parse(item)
    if len(selected) != 1:
        return None
    (value,) = selected
    span = item.partition("/")[0]
    span = f"{min_}-{min_ + max_ - 1}" if span == "*" else span
    return (
        f"a step of {step} through {span} selects only {value}, so beat would run at "
        f"{field} {value} only (write '{value}' if that is meant)"
    )


@functools.lru_cache(maxsize=4096)
def cron_field_problem(field: str, value: str) -> str | None:
    """Why Celery's crontab parser (what beat runs) or the column refuses a field, or why Celery
    would read it otherwise than it is written, if so. The field is judged as it is stored (see
    state.canonical_cron_field: without spaces, in lower case), which is what beat parses."""
    limit = columns.CRON_FIELD_MAX_LENGTH[field]
    if len(value) > limit:
        return (
            f"cron {field} is {len(value)} characters, longer than django-celery-beat's "
            f"{limit}-character column"
        )
    if not value.strip():
        return f"cron {field} must not be empty (use '*' for every value)"
    items = [item.strip() for item in value.split(",")]
    reason = next(filter(None, (_cron_item_problem(field, item) for item in items)), None)
    if reason is None:
        reason = _celery_refusal(field, canonical_cron_field(value))
    if reason is None:
        reason = next(filter(None, (_single_value_step(field, i.lower()) for i in items)), None)
    return None if reason is None else f"invalid cron {field} {value!r}: {reason}"


def _celery_refusal(field: str, value: str) -> str | None:
    from celery.schedules import crontab  # imported here: Celery's import costs ~0.2 s

    try:
        crontab(**{field: value})
    except Exception as exc:  # the parser raises ValueError, ParseException, IndexError...
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        if "step cannot be zero" in reason:
            return "a step must be at least 1"
        if field == "day_of_week" and reason.endswith("> 6"):
            reason += " (the days are 0-6, and 0 is Sunday: write 0 or sun for Sunday)"
        return f"{reason[:1].lower()}{reason[1:]}"
    return None


@functools.lru_cache(maxsize=4096)
def cron_combination_problem(fields: tuple[str, ...]) -> str | None:
    """Why Celery refuses the five fields together (day_of_month 30 in month_of_year 2 never
    runs), if it does. Cached: crons repeat, and each crontab Celery builds is garbage with
    reference cycles."""
    from celery.schedules import crontab

    try:
        crontab(**dict(zip(columns.CRON_FIELDS, map(canonical_cron_field, fields), strict=True)))
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


# Names tzdata ships that are no place: `localtime` is the zone of whichever machine runs beat
# (a link to /etc/localtime), `Factory` a placeholder whose abbreviation is "-00".
_NOT_A_PLACE = {
    "localtime": "the zone of whichever machine runs beat",
    "Factory": "tzdata's placeholder for a machine whose zone is not set",
}


@functools.cache
def _timezones() -> frozenset[str]:
    import zoneinfo

    # The same list django-timezone-field (CrontabSchedule.timezone) accepts, less the names
    # that are no place.
    return frozenset(zoneinfo.available_timezones() - _NOT_A_PLACE.keys())


@functools.cache
def _timezones_by_lower_case() -> dict[str, str]:
    return {zone.lower(): zone for zone in _timezones()}


def timezone_problem(value: str) -> str | None:
    if value in _timezones():
        return None
    if value in _NOT_A_PLACE:
        return (
            f"time zone {value!r} is {_NOT_A_PLACE[value]}, not a place: "
            "name the zone, e.g. Europe/Sofia or UTC"
        )
    same_letters = _timezones_by_lower_case().get(value.lower())
    hint = (
        f" (did you mean {same_letters!r}?)" if same_letters else did_you_mean(value, _timezones())
    )
    return f"unknown time zone {value!r}{hint}"


def _character(char: str) -> str:
    """`'\\x1b' (U+001B)`, `'\\u202e' (U+202E RIGHT-TO-LEFT OVERRIDE)`."""
    name = unicodedata.name(char, None)
    return f"{char!r} (U+{ord(char):04X} {name})" if name else f"{char!r} (U+{ord(char):04X})"


def name_problem(field: str, value: str) -> str | None:
    """Why a name (`name`, `task`, the routing fields) could mislead a reviewer or drift, if so:
    a control or invisible character (a CR, LF or ESC can forge lines of a diff in a CI log; NUL
    fails on PostgreSQL), or whitespace the Django admin strips when it saves the task."""
    if not value:
        return None  # an empty routing field is "not set", as the admin saves it
    hidden = next((char for char in value if not char.isprintable()), None)
    if hidden is not None:
        return (
            f"'{field}' contains the character {_character(hidden)}: names must be printable "
            "text (control and invisible characters can forge or hide lines in a review)"
        )
    if not value.strip():
        return f"'{field}' is only whitespace"
    if value != value.strip():
        return (
            f"'{field}' {value!r} starts or ends with whitespace, which the Django admin strips "
            "when it saves the task"
        )
    return None


def free_text_problem(field: str, value: str) -> str | None:
    """Why free text (`description`) cannot be stored, if so: a NUL, which PostgreSQL's text
    columns refuse. Other characters are kept (the admin saves a textarea's CR LF as typed), and
    every output shows them escaped (describe.visible)."""
    if "\x00" not in value:
        return None
    return f"'{field}' contains the character {_character(chr(0))}, which PostgreSQL cannot store"


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


# Python's dates end at 0001-01-01 and 9999-12-31; beat and Django convert a stored time to other
# zones (beat's, a cron's), which may move it a day either way: a day to spare at both ends.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
# Celery adds an interval to the last run and converts the sum to UTC and to the app's zone
# (celery.utils.time.remaining): a year to spare covers the zone and beat running after validate.
LATEST_INTERVAL_END = datetime(9999, 1, 1, tzinfo=UTC)


def datetime_range_problem(field: str, value: datetime) -> str | None:
    """Why an aware date and time cannot be stored in UTC and used by beat, if so."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is not None and EARLIEST <= utc < LATEST:
        return None
    return (
        f"'{field}' {value.isoformat(sep=' ')} is out of range: it is stored in UTC, and beat "
        f"computes with it in other zones; give a time from {EARLIEST.date().isoformat()} to "
        f"{(LATEST - timedelta(days=1)).date().isoformat()} (UTC)"
    )


def interval_problem(every: int, period: str) -> str | None:
    """Why Celery cannot compute the next run of `every` `period`s, if so: beat adds the interval
    to the last run time, and a sum past 9999 raises OverflowError in beat (at start: no task
    runs at all; later: a traceback on every tick)."""
    now = datetime.now(UTC)
    try:
        if now + timedelta(**{period: every}) < LATEST_INTERVAL_END:
            return None
    except OverflowError:  # past timedelta's 999,999,999 days, or past the year 9999
        pass
    return (
        f"an interval of {every:,} {period} is more than Celery can compute: beat adds it to "
        f"the last run time, and now plus the interval must fall before "
        f"{LATEST_INTERVAL_END.date().isoformat()}"
    )


# The zone furthest ahead of UTC (+14:00): a cron without `timezone` is in the project's zone,
# unknown here; its runs after a start_time are latest there.
_EASTERNMOST_ZONE = "Pacific/Kiritimati"


@functools.lru_cache(maxsize=4096)
def cron_start_problem(
    fields: tuple[str, ...], zone: str | None, start_time: datetime
) -> str | None:
    """Why Celery cannot compute a cron's first run after `start_time`, which beat asks while
    `start_time` is ahead (django-celery-beat's PeriodicTask.due_start_time), if so."""
    import zoneinfo

    from celery.schedules import crontab

    stored = map(canonical_cron_field, fields)
    schedule = crontab(**dict(zip(columns.CRON_FIELDS, stored, strict=True)))
    try:
        start, ends_in, _ = schedule.remaining_delta(
            start_time, tz=zoneinfo.ZoneInfo(zone or _EASTERNMOST_ZONE)
        )
        start + ends_in
    except (OverflowError, RuntimeError, ValueError):
        return (
            f"the cron has no run Celery can compute after start_time "
            f"{start_time.isoformat(sep=' ')}: dates end in the year 9999"
        )
    return None


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
        reason = datetime_range_problem(info.field_name, value)
        if reason:
            raise problem(reason)
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
