"""`beat-sync apply`: make django-celery-beat's tables hold exactly the manifest, in one locked
transaction (see beat_sync.tables); also `manage.py setup_periodic_tasks`."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    color_option,
    database_option,
    manage_option,
    plan_file_option,
    project_options,
    strict_option,
)
from beat_sync.commands.output import (
    fail,
    interrupts_ignored,
    print_unreadable,
    render_plan,
    report_committed,
    run_or_exit,
    stop_if_invalid,
    write_stdout,
)
from beat_sync.config import DEFAULT_LOCK_TIMEOUT, Config, now
from beat_sync.errors import UserError
from beat_sync.plan import Plan
from beat_sync.render import Runs

if TYPE_CHECKING:
    from beat_sync.tables import ApplyResult


@click.command("apply")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Apply a manifest that declares no tasks, removing every periodic task.",
)
@click.option(
    "--allow-env-switch",
    is_flag=True,
    help="Apply even though the database was last applied as another environment (e.g. a "
    "database restored from another environment's backup).",
)
@plan_file_option(
    "--plan",
    "Apply the plan `diff --save-plan FILE` saved, without reading the manifest; refused "
    "(exit 1, nothing written) when the tables changed since (docs/saved-plans.md).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another apply's lock before giving up (exit 1, nothing "
    "written); 0 fails at once when the lock is held.",
)
@database_option
@check_tasks_option
@strict_option
@color_option
@project_options
@manage_option
@run_or_exit
def command(
    dry_run: bool,
    allow_empty: bool,
    allow_env_switch: bool,
    plan_file: Path | None,
    lock_timeout: float,
    database: str,
    no_check_tasks: bool,
    strict: bool,
    color: bool,
    config: Config,
) -> None:
    """Apply the manifest to the database: delete and recreate the periodic tasks atomically.

    Validates first (an invalid manifest changes nothing). Then, in one transaction holding a
    lock against concurrent applies: reads the tables, and if they differ from the manifest
    replaces every periodic task and schedule with the manifest's, keeping each surviving
    task's run history, and tells a running beat to reload. Nothing is written when already in
    sync. Any error rolls everything back (exit 1). With --plan FILE: the plan `diff
    --save-plan FILE` saved, applied only if the tables are still as they were then.
    """
    project = api.load_project(config)
    modes = {"manage": config.manage, "on_remove": config.on_remove}
    options = {
        "project": project,
        "using": database,
        "allow_empty": allow_empty,
        "allow_env_switch": allow_env_switch,
    }
    if plan_file is not None:
        if dry_run:
            fail("--plan cannot be combined with --dry-run: `diff` showed the plan it saved")

        def apply_now(**more: Any) -> ApplyResult:
            return api.apply_saved_plan(
                path=plan_file, environment=config.env, **options, **modes, **more
            )
    else:
        desired = api.desired_state(config=config, project=project, check_tasks=not no_check_tasks)
        stop_if_invalid(desired.validation, str(api.schedules_path(config)), strict)
        if dry_run:
            plan = api.dry_run(desired=desired.tasks, environment=config.env, **options, **modes)
            print_unreadable(plan.unreadable)
            text = render_plan(plan, "text", color, runs_of(plan, project))
            write_stdout(text + "Dry run: nothing was changed.\n", color)
            return

        def apply_now(**more: Any) -> ApplyResult:
            return api.apply(
                desired=desired.tasks, environment=config.env, **options, **modes, **more
            )

    # The plan is printed inside the transaction, before COMMIT: if it cannot be printed (a
    # closed pipe, a full disk, Ctrl-C) the change rolls back and exit 1 is the truth. From
    # then until the commit is reported, Ctrl-C is ignored (see interrupts_ignored).
    after_printing = contextlib.ExitStack()

    def print_then_commit(plan: Plan) -> None:
        print_unreadable(plan.unreadable)
        try:
            write_stdout(render_plan(plan, "text", color, runs_of(plan, project)), color)
        except UserError as exc:
            raise UserError(f"{exc}; rolled back, nothing was changed") from exc
        after_printing.enter_context(interrupts_ignored())

    with after_printing:
        result = apply_now(before_commit=print_then_commit, lock_timeout=lock_timeout)
        if not result.applied:
            recorded = [
                *(["which tasks beat-sync manages"] if result.recorded else []),
                *([f"environment {result.environment or 'base'}"] if result.switched else []),
            ]
            note = f" (recorded {' and '.join(recorded)})" if recorded else ""
            write_stdout(f"Already in sync: nothing to do{note}.\n")
            return
        summary = result.plan.summary
        report_committed(f"Applied: {summary.counts('done')} ({summary.rest()}).\n")


def runs_of(plan: Plan, project: api.Project) -> Runs:
    """The next runs of the plan's added and changed tasks, from now (or BEAT_SYNC_NOW)."""
    return api.plan_runs(plan, after=now(), default_timezone=project.default_timezone)
