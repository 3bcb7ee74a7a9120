"""What diff, apply and export share: the loaded project, the manifest as desired state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from beat_sync.commands._options import display_path, fail, print_located_errors
from beat_sync.config import Config
from beat_sync.errors import LocatedError
from beat_sync.project import Project
from beat_sync.state import TaskState

FORMATS = ("text", "json", "markdown")


def _stop_on_errors(label: str, result, extra: Sequence[LocatedError] = ()) -> None:
    """Print warnings and errors as path:line:column; exit 1 if any is an error."""
    from beat_sync.manifest import ManifestResult

    errors = [*result.errors, *extra]
    print_located_errors(errors)
    if any(error.severity == "error" for error in errors):
        summary = ManifestResult(result.specs, tuple(sorted(errors)), result.files).summary()
        click.echo(f"{label}: {summary} - invalid; nothing was read or changed", err=True)
        raise SystemExit(1)


def desired_state(config: Config, project: Project, check_tasks: bool) -> tuple[TaskState, ...]:
    """The schedules folder validated (as `validate` does) and normalised; exit 1 when invalid."""
    from beat_sync.manifest import load_manifest
    from beat_sync.normalise import normalise
    from beat_sync.project import project_errors

    folder = Path(display_path(config.schedules))
    result = load_manifest([folder])
    extra = project_errors(result.specs, project.tasks) if check_tasks else []
    _stop_on_errors(str(folder), result, extra)
    return normalise(result.specs, project.default_timezone)


def state_at_ref(config: Config, project: Project, ref: str) -> tuple[TaskState, ...]:
    """The schedules folder as committed at a git ref, normalised (for `diff --base`)."""
    from beat_sync.gitref import read_manifest_sources_at_ref
    from beat_sync.manifest import load_manifest_sources
    from beat_sync.normalise import normalise

    result = load_manifest_sources(read_manifest_sources_at_ref(ref, config.schedules))
    if not result.ok:
        print_located_errors(result.errors)
        fail(f"the manifest at {ref} is invalid; fix it there or diff against another ref")
    return normalise(result.specs, project.default_timezone)


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, markdown for a pull-request comment.",
)
check_tasks_option = click.option(
    "--no-check-tasks",
    "no_check_tasks",
    is_flag=True,
    help="Do not check the manifest against the project's Celery app (task registered, "
    "args/kwargs fit its signature, ephem for solar schedules).",
)
