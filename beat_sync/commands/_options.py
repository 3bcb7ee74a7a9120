"""Click options and error output shared by the beat-sync commands (and the management command)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeVar

import click

from beat_sync.config import load_config
from beat_sync.errors import LocatedError, UserError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Print one `beat-sync: error: ...` line on stderr and exit 1 (never a traceback)."""
    click.echo(f"beat-sync: error: {message}", err=True)
    raise SystemExit(1)


def run_or_exit(func: F) -> F:
    """Turn a UserError raised by the command into one stderr line and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def project_options(func: F) -> F:
    """Add --settings, --pythonpath and --schedules; the command receives `config: Config`.

    Precedence is beat_sync.config's: options, then DJANGO_SETTINGS_MODULE, then pyproject.toml.
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
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        settings: str | None,
        pythonpath: tuple[str, ...],
        schedules: str | None,
        **kwargs: Any,
    ) -> Any:
        try:
            config = load_config(settings=settings, pythonpath=pythonpath, schedules=schedules)
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
            color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        return func(*args, color=color, **kwargs)

    return wrapper  # type: ignore[return-value]


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the current directory when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_located_errors(errors: Iterable[LocatedError], stream: TextIO | None = None) -> None:
    """Print `path:line:column: message` lines, sorted, on stderr (warnings included)."""
    for error in sorted(errors):
        click.echo(str(error), file=stream, err=stream is None)


def output_option(what: str) -> Callable[[F], F]:
    """Add -o/--output FILE; the command receives `output: Path | None` (None: stdout)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Write the {what} to FILE (parent folders are created) instead of stdout.",
    )


def write_output(text: str, output: Path | None) -> None:
    """`text` to standard output, or to the file of --output (UserError if it can't be written)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
