"""A Plan as text (terminal), JSON (machines) or Markdown (a pull-request comment) (pure).

Text: one block per changed task, marked as `beat_sync.plan.ACTIONS` says (`+` add, `-` remove,
`~` change, `~ NAME (adopt)`, `~ OLD -> NEW` for a rename, `- NAME (disable)`, and
`~ NAME (changed outside the manifest)` for drift), then the summary line
(`2 to add, 1 to change, 1 to remove, 14 unchanged`). A changed task lists only the fields that
changed, `old -> new` (drift: `applied -> now -> manifest`); an added or removed task lists its
task, schedule and every field that is not django-celery-beat's default. A cron schedule gets a
second line in plain words with its crontab.guru link. Given the next runs (`api.plan_runs`), an
added or changed task ends with `next: <run>, <run>, <run>` (JSON: `next_runs`). Colour (ANSI)
only when `color=True`.

JSON: the contract is docs/json-output.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from beat_sync.describe import (
    ago,
    display_width,
    format_run,
    format_run_json,
    runs_text,
    schedule_json,
    schedule_note,
    schedule_words,
    value_json,
    value_text,
    visible,
)
from beat_sync.plan import ACTIONS, DRIFT_SUFFIX, FieldChange, Plan, TaskChange
from beat_sync.status import HEALTHS, TaskStatus
from beat_sync.when import zone_of

if TYPE_CHECKING:
    from beat_sync.api import Status

# Under a drifted task's header: the order of the three values on each field line.
DRIFT_LEGEND = "(each field: applied -> now -> manifest)"
# Each added or changed task's next runs (api.plan_runs), by name, each in its task's zone.
Runs = Mapping[str, Sequence[datetime]]


def _field_value(field: str, value: object) -> str:
    # The task path reads better bare; other strings are quoted so "" and " x" stay visible.
    if field == "task" and isinstance(value, str):
        return value
    return value_text(field, value)


def _values(change: TaskChange, item: FieldChange) -> list[object]:
    """What a field line shows: one value for an add or a remove, old and new for the others,
    applied, now and manifest for drift."""
    if change.action == "add":
        return [item.new]
    if change.action == "remove":
        return [item.old]
    return [item.applied, item.old, item.new] if change.drift else [item.old, item.new]


def _header(change: TaskChange) -> str:
    info = ACTIONS[change.action]
    if change.old_name is not None:
        return f"{info.sign} {visible(change.old_name)} -> {visible(change.name)}{info.suffix}"
    return f"{info.sign} {visible(change.name)}{DRIFT_SUFFIX if change.drift else info.suffix}"


def _field_lines(change: TaskChange, item: FieldChange) -> list[str]:
    if change.action not in ("add", "remove"):
        shown = " -> ".join(_field_value(item.field, v) for v in _values(change, item))
        lines = [f"{item.field}: {shown}"]
        if item.field == "schedule":
            old_note, new_note = schedule_note(item.old), schedule_note(item.new)
            if old_note:
                lines.append(f"  was: {old_note}")
            if new_note:
                lines.append(f"  now: {new_note}")
        return lines
    value = item.new if change.action == "add" else item.old
    lines = [f"{item.field}: {_field_value(item.field, value)}"]
    if item.field == "schedule":
        note = schedule_note(value)
        if note:
            lines.append(f"  {note}")
    return lines


def _runs_line(change: TaskChange, runs: Runs | None) -> str | None:
    """`next: <runs>` for an added or changed task whose runs were computed."""
    if runs is None or change.new is None or change.name not in runs:
        return None
    return f"next: {runs_text(runs[change.name], change.new.enabled)}"


def render_text(plan: Plan, color: bool = False, runs: Runs | None = None) -> str:
    """The plan for a terminal; ends with the summary line and a newline. With `runs`, each
    added or changed task ends with its next runs."""
    out: list[str] = []
    for change in plan.changes:
        header = _header(change)
        color_of = ACTIONS[change.action].color
        out.append(click.style(header, fg=color_of, bold=True) if color else header)
        if change.drift:
            out.append(f"    {DRIFT_LEGEND}")
        for item in change.fields:
            for line in _field_lines(change, item):
                out.append(f"    {visible(line)}")
        runs_line = _runs_line(change, runs)
        if runs_line:
            out.append(f"    {runs_line}")
    summary = str(plan.summary)
    if plan.in_sync:
        out.append(f"In sync: {summary}")
    else:
        out.append("")
        out.append(click.style(summary, bold=True) if color else summary)
    return "\n".join(out) + "\n"


def _change_as_dict(change: TaskChange, runs: Runs | None) -> dict:
    document: dict = {"action": change.action, "name": change.name}
    if change.old_name is not None:
        document["old_name"] = change.old_name
    document["drift"] = change.drift
    document["fields"] = {
        item.field: {
            **({"applied": value_json(item.field, item.applied)} if change.drift else {}),
            "old": value_json(item.field, item.old),
            "new": value_json(item.field, item.new),
        }
        for item in change.fields
    }
    if runs is not None and change.new is not None and change.name in runs:
        moments = runs[change.name]
        document["next_runs"] = [format_run_json(moment, moment.tzinfo) for moment in moments]
    return document


def plan_as_dict(plan: Plan, runs: Runs | None = None) -> dict:
    """The JSON document (see the module docstring) as Python values."""
    summary = plan.summary
    return {
        "in_sync": plan.in_sync,
        "manage": plan.manage,
        "summary": {
            **{action: getattr(summary, action) for action in ACTIONS},
            "unchanged": summary.unchanged,
            "drift": summary.drift,
            "unmanaged": summary.unmanaged,
        },
        "changes": [_change_as_dict(change, runs) for change in plan.changes],
    }


def _ascii_escape(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]


# What JSON text may hold raw but a terminal or a log viewer would act on (C1 controls, DEL,
# bidirectional overrides, line and paragraph separators...): written as \u escapes instead,
# which every JSON reader reads back as the same string. JSON escapes C0 controls itself.
_NOT_PRINTABLE = re.compile(r"[^\n -~]")


def json_text(document: object) -> str:
    """`document` as indented JSON text ending in a newline, every character a terminal would
    act on escaped (see _NOT_PRINTABLE)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return (
        _NOT_PRINTABLE.sub(
            lambda match: match.group() if match.group().isprintable() else _ascii_escape(match),
            text,
        )
        + "\n"
    )


def render_json(plan: Plan, runs: Runs | None = None) -> str:
    return json_text(plan_as_dict(plan, runs))


def _code(text: str) -> str:
    """Inline Markdown code whatever the value holds: fenced by a run of backticks longer than
    any inside it (CommonMark ends a code span only at a run of the same length), with table
    pipes escaped (GitHub splits table cells before it reads code spans)."""
    text = visible(text).replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    # CommonMark strips one space at each end when both ends have one: pad so that it strips
    # the padding, not the value's own, and a backtick at an end does not join the fence.
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " == text[-1:]) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# A plain-words line shown as text, not code, when it holds nothing Markdown acts on in a table
# cell (no HTML, link, emphasis or pipe): what cron-descriptor says of a validated cron.
_PLAIN_NOTE = re.compile(r"[A-Za-z0-9 :,.()/#*_+-]*")


def _markdown_note(note: str) -> str:
    return note if _PLAIN_NOTE.fullmatch(note) else _code(note)


def _markdown_cell(change: TaskChange, runs: Runs | None) -> str:
    parts = []
    for item in change.fields:
        values = _values(change, item)
        shown = values[-1]
        text = f"{item.field}: " + " → ".join(_code(_field_value(item.field, v)) for v in values)
        if item.field == "schedule":
            note = schedule_note(shown)
            if note:
                text += f" ({_markdown_note(note)})"
        parts.append(text)
    runs_line = _runs_line(change, runs)
    if runs_line:
        parts.append(runs_line.replace("|", "\\|"))
    return "<br>".join(parts)


def render_markdown(plan: Plan, runs: Runs | None = None) -> str:
    """A table fit for a pull-request comment."""
    summary = plan.summary
    if plan.in_sync:
        return f"**beat-sync**: periodic tasks in sync ({summary.unchanged} unchanged).\n"
    lines = [
        f"**beat-sync**: {summary}",
        "",
        "| | Periodic task | Fields |",
        "|---|---|---|",
    ]
    for change in plan.changes:
        label = ACTIONS[change.action].markdown + (DRIFT_SUFFIX if change.drift else "")
        name = _code(change.name)
        if change.old_name is not None:
            name = f"{_code(change.old_name)} → {name}"
        lines.append(f"| {label} | {name} | {_markdown_cell(change, runs)} |")
    return "\n".join(lines) + "\n"


# `beat-sync status`: one line per task under a header, the columns aligned, then a summary.
STATUS_COLUMNS = ("NAME", "SCHEDULE", "ENABLED", "LAST RUN", "RUNS", "NEXT RUN", "HEALTH")


def _status_row(status: TaskStatus, now: datetime, default_timezone: str) -> tuple[str, ...]:
    task = status.task
    zone = zone_of(task.schedule, default_timezone)
    if status.last_run_at is None:
        last = "never"
    else:
        last = f"{format_run(status.last_run_at, zone)} ({ago(status.last_run_at, now)})"
    if status.next_run is None:
        upcoming = "-"
    elif status.next_run <= now:
        upcoming = "now (owed a run)"
    else:
        upcoming = format_run(status.next_run, zone)
    return (
        visible(task.name),
        visible(schedule_words(task.schedule)),
        "yes" if task.enabled else "no",
        last,
        str(status.total_run_count),
        upcoming,
        status.health,
    )


def render_status_text(report: Status) -> str:
    """The tables' tasks as aligned columns, then `N tasks: 2 ok, 1 overdue, ...`."""
    rows = [STATUS_COLUMNS] + [
        _status_row(status, report.now, report.default_timezone) for status in report.tasks
    ]
    # in terminal columns: a CJK name takes two per character
    cell_widths = [[display_width(cell) for cell in row] for row in rows]
    widths = [max(column) for column in zip(*cell_widths, strict=True)]
    lines = [
        "  ".join(
            cell + " " * (width - used)
            for cell, used, width in zip(row, used_widths, widths, strict=True)
        ).rstrip()
        for row, used_widths in zip(rows, cell_widths, strict=True)
    ]
    counts = Counter(status.health for status in report.tasks)
    summary = ", ".join(f"{counts[health]} {health}" for health in HEALTHS if counts[health])
    noun = "task" if len(report.tasks) == 1 else "tasks"
    lines.append(f"{len(report.tasks)} periodic {noun}" + (f": {summary}" if summary else ""))
    return "\n".join(lines) + "\n"


def render_status_json(report: Status) -> str:
    """The document of docs/json-output.md ("beat-sync status --format json")."""

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    document = {
        "now": moment(report.now),
        "tasks": [
            {
                "name": status.task.name,
                "health": status.health,
                "task": status.task.task,
                "schedule": schedule_json(status.task.schedule),
                "enabled": status.task.enabled,
                "last_run_at": moment(status.last_run_at),
                "total_run_count": status.total_run_count,
                "next_run": moment(status.next_run),
                "due_at": moment(status.due_at),
            }
            for status in report.tasks
        ],
    }
    return json_text(document)
