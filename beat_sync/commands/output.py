"""What the beat-sync commands print and how they stop: located problems, plans, files, one-line
failures with exit status 1 (never a traceback for an expected failure)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from beat_sync.errors import LocatedError, UserError

if TYPE_CHECKING:
    from beat_sync.api import Validation
    from beat_sync.plan import Plan
    from beat_sync.render import Runs

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


def print_located_errors(errors: Iterable[LocatedError], stream: TextIO | None = None) -> None:
    """Print `path:line:column: message` lines, sorted, on stderr (warnings included)."""
    for error in sorted(errors):
        click.echo(str(error), file=stream, err=stream is None)


def stop_if_invalid(validation: Validation, label: str) -> None:
    """Print the manifest's warnings and errors; exit 1 with a summary line if any is an error
    (diff, apply: the manifest is checked before the database is read)."""
    print_located_errors(validation.problems)
    if not validation.ok:
        click.echo(
            f"{label}: {validation.summary()} - invalid; nothing was read or changed", err=True
        )
        raise SystemExit(1)


def print_plan(
    plan: Plan, output_format: str = "text", color: bool = False, runs: Runs | None = None
) -> None:
    from beat_sync.render import render_json, render_markdown, render_text

    if output_format == "json":
        click.echo(render_json(plan, runs), nl=False)
    elif output_format == "markdown":
        click.echo(render_markdown(plan, runs), nl=False)
    else:
        click.echo(render_text(plan, color=color, runs=runs), nl=False, color=color)


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
