"""ClickCommand: a management command running a beat-sync click command (same options, output).

Inside `manage.py`, Django is already set up (manage.py applied --settings and --pythonpath,
which the click commands also accept and resolve the same way), so the commands only read the
configured settings.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import click
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class ClickCommand(BaseCommand):
    """A management command that hands its arguments to a click command unchanged."""

    def click_command(self) -> click.Command:
        raise NotImplementedError

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "args", nargs=argparse.REMAINDER, help="Passed on; see `--help` of the command."
        )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        """Django's parser, except that every argument goes to the click command unparsed.

        call_command("setup_periodic_tasks", "--schedules", "x") would otherwise fail in
        argparse, which takes `--schedules` for an option of its own, not part of `args`.
        """
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_defaults = parser.parse_args

        def parse_args(args=None, namespace=None):
            options = parse_defaults([])
            options.args = list(args or [])
            return options

        parser.parse_args = parse_args
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        """From the command line: click parses, prints and exits, as `beat-sync` does."""
        from beat_sync.cli import run_standalone

        prog_name = f"{Path(argv[0]).name} {argv[1]}"
        try:
            run_standalone(self.click_command(), args=argv[2:], prog_name=prog_name)
        finally:
            connections.close_all()

    def handle(self, *args: str, **options: Any) -> None:
        """From call_command(): a failure raises CommandError instead of exiting the process;
        the output goes to call_command's `stdout` and `stderr` when given (click prints to
        sys.stdout and sys.stderr)."""
        stdout = options.get("stdout") or sys.stdout
        stderr = options.get("stderr") or sys.stderr
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                self.click_command().main(
                    args=list(args),
                    prog_name=self.__module__.rsplit(".", 1)[-1],
                    standalone_mode=False,
                )
        except click.ClickException as exc:
            raise CommandError(exc.format_message(), returncode=exc.exit_code) from exc
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if code:
                raise CommandError(f"exited with status {code}", returncode=code) from exc
