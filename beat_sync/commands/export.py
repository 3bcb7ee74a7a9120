"""`beat-sync export`: the periodic tasks in the database as a manifest, to adopt beat-sync."""

from __future__ import annotations

from pathlib import Path

import click

from beat_sync import api
from beat_sync.commands.options import (
    database_option,
    given_on_command_line,
    manage_option,
    output_option,
    project_options,
)
from beat_sync.commands.output import (
    fail,
    is_stdout,
    print_located_errors,
    print_unreadable,
    refuse_overwriting,
    run_or_exit,
    write_output,
)
from beat_sync.config import Config


@click.command("export")
@output_option("manifest")
@click.option(
    "--unmanaged",
    is_flag=True,
    help="Only the rows beat-sync does not manage (made in the admin or by code): the tasks to "
    "adopt with manage = owned.",
)
@click.option("--force", is_flag=True, help="Overwrite the file of --output if it exists.")
@database_option
@project_options
@manage_option
@run_or_exit
def command(
    output: Path | None, unmanaged: bool, force: bool, database: str, config: Config
) -> None:
    """Write the database's periodic tasks as a manifest (YAML).

    Save it in the schedules folder and commit it: `diff` then shows nothing to change. Rows
    beat writes itself (celery.* entries, the app's beat_schedule) are left out, as diff and
    apply leave them alone. With manage = owned only the rows beat-sync manages; with
    --unmanaged only the others. The text is checked as diff checks a manifest (task names,
    args and kwargs against the Celery app): a row that fails is reported at its line, exit 1.
    --output refuses an existing file (a hand-written manifest) without --force.
    """
    if given_on_command_line("env"):  # BEAT_SYNC_ENV or pyproject's env: ambient, not asked for
        fail(
            "--env does not apply to export: it writes the tables as they are, whatever the "
            "environment (`beat-sync diff --env NAME` compares them with one)"
        )
    refuse_overwriting(output, force)
    project = api.load_project(config)
    display = "<stdout>" if is_stdout(output) else str(output)
    exported = api.export(
        project=project,
        using=database,
        display=display,
        manage=config.manage,
        unmanaged=unmanaged,
    )
    print_unreadable(exported.unreadable)
    write_output(exported.text, output, overwrite=force)
    for name in exported.left_out:
        click.echo(f"beat-sync: left out {name!r} (written by beat itself)", err=True)
    if not exported.ok:
        print_located_errors(exported.problems)
        fail("the exported manifest does not validate: fix those rows, then export again")
    if not is_stdout(output):
        click.echo(f"Exported {exported.exported} periodic tasks to {output}.", err=True)
