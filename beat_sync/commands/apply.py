"""`beat-sync apply`: make django-celery-beat's tables hold exactly the manifest, in one locked
transaction (see beat_sync.tables); also `manage.py setup_periodic_tasks`."""

from __future__ import annotations

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    color_option,
    database_option,
    manage_option,
    project_options,
)
from beat_sync.commands.output import print_plan, run_or_exit, stop_if_invalid
from beat_sync.config import Config


@click.command("apply")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Apply a manifest that declares no tasks, removing every periodic task.",
)
@database_option
@check_tasks_option
@color_option
@project_options
@manage_option
@run_or_exit
def command(
    dry_run: bool,
    allow_empty: bool,
    database: str,
    no_check_tasks: bool,
    color: bool,
    config: Config,
) -> None:
    """Apply the manifest to the database: delete and recreate the periodic tasks atomically.

    Validates first (an invalid manifest changes nothing). Then, in one transaction holding a
    lock against concurrent applies: reads the tables, and if they differ from the manifest
    replaces every periodic task and schedule with the manifest's, keeping each surviving
    task's run history, and tells a running beat to reload. Nothing is written when already in
    sync. Any error rolls everything back (exit 1).
    """
    project = api.load_project(config)
    desired = api.desired_state(config=config, project=project, check_tasks=not no_check_tasks)
    stop_if_invalid(desired.validation, str(api.schedules_path(config)))
    modes = {"manage": config.manage, "on_remove": config.on_remove}
    if dry_run:
        plan = api.plan_against_tables(
            desired=desired.tasks, project=project, using=database, **modes
        )
        print_plan(plan, "text", color)
        click.echo("Dry run: nothing was changed.")
        return
    result = api.apply(
        desired=desired.tasks, project=project, using=database, allow_empty=allow_empty, **modes
    )
    if not result.applied:
        recorded = " (recorded which tasks beat-sync manages)" if result.recorded else ""
        click.echo(f"Already in sync: nothing to do{recorded}.")
        return
    print_plan(result.plan, "text", color)
    summary = result.plan.summary
    click.echo(f"Applied: {summary.counts('done')} ({summary.rest()}).")
