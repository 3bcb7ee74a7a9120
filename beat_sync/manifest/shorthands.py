"""Shorthand schedules (`interval: 1h30m`, `cron: "@daily"`), read as the long form they mean.

A shorthand is only another spelling: it becomes the same IntervalSpec or CronSpec as its long
form, so diff compares them equal and the tables hold the long form.

- `interval`: whole numbers with units d, h, m, s, largest first, each at most once (`5m`,
  `1h30m`, `45s`, `2d`, `1d12h`). Stored as the largest unit that divides the total exactly:
  `1h30m` is every 90 minutes, `48h` every 2 days, `90s` every 90 seconds.
- `cron`: Vixie cron's nicknames (crontab(5)); `@reboot` has no meaning for beat.
"""

from __future__ import annotations

import re
from typing import Any

from beat_sync.manifest.columns import CRON_FIELDS
from beat_sync.manifest.rules import Problem, cron_fields_of, did_you_mean, problem

# unit -> (seconds, IntervalSchedule.period), largest first
UNITS = {
    "d": (86_400, "days"),
    "h": (3_600, "hours"),
    "m": (60, "minutes"),
    "s": (1, "seconds"),
}
# [0-9], not \d: Python's \d and int() also take other scripts' digits (a fullwidth "５m")
DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
DURATION_PATTERN = (  # for the JSON Schema
    r"^\s*(?=[0-9])(?=.*[1-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?\s*$"
)
DURATION_HINT = "write a whole number and a unit, largest first: 5m, 1h30m, 45s, 2d"

# Vixie cron's meanings (crontab(5)): minute hour day_of_month month_of_year day_of_week
CRON_NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def interval_of(value: Any) -> Any:
    """`"1h30m"` -> `{"every": 90, "period": "minutes"}`; anything else is left to validation."""
    if not isinstance(value, str):
        return value
    every, period = parse_duration(value)
    return {"every": every, "period": period}


def parse_duration(text: str) -> tuple[int, str]:
    """(every, period) of a duration shorthand, in the largest unit dividing it exactly; raises
    beat-sync's pydantic error (a located message with a hint) when it is not one."""
    written = text.strip()
    match = DURATION.fullmatch(written)
    if not written or match is None:
        raise problem(
            f"interval {text!r} is not a duration: {DURATION_HINT} "
            "(or the mapping {every: 5, period: minutes})"
        )
    seconds = sum(
        int(count) * UNITS[unit][0]
        for count, unit in zip(match.groups(), UNITS, strict=True)
        if count is not None
    )
    if seconds == 0:
        raise problem(f"interval {text!r} is zero: give at least 1s ({DURATION_HINT})")
    for size, period in UNITS.values():
        if seconds % size == 0:
            return seconds // size, period
    raise AssertionError("every whole number of seconds divides by 1")  # pragma: no cover


def cron_of(value: Any) -> Any:
    """`"@daily"` -> its five fields as a mapping; a 5-field string likewise (rules); a nickname
    inside a string or a field is refused with what it means."""
    if isinstance(value, str):
        words = value.split()
        if len(words) == 1 and words[0].startswith("@"):
            return _nickname_fields(words[0])
        misplaced = next((word for word in words if word.startswith("@")), None)
        if misplaced is not None:
            raise problem(_misplaced(misplaced))
        return cron_fields_of(value)
    if isinstance(value, dict):
        found = [
            Problem((name,), _misplaced(field), False)
            for name in CRON_FIELDS
            if isinstance(field := value.get(name), str) and field.strip().startswith("@")
        ]
        if found:
            raise problem(found[0].message, found)
    return value


def _nickname_fields(word: str) -> dict[str, str]:
    fields = CRON_NICKNAMES.get(word.lower())
    if fields is None:
        known = ", ".join(CRON_NICKNAMES)
        if word.lower() == "@reboot":
            reason = "beat has no start-up run ('@reboot'): use a clocked task, or Celery's signals"
        else:
            reason = f"unknown cron nickname {word!r}{did_you_mean(word.lower(), CRON_NICKNAMES)}"
        raise problem(f"{reason}; the nicknames are {known}")
    return dict(zip(CRON_FIELDS, fields.split(), strict=True))


def _misplaced(word: str) -> str:
    meaning = CRON_NICKNAMES.get(word.strip().lower())
    if meaning is None:
        return (
            f"{word.strip()!r} is not a cron field; a nickname ({', '.join(CRON_NICKNAMES)}) "
            f'is the whole schedule, e.g. cron: "@daily"'
        )
    return (
        f"{word.strip()!r} is a whole schedule ({meaning}), not a field: write "
        f'cron: "{word.strip()}" alone, or the five fields "{meaning}"'
    )
