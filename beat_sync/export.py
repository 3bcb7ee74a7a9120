"""Current periodic tasks as manifest YAML (schedules/*.yaml), for adopting beat-sync (pure).

Every value is written with PyYAML's safe dumper, so the text reads back to the same values; the
layout (one task per list item, a crontab.guru comment above each cron) is written here because
PyYAML cannot emit comments. Fields at django-celery-beat's defaults are omitted; a cron in the
project's default time zone is written as a 5-field string, any other as the mapping with its
`timezone`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import singledispatch
from typing import Any

import yaml

from beat_sync.describe import crontab_guru_url, describe_cron, format_coordinate
from beat_sync.errors import UserError
from beat_sync.kinds import kind_of
from beat_sync.plan import shown_fields
from beat_sync.state import JSON_COLUMNS, ClockedSchedule, CronSchedule, Schedule, TaskState

HEADER = (
    "# Periodic tasks exported from the database by `beat-sync export`.\n"
    "# Review, commit, and `beat-sync diff` shows nothing to change.\n"
)
# The same number of lines, so that problems stay located where they are.
INVALID_HEADER = (
    "# Periodic tasks exported from the database by `beat-sync export`.\n"
    "# Some rows do not validate (export printed where): fix them before committing this file.\n"
)
CRON_MAPPING_ORDER = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
# Characters PyYAML's reader refuses or reads as line breaks inside a quoted scalar.
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def invalid_export(text: str) -> str:
    """An exported manifest that does not validate, saying so instead of promising a clean
    `diff`."""
    return INVALID_HEADER + text.removeprefix(HEADER)


def _scalar(value: Any) -> str:
    """One YAML scalar or flow collection on one line, quoted when YAML needs it."""
    if isinstance(value, datetime):
        return value.isoformat()  # a YAML timestamp; the loader reads it back aware
    if isinstance(value, Decimal):
        text = format_coordinate(value)
        return text if "." in text else f"{text}.0"  # a float, as the manifest expects
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=math.inf, sort_keys=False
    )
    if text.endswith("\n...\n"):  # a bare scalar document gets an explicit end marker
        text = text[: -len("\n...\n")]
    text = text.rstrip("\n")
    if _LINE_BREAKS.search(text):
        # PyYAML folds a multi-line string over several lines (and writes NEL, LS, PS raw, which
        # read back as spaces); JSON, a YAML flow subset, keeps it on one line with escapes.
        text = json.dumps(value, ensure_ascii=False)
        text = _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text


def _json_value(task: TaskState, field: str) -> Any:
    text = getattr(task, field)
    try:
        return json.loads(text)
    except ValueError:
        raise UserError(
            f"periodic task {task.name!r}: its {field} column is not JSON ({text!r}); "
            "fix it in the admin, then export again"
        ) from None


@singledispatch
def _schedule_lines(schedule: Schedule, default_timezone: str) -> list[str]:
    """The manifest key of the schedule's kind, holding its columns as a mapping."""
    kind = kind_of(schedule)
    lines = [f"    {kind.key}:"]
    lines += [
        f"      {name}: {_scalar(value)}" for name, value in kind.columns_of(schedule).items()
    ]
    return lines


@_schedule_lines.register
def _(schedule: CronSchedule, default_timezone: str) -> list[str]:
    words = describe_cron(schedule.expression)
    comment = f"    # {words + ': ' if words else ''}{crontab_guru_url(schedule)}"
    if schedule.timezone == default_timezone:
        return [comment, f"    cron: {_scalar(schedule.expression)}"]
    lines = [comment, "    cron:"]
    lines += [f"      {f}: {_scalar(getattr(schedule, f))}" for f in CRON_MAPPING_ORDER]
    lines.append(f"      timezone: {_scalar(schedule.timezone)}")
    return lines


@_schedule_lines.register
def _(schedule: ClockedSchedule, default_timezone: str) -> list[str]:
    return [f"    clocked: {_scalar(schedule.clocked_time)}"]  # the time itself, not a mapping


def export_manifest(tasks: Sequence[TaskState], default_timezone: str) -> str:
    """YAML text of a manifest declaring exactly `tasks` (sorted by name)."""
    lines = [HEADER.rstrip("\n"), "periodic_tasks:"]
    if not tasks:
        lines[-1] = "periodic_tasks: []"
    for task in sorted(tasks, key=lambda t: t.name):
        lines.append(f"  - name: {_scalar(task.name)}")
        for field in shown_fields(task):
            if field == "schedule":
                lines += _schedule_lines(task.schedule, default_timezone)
            elif field in JSON_COLUMNS:
                lines.append(f"    {field}: {_scalar(_json_value(task, field))}")
            else:
                lines.append(f"    {field}: {_scalar(getattr(task, field))}")
    return "\n".join(lines) + "\n"
