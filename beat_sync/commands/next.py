"""`beat-sync next`: the manifest's upcoming runs, as beat will compute them (no database)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    given_on_command_line,
    output_option,
    project_options,
)
from beat_sync.commands.output import fail, run_or_exit, stop_if_invalid, write_output
from beat_sync.config import Config, now, parse_instant
from beat_sync.describe import format_run, format_run_json

if TYPE_CHECKING:
    from beat_sync.state import TaskState

DEFAULT_COUNT = 20
MAX_COUNT = 10_000


@click.command("next")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option(
    "--count",
    default=DEFAULT_COUNT,
    show_default=True,
    metavar="N",
    help=f"How many runs, all tasks merged (1 to {MAX_COUNT:,}; not with --format svg, which "
    "draws every run of the week).",
)
@click.option(
    "--from",
    "start",
    metavar="ISO-DATETIME",
    help="Count from this moment, with its UTC offset (e.g. 2027-03-13T00:00:00-05:00), as if "
    "the manifest were applied then (default: now, or BEAT_SYNC_NOW).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json", "svg")),
    default="text",
    show_default=True,
    help="text for people, json for programs, svg for a picture of the week from --from: task "
    "starts per hour over 7 days, in the project's zone.",
)
@output_option("runs")
@check_tasks_option
@project_options
@run_or_exit
def command(
    names: Sequence[str],
    count: int,
    start: str | None,
    output_format: str,
    output: Path | None,
    no_check_tasks: bool,
    config: Config,
) -> None:
    """Show the manifest's next runs (of every task, or of the tasks NAME), merged in time order.

    Computed by Celery's and django-celery-beat's own schedule classes as DatabaseScheduler
    runs them, daylight-saving changes included, in each task's zone (a cron's own, else the
    project's). No database is read: each task counts as applied at --from.
    """
    if output_format == "svg" and given_on_command_line("count"):
        fail("--count does not apply to --format svg: it draws every run of the week from --from")
    if not 1 <= count <= MAX_COUNT:
        fail(f"--count must be between 1 and {MAX_COUNT:,}, not {count}")
    after = parse_instant(start, "--from") if start is not None else now()
    project = api.load_project(config)
    # linted at --from too, so BS102 names the daylight-saving change these runs cross
    desired = api.desired_state(
        config=config, project=project, check_tasks=not no_check_tasks, now=after
    )
    stop_if_invalid(desired.validation, str(api.schedules_path(config)))
    if output_format == "svg":
        from beat_sync.week import render_svg

        week = api.week(
            desired=desired.tasks,
            start=after,
            default_timezone=project.default_timezone,
            names=names,
        )
        write_output(render_svg(week), output)
        return
    runs = api.upcoming_runs(
        desired=desired.tasks,
        after=after,
        count=count,
        default_timezone=project.default_timezone,
        names=names,
    )
    if output_format == "json":
        document = {
            "runs": [
                {"name": run.name, "at": format_run_json(run.at, run.at.tzinfo)} for run in runs
            ]
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(f"{format_run(run.at, run.at.tzinfo)}  {run.name}\n" for run in runs)
        if not runs:  # say why, rather than print nothing
            click.echo(f"beat-sync: {_why_no_runs(desired.tasks, names, after)}", err=True)
    write_output(text, output)


def _why_no_runs(tasks: Sequence[TaskState], names: Sequence[str], after: datetime) -> str:
    """`no runs after ...: 'X' is disabled, 'Y' will not run again`, for `next`'s people."""
    since = f"no runs after {format_run(after, UTC)}"
    if not names:
        return f"{since}: no enabled task of the manifest runs again"
    why = (
        f"{task.name!r} {'will not run again' if task.enabled else 'is disabled'}"
        for task in api.pick_tasks(tasks, names)
    )
    return f"{since}: {', '.join(why)}"
