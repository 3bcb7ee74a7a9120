"""`beat-sync diff`: what `apply` would change in django-celery-beat's tables, field by field."""

from __future__ import annotations

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    color_option,
    database_option,
    format_option,
    manage_option,
    project_options,
    strict_option,
)
from beat_sync.commands.output import (
    fail,
    print_located_errors,
    print_plan,
    print_unreadable,
    run_or_exit,
    stop_if_invalid,
)
from beat_sync.config import Config, now

EXIT_CHANGES = 2


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
    f"'{api.PROJECT_DEFAULT_ZONE}'.",
)
@database_option
@check_tasks_option
@strict_option
@color_option
@project_options
@manage_option
@run_or_exit
def command(
    output_format: str,
    exit_code: bool,
    base: str | None,
    database: str,
    no_check_tasks: bool,
    strict: bool,
    color: bool,
    config: Config,
) -> None:
    """Show what `apply` would change: + add, - remove, ~ change (old -> new), adopt, rename,
    disable, and edits made outside the manifest (applied -> now -> manifest).

    The manifest is validated first (invalid: located errors, exit 1). Exit status 0, or with
    --exit-code 2 when there are changes; 1 on any error (invalid manifest, database
    unreachable, django-celery-beat tables not migrated).
    """
    label = str(api.schedules_path(config))
    if base is not None:
        # Both sides are files, so the project is not loaded: a pull-request job can always run
        # this (see api.files_only_project).
        project = api.files_only_project()
        desired = api.desired_state(config=config, project=project, check_tasks=False)
        stop_if_invalid(desired.validation, label, strict)
        at_ref = api.desired_state_at_ref(config=config, ref=base)
        if not at_ref.ok:
            print_located_errors(at_ref.problems)
            fail(f"the manifest at {base} is invalid; fix it there or diff against another ref")
        plan = api.plan_between(desired=desired.tasks, current=at_ref.tasks)
        default_timezone = api.PROJECT_DEFAULT_ZONE
    else:
        project = api.load_project(config)
        desired = api.desired_state(config=config, project=project, check_tasks=not no_check_tasks)
        stop_if_invalid(desired.validation, label, strict)
        plan = api.plan_against_tables(
            desired=desired.tasks,
            project=project,
            using=database,
            manage=config.manage,
            on_remove=config.on_remove,
        )
        print_unreadable(plan.unreadable)
        default_timezone = project.default_timezone
    runs = api.plan_runs(plan, after=now(), default_timezone=default_timezone)
    print_plan(plan, output_format, color, runs)
    if exit_code and not plan.in_sync:
        raise SystemExit(EXIT_CHANGES)
