"""`beat-sync apply`: make django-celery-beat's tables hold exactly the manifest, in one locked
transaction (see beat_sync.tables); also `manage.py setup_periodic_tasks`."""

from __future__ import annotations

import click

from beat_sync.commands._desired import check_tasks_option, desired_state
from beat_sync.commands._options import (
    color_option,
    database_option,
    project_options,
    run_or_exit,
)
from beat_sync.commands.diff import print_plan
from beat_sync.config import Config
from beat_sync.errors import UserError
from beat_sync.project import load_project


def refuse_removing_everything(plan) -> None:
    """A manifest with no tasks at all (an empty or truncated file is only a warning) would
    delete every periodic task: that takes --allow-empty. Checked on the state read under the
    lock, so the refusal rolls back with nothing written."""
    if not plan.desired and plan.summary.remove:
        raise UserError(
            f"the manifest declares no periodic tasks: applying it would remove all "
            f"{plan.summary.remove}; pass --allow-empty if that is what you want"
        )


def applied_line(summary) -> str:
    return (
        f"Applied: {summary.add} added, {summary.change} changed, {summary.remove} removed "
        f"({summary.unchanged} unchanged)."
    )


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
    project = load_project(config)
    desired = desired_state(config, project, check_tasks=not no_check_tasks)
    if dry_run:
        from beat_sync.plan import make_plan
        from beat_sync.tables import read_current_state

        plan = make_plan(desired, read_current_state(using=database), beat_owned=project.beat_owned)
        print_plan(plan, "text", color)
        click.echo("Dry run: nothing was changed.")
        return

    from beat_sync.tables import apply_plan

    guard = None if allow_empty else refuse_removing_everything
    result = apply_plan(desired, using=database, beat_owned=project.beat_owned, after_read=guard)
    if not result.applied:
        click.echo("Already in sync: nothing to do.")
        return
    print_plan(result.plan, "text", color)
    click.echo(applied_line(result.plan.summary))
