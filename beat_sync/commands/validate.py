"""`beat-sync validate`: check manifests, print every problem as path:line:column, exit 1 if any."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import click

from beat_sync import api
from beat_sync.commands.options import (
    check_tasks_option,
    given_on_command_line,
    project_options,
    strict_option,
)
from beat_sync.commands.output import fail, print_located_errors, run_or_exit, verdict
from beat_sync.config import Config
from beat_sync.describe import visible


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@check_tasks_option
@strict_option
@project_options
@run_or_exit
def command(paths: tuple[Path, ...], no_check_tasks: bool, strict: bool, config: Config) -> None:
    """Check manifests (files or folders; default: the schedules folder).

    Every problem is printed on stderr as `path:line:column: message` (a lint as
    `path:line:column: CODE message`); the exit status is 1 if there is any error (warnings
    alone do not fail, unless --strict). When valid, one summary line is printed.
    Without --env (whatever BEAT_SYNC_ENV or [tool.beat-sync] env say), the schedules folder is
    checked as the base and as each environment under its env/ folder, a problem only one
    environment has prefixed with `[NAME] `.
    """
    targets = list(paths) or [api.schedules_path(config)]
    project = None if no_check_tasks else functools.partial(api.load_project, config)
    # Only --env narrows the check: BEAT_SYNC_ENV or [tool.beat-sync] env name the environment
    # apply uses, and the pre-commit hook and the system check must still see every one.
    if not given_on_command_line("env"):
        config = replace(config, env=None)
    if config.env is None and not paths:
        checked = api.validate_every_environment(
            schedules=targets[0], project=project, config=config
        )
    else:
        schedules = api.schedules_path(config)
        checked = api.validate(
            paths=targets,
            project=project,
            config=config,
            environment=config.env,
            schedules=schedules,
        )
    print_located_errors(checked.problems)
    if checked.project_unavailable:
        fail(
            f"cannot check task names: {checked.project_unavailable}; "
            "pass --no-check-tasks to skip this check"
        )
    label = ", ".join(str(target) for target in targets)
    if config.env is not None:
        label += f" (environment {visible(config.env)})"
    if not checked.passes(strict=strict):
        click.echo(f"{label}: {checked.summary()} - {verdict(checked)}", err=True)
        raise SystemExit(1)
    click.echo(f"{label}: {checked.summary()} - valid")
