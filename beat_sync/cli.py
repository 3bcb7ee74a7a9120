"""The `beat-sync` command line: a thin click group; each command lives in beat_sync/commands/."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from beat_sync import __version__

# Commands are imported only when invoked, so `beat-sync validate` never pays for Django's import.
COMMANDS: dict[str, str] = {
    "apply": "beat_sync.commands.apply",
    "diff": "beat_sync.commands.diff",
    "export": "beat_sync.commands.export",
    "next": "beat_sync.commands.next",
    "schema": "beat_sync.commands.schema",
    "validate": "beat_sync.commands.validate",
}


class LazyGroup(click.Group):
    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """As click's, except that a usage error exits 1, not 2.

        2 is what `diff --exit-code` answers for "there are changes": a mistyped option in a
        drift-detection job must not read as drift.
        """
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            status = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            exc.show()
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(status if isinstance(status, int) else 0)

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
