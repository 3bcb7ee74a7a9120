"""What the beat-sync commands print and how they stop: located problems, plans, files, one-line
failures with exit status 1 (never a traceback for an expected failure)."""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
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
    """Print one `beat-sync: error: ...` line on stderr and exit 1 (never a traceback); a
    message of several lines (a library's own, such as a database driver's) is joined into one."""
    message = " ".join(line.strip() for line in message.splitlines() if line.strip())
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
    from beat_sync.describe import visible

    for error in sorted(errors):
        click.echo(visible(str(error)), file=stream, err=stream is None)


def stop_if_invalid(validation: Validation, label: str, strict: bool = False) -> None:
    """Print the manifest's warnings and errors; exit 1 with a summary line if any is an error,
    or with `strict` any is a warning (diff, apply: the manifest is checked before the database
    is read)."""
    print_located_errors(validation.problems)
    if not validation.passes(strict=strict):
        click.echo(
            f"{label}: {validation.summary()} - {verdict(validation)}; nothing was read or changed",
            err=True,
        )
        raise SystemExit(1)


def verdict(validation: Validation) -> str:
    """`invalid`, or why --strict refused a valid manifest."""
    return "invalid" if not validation.ok else "invalid (--strict: warnings are errors)"


def render_plan(
    plan: Plan, output_format: str = "text", color: bool = False, runs: Runs | None = None
) -> str:
    """The plan in a format; with `runs` (api.plan_runs), each added or changed task's next runs."""
    from beat_sync.render import render_json, render_markdown, render_text

    if output_format == "json":
        return render_json(plan, runs)
    if output_format == "markdown":
        return render_markdown(plan, runs)
    return render_text(plan, color=color, runs=runs)


def print_unreadable(lines: Iterable[str]) -> None:
    """`beat-sync: warning: ...` on stderr for each value of the tables that could not be read
    (a zone this machine's tzdata does not know): the plan shows it replaced."""
    for line in lines:
        click.echo(f"beat-sync: warning: {line}", err=True)


def print_plan(
    plan: Plan, output_format: str = "text", color: bool = False, runs: Runs | None = None
) -> None:
    click.echo(render_plan(plan, output_format, color, runs), nl=False, color=color)


def write_stdout(text: str, color: bool = False) -> None:
    """`text` on standard output, flushed; UserError if it cannot be written.

    apply writes its plan with this inside its transaction, before the commit: a closed pipe
    (`beat-sync apply | head`), a full disk or a closed stdout then rolls the change back and
    exits 1, and exit 1 keeps meaning "the tables are as before".
    """
    from beat_sync.cli import stdout_to_devnull

    if sys.stdout is None:  # `beat-sync apply >&-`; click.echo would print nothing, silently
        raise UserError("cannot write to standard output: it is closed")
    try:
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            stdout_to_devnull()
        raise UserError(f"cannot write to standard output: {exc.strerror or exc}") from exc


def report_committed(text: str) -> None:
    """`text` on standard output, after a commit: if it cannot be printed there, it goes to
    stderr saying the change was committed, and the exit status stays 0 (it was applied)."""
    try:
        write_stdout(text)
    except UserError as exc:
        click.echo(f"beat-sync: the change was committed. {text.strip()} ({exc})", err=True)


@contextlib.contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ctrl-C (SIGINT) ignored while the block runs.

    From the moment apply's plan is printed until the commit is done and reported (a moment:
    COMMIT and one line), an interrupt could otherwise land after COMMIT and exit 1 ("Aborted!")
    over a committed change. Only in the main thread, where Python handles signals
    (call_command may run in another).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        # None: a handler installed outside Python, which cannot be put back; the default then.
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


def is_stdout(output: Path | None) -> bool:
    """-o not given, or `-o -` (standard output, as usual)."""
    return output is None or str(output) == "-"


def refuse_overwriting(output: Path | None, force: bool) -> None:
    """UserError when `output` exists and `force` is not given (export's --force), or is a
    folder (which --force cannot overwrite either)."""
    if is_stdout(output):
        return
    if output.is_dir():
        raise UserError(f"cannot write {output}: Is a directory")
    if not force and (output.exists() or output.is_symlink()):
        raise _exists(output)


def _exists(output: Path) -> UserError:
    return UserError(f"{output} exists: pass --force to overwrite it")


def write_output(text: str, output: Path | None, *, overwrite: bool = True) -> None:
    """`text` to standard output, or to the file of --output (UserError if it can't be written,
    or if it exists and not `overwrite`); `-o -` is stdout."""
    if is_stdout(output):
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # FileExistsError too: a file where a folder should be
        if isinstance(exc, FileExistsError):
            raise UserError(f"cannot write {output}: {exc.filename} is not a folder") from exc
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
    try:
        with output.open("w" if overwrite else "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise _exists(output) from exc
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
