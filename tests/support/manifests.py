"""Manifests written to disk for tests and `make bench`: a two-task one, interval tasks by
name, and generated ones of N tasks of every schedule kind (or cron-only).

Generated variant 0 and variant 1 of the same N differ in every task (description, kwargs where
the task takes any, and the schedule of most), so applying one over the other changes all N
tasks. The kwargs fit the example tasks' signatures, as `validate` requires.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.samples import PENDING, PURGE, REQUEUE

MANIFEST = f"""\
periodic_tasks:
  - name: Purge sent emails
    task: {PURGE}
    cron: "30 3 * * *"
    kwargs: {{days: 30}}
  - name: Re-queue stuck emails
    task: {REQUEUE}
    cron: {{minute: "*/15"}}
"""


def write_manifest(folder: Path, text: str = MANIFEST, name: str = "tasks.yaml") -> Path:
    """Write `text` as `folder/name` (folders made as needed); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def interval_manifest(names: list[str], every: int = 1, queue: str | None = None) -> str:
    """A manifest of interval tasks, one per name (no arguments: beat checks them against the
    task's signature before sending)."""
    routing = f", queue: {queue}" if queue else ""
    lines = ["periodic_tasks:"]
    for name in names:
        lines.append(
            f"  - {{name: {name}, task: {PENDING}, "
            f"interval: {{every: {every}, period: seconds}}{routing}}}"
        )
    return "\n".join(lines) + "\n"


TASKS = (REQUEUE, PURGE, PENDING)
KWARGS = {  # the tasks' signatures: email_requeue_stuck(minutes), email_purge_sent(days), none
    TASKS[0]: "    kwargs: {{minutes: {n}}}\n",
    TASKS[1]: "    kwargs: {{days: {n}}}\n",
    TASKS[2]: "",
}
PERIODS = ("seconds", "minutes", "hours", "days")
SOLAR_EVENTS = ("sunrise", "sunset", "solar_noon")
TASKS_PER_FILE = 500


def _mixed_task(i: int, variant: int) -> str:
    """One task as YAML; the schedule kind cycles with i, kinds 8 and 9 disabled."""
    name, task = f"bench task {i:05d}", TASKS[i % len(TASKS)]
    head = f"  - name: {name}\n    task: {task}\n    description: bench variant {variant}\n"
    head += KWARGS[task].format(n=1 + (i + variant) % 365)
    kind = i % 10
    if kind in (0, 1, 2, 3, 8):
        if kind % 2:
            body = f'    cron: "{(i + variant) % 60} {i % 24} * * *"\n'
        else:
            body = (
                f'    cron: {{minute: "{(i * 7 + variant) % 60}", hour: "{i % 24}", '
                f'day_of_week: "mon-fri", timezone: Europe/Sofia}}\n'
            )
    elif kind in (4, 5, 9):
        period = PERIODS[i % len(PERIODS)]
        body = f"    interval: {{every: {1 + (i + variant) % 90}, period: {period}}}\n"
    elif kind == 6:
        latitude = round(-60 + (i % 120) + variant * 0.25, 2)
        longitude = round(-170 + (i % 340), 2)
        event = SOLAR_EVENTS[i % len(SOLAR_EVENTS)]
        body = f"    solar: {{event: {event}, latitude: {latitude}, longitude: {longitude}}}\n"
    else:
        day, hour = 1 + i % 28, (i // 28 + variant) % 24
        body = f"    clocked: 2031-01-{day:02d}T{hour:02d}:{i % 60:02d}:00Z\n    one_off: true\n"
    disabled = "    enabled: false\n" if kind in (8, 9) else ""
    return head + body + disabled


def _cron_task(i: int, variant: int) -> str:
    """What the styleguide's command can express: name, task, a five-field cron, enabled."""
    return (
        f"  - name: bench cron {i:05d}\n    task: {TASKS[i % len(TASKS)]}\n"
        f'    cron: {{minute: "{(i + variant) % 60}", hour: "{i % 24}", '
        f'day_of_week: "*", day_of_month: "*", month_of_year: "*"}}\n'
        + ("    enabled: false\n" if i % 10 == 9 else "")
    )


def write_generated_manifest(
    folder: Path, count: int, variant: int, *, cron_only: bool = False
) -> Path:
    """Write `count` tasks into `folder` as files of TASKS_PER_FILE tasks; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    make = _cron_task if cron_only else _mixed_task
    for number, start in enumerate(range(0, count, TASKS_PER_FILE)):
        items = "".join(make(i, variant) for i in range(start, min(count, start + TASKS_PER_FILE)))
        (folder / f"tasks_{number:03d}.yaml").write_text("periodic_tasks:\n" + items)
    return folder
