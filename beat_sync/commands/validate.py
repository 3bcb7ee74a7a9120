"""`beat-sync validate`: check manifests, print every problem as path:line:column, exit 1 if any."""

from __future__ import annotations

from pathlib import Path

import click

from beat_sync.commands._options import (
    display_path,
    fail,
    print_located_errors,
    project_options,
    run_or_exit,
)
from beat_sync.config import Config
from beat_sync.errors import LocatedError, UserError


def registered_task_errors(config: Config, specs) -> list[LocatedError]:
    """Load the project (Django, then its Celery app) and check the manifest against it."""
    from beat_sync.project import celery_app, project_errors, setup_django

    try:
        setup_django(config)
        tasks = dict(celery_app().tasks)
    except UserError as exc:
        raise UserError(
            f"cannot check task names: {exc}; pass --no-check-tasks to skip this check"
        ) from exc
    return project_errors(specs, tasks)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--no-check-tasks",
    is_flag=True,
    help="Skip checking the manifest against the project's Celery app (task registered, "
    "args/kwargs fit its signature, ephem for solar schedules): the only check that imports "
    "the project.",
)
@project_options
@run_or_exit
def command(paths: tuple[Path, ...], no_check_tasks: bool, config: Config) -> None:
    """Check manifests (files or folders; default: the schedules folder).

    Every problem is printed on stderr as `path:line:column: message`; the exit status is 1 if
    there is any error (warnings alone do not fail). When valid, one summary line is printed.
    """
    from beat_sync.manifest import load_manifest

    targets = list(paths) or [Path(display_path(config.schedules))]
    result = load_manifest(targets)
    errors = list(result.errors)
    check_failure = None
    if not no_check_tasks and result.specs:
        try:
            errors.extend(registered_task_errors(config, result.specs))
        except UserError as exc:
            check_failure = str(exc)
    print_located_errors(errors)
    label = ", ".join(str(target) for target in targets)
    failed = any(error.severity == "error" for error in errors)
    if check_failure:
        fail(check_failure)
    if failed:
        click.echo(f"{label}: {_summary(result, errors)} - invalid", err=True)
        raise SystemExit(1)
    click.echo(f"{label}: {_summary(result, errors)} - valid")


def _summary(result, errors: list[LocatedError]) -> str:
    from beat_sync.manifest import ManifestResult

    return ManifestResult(result.specs, tuple(errors), result.files).summary()
