"""`beat-sync diff`: what `apply` would change in django-celery-beat's tables, field by field."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    color_option,
    database_option,
    format_option,
    given_on_command_line,
    manage_option,
    plan_file_option,
    project_options,
    strict_option,
)
from beat_sync.commands.output import (
    fail,
    print_located_errors,
    print_plan,
    print_unreadable,
    render_plan,
    run_or_exit,
    stop_if_invalid,
)
from beat_sync.config import Config, now
from beat_sync.describe import visible
from beat_sync.plan import Plan

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
@click.option(
    "--all-envs",
    is_flag=True,
    help="With --base: one plan per environment, the base first, then each under "
    "schedules/env/ (one pull-request comment for all of them).",
)
@plan_file_option(
    "--save-plan",
    "Also write the plan to FILE, with a fingerprint of the tables it was computed from, "
    "for `apply --plan FILE` (docs/saved-plans.md).",
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
    all_envs: bool,
    plan_file: Path | None,
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
    if plan_file is not None and base is not None:
        fail("--save-plan needs the database: it cannot be combined with --base")
    if all_envs:
        # An environment from BEAT_SYNC_ENV or [tool.beat-sync] env is a default that --all-envs
        # overrides (a CI job may set one for apply): only --env itself contradicts it.
        if base is None or given_on_command_line("env"):
            fail("--all-envs needs --base REF and no --env: it compares every environment")
        every_environment(config, base, output_format, color, exit_code, strict)
        return
    if base is not None:
        plan = plan_at_base(config, base, strict)
        default_timezone = api.PROJECT_DEFAULT_ZONE
    else:
        project = api.load_project(config)
        desired = api.desired_state(config=config, project=project, check_tasks=not no_check_tasks)
        stop_if_invalid(desired.validation, label_of(config), strict)
        modes = {"manage": config.manage, "on_remove": config.on_remove}
        if plan_file is None:
            plan = api.plan_against_tables(
                desired=desired.tasks, project=project, using=database, **modes
            )
        else:
            plan = api.save_plan(
                desired=desired.tasks,
                project=project,
                path=plan_file,
                using=database,
                environment=config.env,
                **modes,
            )
        print_unreadable(plan.unreadable)
        switch = api.environment_switch(environment=config.env, using=database)
        if switch:
            click.echo(
                f"beat-sync: warning: {switch}; apply refuses it without --allow-env-switch",
                err=True,
            )
        default_timezone = project.default_timezone
    runs = api.plan_runs(plan, after=now(), default_timezone=default_timezone)
    print_plan(plan, output_format, color, runs)
    if plan_file is not None:
        click.echo(
            f"beat-sync: plan saved to {plan_file}: apply it with "
            f"`beat-sync apply --plan {plan_file}`",
            err=True,
        )
    if exit_code and not plan.in_sync:
        raise SystemExit(EXIT_CHANGES)


def label_of(config: Config) -> str:
    """`schedules`, or `schedules (environment staging)`: what the summary lines name."""
    label = str(api.schedules_path(config))
    return f"{label} (environment {visible(config.env)})" if config.env else label


def plan_at_base(config: Config, base: str, strict: bool = False) -> Plan:
    """The working tree's manifest against the one at git `base` (the environment of `config`
    on both sides): files only, no project (see api.files_only_project)."""
    project = api.files_only_project()
    desired = api.desired_state(config=config, project=project, check_tasks=False)
    stop_if_invalid(desired.validation, label_of(config), strict)
    at_ref = api.desired_state_at_ref(config=config, ref=base)
    if not at_ref.ok:
        print_located_errors(at_ref.problems)
        fail(f"the manifest at {base} is invalid; fix it there or diff against another ref")
    return api.plan_between(desired=desired.tasks, current=at_ref.tasks)


def every_environment(
    config: Config, base: str, output_format: str, color: bool, exit_code: bool, strict: bool
) -> None:
    """diff --base REF --all-envs: the base's plan, then each environment's, one section each."""
    names = [None, *api.environments(config)]
    plans = {name: plan_at_base(replace(config, env=name), base, strict) for name in names}
    after = now()
    sections = {
        name: render_plan(
            plan,
            output_format,
            color,
            api.plan_runs(plan, after=after, default_timezone=api.PROJECT_DEFAULT_ZONE),
        )
        for name, plan in plans.items()
    }
    if output_format == "json":
        document = {
            "environments": [
                {"environment": name, **json.loads(text)} for name, text in sections.items()
            ]
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        heading = "### {}\n\n" if output_format == "markdown" else "== {}\n"
        click.echo(
            "\n".join(
                heading.format(f"environment {visible(name)}" if name else "base") + text
                for name, text in sections.items()
            ),
            nl=False,
            color=color,
        )
    if exit_code and not all(plan.in_sync for plan in plans.values()):
        raise SystemExit(EXIT_CHANGES)
