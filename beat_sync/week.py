"""A picture of the week (`beat-sync next --format svg`): the manifest's task starts per hour
over seven days, as an SVG heat map written here as plain text (pure; no library, no browser).

Herds and quiet hours show at a glance: one row per day, one cell per hour, its colour and number
the starts in that hour, its `<title>` (the tooltip a browser shows on hover) the tasks started
in it. The days are read in one zone, the project's default: a cron in another zone shows
where its runs fall in that one. On a daylight-saving day the repeated hour's runs share its
cell and the skipped hour's cell stays empty.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from beat_sync.errors import UserError
from beat_sync.state import TaskState

DAYS, HOURS = 7, 24
# Runs asked of Celery for one picture (each distinct timing's run counts once, however many
# tasks share it): an every-30-seconds interval runs 20,160 times in a week. Past it the
# picture would take minutes; the user is asked to name the tasks to draw instead.
MAX_RUNS = 30_000
# Task lines in one cell's title; a herd of thousands ends with "... and N more tasks".
TITLE_TASKS = 25


@dataclass(frozen=True)
class Week:
    """The starts of each task per hour, from `start` to the end of its seventh day in `zone`."""

    start: datetime  # --from: no run is counted before it (the manifest counts as applied then)
    zone: ZoneInfo  # the zone the days and hours are read in
    days: tuple[date, ...]  # the seven days, the first being start's in `zone`
    cells: dict[tuple[int, int], Counter[str]]  # (day index, hour) -> task name -> starts

    @property
    def end(self) -> datetime:
        return _midnight(self.days[-1] + timedelta(days=1), self.zone)

    def starts(self, day: int, hour: int) -> int:
        return sum(self.cells.get((day, hour), Counter()).values())

    def before_start(self, day: int, hour: int) -> bool:
        """The cell's hour ended before `start` (the first day's hours before --from)."""
        local = self.start.astimezone(self.zone)
        return day == 0 and hour < local.hour


def build_week(
    runs: Iterable[tuple[datetime, Sequence[TaskState]]], *, start: datetime, zone: ZoneInfo
) -> Week:
    """The week from `start` of `runs` (each moment with the tasks that start then, in time
    order, as `when.timed_runs` gives them). UserError past MAX_RUNS runs."""
    first = start.astimezone(zone).date()
    days = tuple(first + timedelta(days=n) for n in range(DAYS))
    end = _midnight(first + timedelta(days=DAYS), zone)
    cells: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    asked: Counter[str] = Counter()  # runs per timing, by its first task's name
    for number, (moment, tasks) in enumerate(runs, 1):
        if moment >= end:
            break
        asked[tasks[0].name] += 1
        if number > MAX_RUNS:
            raise UserError(_too_many(asked, moment, start, zone))
        local = moment.astimezone(zone)
        cell = cells[(local.date() - first).days, local.hour]
        for task in tasks:
            cell[task.name] += 1
    return Week(start, zone, days, dict(cells))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _too_many(asked: Counter[str], moment: datetime, start: datetime, zone: ZoneInfo) -> str:
    name, runs = asked.most_common(1)[0]
    return (
        f"the week from {start.astimezone(zone):%a %d %b %Y %H:%M} {zone.key} has more than "
        f"{MAX_RUNS:,} runs to draw ({name!r} alone runs {runs:,} times before "
        f"{moment.astimezone(zone):%a %d %b %H:%M}); name the tasks to draw: "
        "beat-sync next --format svg NAME..."
    )


# --- SVG -----------------------------------------------------------------------------------

CELL, GAP = 28, 2  # px: a cell's side and the gap between cells
LEFT, TOP = 84, 58  # px: room for the day labels and for the heading and hour labels
LEGEND = 46  # px below the grid
# Empty hour, then five steps of starts (relative to the busiest hour): ColorBrewer's Oranges.
EMPTY, BEFORE = "#f2f2f2", "#ffffff"
STEPS = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
DARK_FROM = 3  # steps from which a cell's number is written in white
# Characters XML 1.0 cannot hold at all, even escaped (a name may contain them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    """`value` as XML character data: `&`, `<`, `>` escaped, quotes too (so it may also go in
    an attribute), and characters XML cannot hold replaced by U+FFFD."""
    value = _NOT_XML.sub("\ufffd", value)
    return escape(value, {'"': "&quot;", "'": "&#39;"})


def day_label(day: date) -> str:
    return day.strftime("%a %d %b")


def hour_label(hour: int) -> str:
    return f"{hour:02d}"


def cell_title(week: Week, day: int, hour: int) -> str:
    """The hover text of a cell: the hour and its starts, then the tasks started in it (name,
    and `×N` when it starts more than once), by name."""
    moment = f"{week.days[day]:%a %d %b %Y} {hour:02d}:00-{(hour + 1) % 24:02d}:00 {week.zone.key}"
    if week.before_start(day, hour):
        return f"{moment}: before --from ({week.start.astimezone(week.zone):%H:%M})"
    tasks = week.cells.get((day, hour), Counter())
    total = sum(tasks.values())
    lines = [f"{moment}: {total:,} start{'' if total == 1 else 's'}"]
    names = sorted(tasks)
    for name in names[:TITLE_TASKS]:
        lines.append(name if tasks[name] == 1 else f"{name} ×{tasks[name]:,}")
    if len(names) > TITLE_TASKS:
        lines.append(f"... and {len(names) - TITLE_TASKS:,} more tasks")
    return "\n".join(lines)


def _step(starts: int, busiest: int) -> int:
    return max(0, math.ceil(starts * len(STEPS) / busiest) - 1)


def _short(starts: int) -> str:
    """A cell's number, in at most 4 characters (its title has the exact count)."""
    if starts < 10_000:
        return str(starts)
    return f"{starts // 1000}k" if starts < 1_000_000 else f"{starts // 1_000_000}M"


def render_svg(week: Week) -> str:
    """The week as an SVG document (UTF-8 text, ends with a newline)."""
    pitch = CELL + GAP
    width = LEFT + HOURS * pitch + 12
    height = TOP + DAYS * pitch + LEGEND
    busiest = max((week.starts(d, h) for d in range(DAYS) for h in range(HOURS)), default=0)
    total = sum(sum(c.values()) for c in week.cells.values())
    tasks = len({name for cell in week.cells.values() for name in cell})
    start = week.start.astimezone(week.zone)
    heading = (
        f"Task starts per hour, {start:%a %d %b %Y %H:%M} to {week.end:%a %d %b %Y %H:%M} "
        f"{week.zone.key}: {total:,} start{'' if total == 1 else 's'} of {tasks:,} "
        f"task{'' if tasks == 1 else 's'}"
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" '
        'fill="#222">',
        f"<title>{text(heading)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text id="heading" x="12" y="20" font-size="13" font-weight="bold">'
        f"{text(heading)}</text>",
    ]
    for hour in range(HOURS):
        x = LEFT + hour * pitch + CELL / 2
        out.append(
            f'<text class="hour" x="{x:g}" y="{TOP - 8}" text-anchor="middle">'
            f"{hour_label(hour)}</text>"
        )
    for day in range(DAYS):
        y = TOP + day * pitch
        out.append(
            f'<text class="day" x="{LEFT - 8}" y="{y + CELL / 2 + 4:g}" text-anchor="end">'
            f"{text(day_label(week.days[day]))}</text>"
        )
        for hour in range(HOURS):
            out.append(_cell(week, day, hour, LEFT + hour * pitch, y, busiest))
    out += _legend(TOP + DAYS * pitch + 22, busiest)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _cell(week: Week, day: int, hour: int, x: int, y: int, busiest: int) -> str:
    starts = week.starts(day, hour)
    title = f"<title>{text(cell_title(week, day, hour))}</title>"
    box = f'x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="3"'
    if week.before_start(day, hour):
        rect = f'<rect {box} fill="{BEFORE}" stroke="#d0d0d0" stroke-dasharray="2 2"/>'
        return f'<g id="d{day}h{hour:02d}" class="cell before">{title}{rect}</g>'
    if not starts:
        return f'<g id="d{day}h{hour:02d}" class="cell">{title}<rect {box} fill="{EMPTY}"/></g>'
    step = _step(starts, busiest)
    colour = "#ffffff" if step >= DARK_FROM else "#222222"
    number = (
        f'<text x="{x + CELL / 2:g}" y="{y + CELL / 2 + 4:g}" text-anchor="middle" '
        f'font-size="10" fill="{colour}">{_short(starts)}</text>'
    )
    rect = f'<rect {box} fill="{STEPS[step]}"/>'
    return f'<g id="d{day}h{hour:02d}" class="cell">{title}{rect}{number}</g>'


def _legend(y: int, busiest: int) -> list[str]:
    """`starts per hour: [0] [1-2] ... [9-10]`: each colour and the starts it stands for."""
    out = [f'<text x="12" y="{y + 14}">starts per hour:</text>']
    swatches = [("0", EMPTY)]
    if busiest:
        low = 1
        for step, colour in enumerate(STEPS):
            high = busiest * (step + 1) // len(STEPS)
            if high >= low:
                swatches.append((f"{low:,}" if high == low else f"{low:,}-{high:,}", colour))
                low = high + 1
    x = 112
    for label, colour in swatches:
        out.append(f'<rect x="{x}" y="{y + 3}" width="14" height="14" rx="2" fill="{colour}"/>')
        out.append(f'<text x="{x + 18}" y="{y + 14}">{text(label)}</text>')
        x += 26 + 7 * len(label)
    return out
