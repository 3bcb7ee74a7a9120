"""The `beat-sync` command line: a thin click group; each command lives in beat_sync/commands/."""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from beat_sync import __version__

# Commands are imported only when invoked, so `beat-sync validate` never pays for Django's import.
COMMANDS: dict[str, str] = {
    "apply": "beat_sync.commands.apply",
    "diff": "beat_sync.commands.diff",
    "export": "beat_sync.commands.export",
    "next": "beat_sync.commands.next",
    "schema": "beat_sync.commands.schema",
    "status": "beat_sync.commands.status",
    "validate": "beat_sync.commands.validate",
}


# Errors of writing to a full, broken or closed output (not of anything beat-sync reads).
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def run_standalone(command: click.Command, **kwargs: Any) -> NoReturn:
    """Run a click command as a process does (`beat-sync`, `manage.py beat_sync|
    setup_periodic_tasks`), except that a usage error exits 1, not click's 2.

    2 is what `diff --exit-code` answers for "there are changes": a mistyped option in a
    drift-detection job must not read as drift.
    """
    try:
        # click.Command.main itself, not an override (LazyGroup.main comes back here).
        status = click.Command.main(command, standalone_mode=False, **kwargs)
    except click.UsageError as exc:
        exc.show()
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader went away (`beat-sync diff | head`): nothing left to say to it, and the
        # interpreter's own flush at exit must not report the same broken pipe again.
        stdout_to_devnull()
        sys.exit(1)
    except OSError as exc:
        # Output that cannot be written (`beat-sync diff > /dev/full`): one line, not a
        # traceback. apply's plan never gets here: it is written inside its transaction.
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        stdout_to_devnull()
        click.echo(f"beat-sync: error: cannot write the output: {exc.strerror}", err=True)
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)


def stdout_to_devnull() -> None:
    """Point the process's standard output at /dev/null (after a broken pipe, as Python's
    documentation of SIGPIPE recommends), when it has a file descriptor."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


class LazyGroup(click.Group):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        *,
        standalone_mode: bool = True,
        **kwargs: Any,
    ) -> Any:
        """As click's, except that a usage error exits 1 (see run_standalone)."""
        if not standalone_mode:
            return super().main(args, prog_name, standalone_mode=False, **kwargs)
        run_standalone(self, args=args, prog_name=prog_name, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module = importlib.import_module(target)
        return module.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="beat-sync")
def main() -> None:
    """Keep Celery beat's periodic tasks as code.

    Write schedules/*.yaml, check them with `validate`, review with `diff`, deploy with `apply`.
    Settings come from options, then DJANGO_SETTINGS_MODULE, then [tool.beat-sync] in
    pyproject.toml.
    """
