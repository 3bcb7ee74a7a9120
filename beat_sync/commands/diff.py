"""`beat-sync diff`: what `apply` would change in django-celery-beat's tables, field by field."""

from __future__ import annotations

import click

from beat_sync.commands._desired import (
    check_tasks_option,
    desired_state,
    format_option,
    state_at_ref,
)
from beat_sync.commands._options import (
    color_option,
    database_option,
    project_options,
    run_or_exit,
)
from beat_sync.config import Config
from beat_sync.project import Project, load_project

EXIT_CHANGES = 2
# What --base shows as the zone of a cron without `timezone`: the real one (CELERY_TIMEZONE)
# would need the project's settings.
PROJECT_DEFAULT_ZONE = "project default"


def print_plan(plan, output_format: str, color: bool) -> None:
    from beat_sync.render import render_json, render_markdown, render_text

    if output_format == "json":
        click.echo(render_json(plan), nl=False)
    elif output_format == "markdown":
        click.echo(render_markdown(plan), nl=False)
    else:
        click.echo(render_text(plan, color=color), nl=False, color=color)


@click.command("diff")
@format_option
@click.option(
    "--exit-code",
    is_flag=True,
    help=f"Exit with status {EXIT_CHANGES} when there are changes (drift detection), 0 when "
    "in sync.",
)
@click.option(
    "--base",
    metavar="REF",
    help="Compare with the schedules folder as committed at git REF instead of the database "
    "(what a pull request changes). Needs neither database nor Django settings: task names "
    "are not checked (validate does that) and a cron without timezone shows as "
    f"'{PROJECT_DEFAULT_ZONE}'.",
)
@database_option
@check_tasks_option
@color_option
@project_options
@run_or_exit
def command(
    output_format: str,
    exit_code: bool,
    base: str | None,
    database: str,
    no_check_tasks: bool,
    color: bool,
    config: Config,
) -> None:
    """Show what `apply` would change: + add, - remove, ~ change (old -> new).

    The manifest is validated first (invalid: located errors, exit 1). Exit status 0, or with
    --exit-code 2 when there are changes; 1 on any error (invalid manifest, database
    unreachable, django-celery-beat tables not migrated).
    """
    from beat_sync.plan import make_plan

    if base is not None:
        # Both sides are files, so the project is not loaded: a pull-request job can always run
        # this. Both sides get the same stand-in for the project's default zone, so a cron
        # compares as it does against the database unless its `timezone` itself changed.
        files_only = Project(PROJECT_DEFAULT_ZONE, beat_owned=frozenset(), tasks={})
        desired = desired_state(config, files_only, check_tasks=False)
        plan = make_plan(desired, state_at_ref(config, files_only, base))
    else:
        from beat_sync.tables import read_current_state

        project = load_project(config)
        desired = desired_state(config, project, check_tasks=not no_check_tasks)
        current = read_current_state(using=database)
        plan = make_plan(desired, current, beat_owned=project.beat_owned)
    print_plan(plan, output_format, color)
    if exit_code and not plan.in_sync:
        raise SystemExit(EXIT_CHANGES)
