"""The click options of the beat-sync commands, each declared once (the management commands pass
their arguments to the same click commands)."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from beat_sync.commands.output import fail
from beat_sync.config import MANAGE_MODES, load_config
from beat_sync.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "markdown")


env_option = click.option(
    "--env",
    metavar="NAME",
    help="Environment: the base manifest plus the overlay schedules/env/NAME/ (default: "
    "BEAT_SYNC_ENV, then [tool.beat-sync] env; none: the base alone). See docs/environments.md.",
)


def project_options(func: F) -> F:
    """Add --settings, --pythonpath, --schedules and --env; the command receives `config: Config`.

    Precedence is beat_sync.config's: options, then DJANGO_SETTINGS_MODULE (BEAT_SYNC_ENV), then
    pyproject.toml.
    """

    @click.option(
        "--settings",
        metavar="MODULE",
        help="Django settings module (default: DJANGO_SETTINGS_MODULE, then "
        "[tool.beat-sync] settings in pyproject.toml).",
    )
    @click.option(
        "--pythonpath",
        multiple=True,
        metavar="DIR",
        help="Folder to put on the import path, as Django's --pythonpath (repeatable).",
    )
    @click.option(
        "--schedules",
        metavar="DIR",
        help="Folder of *.yaml manifests (default: [tool.beat-sync] schedules, else schedules/).",
    )
    @env_option
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        settings: str | None,
        pythonpath: tuple[str, ...],
        schedules: str | None,
        env: str | None,
        **kwargs: Any,
    ) -> Any:
        try:
            config = load_config(
                settings=settings, pythonpath=pythonpath, schedules=schedules, env=env
            )
        except UserError as exc:
            fail(str(exc))
        return func(*args, config=config, **kwargs)

    return wrapper  # type: ignore[return-value]


def database_option(func: F) -> F:
    """Add --database ALIAS (a key of Django's DATABASES, as Django's own commands do)."""
    return click.option(
        "--database",
        default="default",
        show_default=True,
        metavar="ALIAS",
        help="Django database alias holding the django-celery-beat tables.",
    )(func)


def color_option(func: F) -> F:
    """Add --color/--no-color; the command receives `color: bool` (default: stdout is a tty)."""

    @click.option(
        "--color/--no-color",
        default=None,
        help="Colour the output (default: when stdout is a terminal and NO_COLOR is unset).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, color: bool | None, **kwargs: Any) -> Any:
        if color is None:
            # sys.stdout is None when the process was started with it closed (`>&-`).
            tty = sys.stdout is not None and sys.stdout.isatty()
            color = tty and not os.environ.get("NO_COLOR")
        return func(*args, color=color, **kwargs)

    return wrapper  # type: ignore[return-value]


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, markdown for a pull-request comment.",
)

strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (lints such as BS101, an empty file) as errors: exit 1 (diff and apply "
    "then read and change nothing).",
)

check_tasks_option = click.option(
    "--no-check-tasks",
    "no_check_tasks",
    is_flag=True,
    help="Do not check the manifest against the project's Celery app (task registered, "
    "args/kwargs fit its signature, ephem for solar schedules); for validate, the only check "
    "that imports the project.",
)


def output_option(what: str) -> Callable[[F], F]:
    """Add -o/--output FILE; the command receives `output: Path | None` (None or `-`: stdout,
    which `output.write_output` writes to)."""
    return click.option(
        "-o",
        "--output",
        # a folder is refused where the file is written: one line, as every file it cannot write
        type=click.Path(allow_dash=True, path_type=Path),
        help=f"Write the {what} to FILE (parent folders are created) instead of stdout "
        "(- is stdout).",
    )


def plan_file_option(flag: str, help: str) -> Callable[[F], F]:
    """Add a saved plan's FILE option (diff --save-plan, apply --plan; docs/saved-plans.md); the
    command receives `plan_file: Path | None`."""
    return click.option(
        flag,
        "plan_file",
        type=click.Path(path_type=Path),  # a folder: one line where it is read or written
        metavar="FILE",
        help=help,
    )


def manage_option(func: F) -> F:
    """Add --manage all|owned (default: [tool.beat-sync] manage, else all); goes below
    `project_options`, whose `config` it overrides."""

    @click.option(
        "--manage",
        type=click.Choice(MANAGE_MODES),
        default=None,
        help="all: every periodic task is the manifest's (default); owned: only the rows "
        "beat-sync applied or adopted, every other row left alone (default: [tool.beat-sync] "
        "manage).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, manage: str | None, config: Any, **kwargs: Any) -> Any:
        if manage is not None:
            config = dataclasses.replace(config, manage=manage)
        return func(*args, config=config, **kwargs)

    return wrapper  # type: ignore[return-value]


def given_on_command_line(name: str) -> bool:
    """The option `name` of the running command was given on its command line, not defaulted
    (BEAT_SYNC_ENV and [tool.beat-sync] are read by load_config, so they are defaults here)."""
    return click.get_current_context().get_parameter_source(name) is ParameterSource.COMMANDLINE
