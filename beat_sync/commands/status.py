"""`beat-sync status`: each periodic task in the tables, what beat did with it and will do next."""

from __future__ import annotations

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    database_option,
    manage_option,
    project_options,
)
from beat_sync.commands.output import (
    print_unreadable,
    run_or_exit,
    stop_if_invalid,
    write_stdout,
)
from beat_sync.config import Config, now

EXIT_OVERDUE = 2


@click.command("status")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="text for people, json for programs (a monitoring job).",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help=f"Exit with status {EXIT_OVERDUE} when an enabled task is overdue (beat has not run "
    "it when it should have), 0 otherwise.",
)
@database_option
@check_tasks_option
@project_options
@manage_option
@run_or_exit
def command(
    output_format: str, exit_code: bool, database: str, no_check_tasks: bool, config: Config
) -> None:
    """Show every periodic task in the tables: schedule, enabled, last run, total runs, the next
    run as beat will compute it from the row, and its health (ok, never run, overdue, disabled,
    spent, expired, drift, not in manifest, not managed).

    Reads the tables in one query, and the ownership record in one more. Exit status 0, or
    with --exit-code 2 when any enabled task is overdue; 1 on any error (invalid manifest,
    database unreachable, tables not migrated).
    """
    from beat_sync.render import render_status_json, render_status_text

    project = api.load_project(config)
    desired = api.desired_state(config=config, project=project, check_tasks=not no_check_tasks)
    stop_if_invalid(desired.validation, str(api.schedules_path(config)))
    report = api.status(
        desired=desired.tasks, project=project, now=now(), using=database, manage=config.manage
    )
    print_unreadable(report.problems)
    render = render_status_json if output_format == "json" else render_status_text
    write_stdout(render(report))
    if exit_code and report.overdue:
        raise SystemExit(EXIT_OVERDUE)
