"""`beat-sync export`: the periodic tasks in the database as a manifest, to adopt beat-sync."""

from __future__ import annotations

from pathlib import Path

import click

from beat_sync.commands._options import (
    database_option,
    fail,
    output_option,
    print_located_errors,
    project_options,
    run_or_exit,
    write_output,
)
from beat_sync.config import Config
from beat_sync.project import load_project


@click.command("export")
@output_option("manifest")
@database_option
@project_options
@run_or_exit
def command(output: Path | None, database: str, config: Config) -> None:
    """Write the database's periodic tasks as a manifest (YAML).

    Save it in the schedules folder and commit it: `diff` then shows nothing to change. Rows
    beat writes itself (celery.* entries, the app's beat_schedule) are left out, as diff and
    apply leave them alone.
    """
    from beat_sync.export import export_manifest
    from beat_sync.manifest import load_manifest_sources
    from beat_sync.plan import is_beat_owned
    from beat_sync.tables import read_current_state

    project = load_project(config)
    current = read_current_state(using=database)
    tasks = [t for t in current.tasks if not is_beat_owned(t.name, project.beat_owned)]
    skipped = sorted(t.name for t in current.tasks if is_beat_owned(t.name, project.beat_owned))
    text = export_manifest(tasks, project.default_timezone)
    display = str(output) if output else "<stdout>"
    # The export must read back as a valid manifest; a row the admin allowed but the manifest
    # does not (say, a cron Celery can't parse) is reported where it lands in the file.
    check = load_manifest_sources([(display, text.encode())])
    write_output(text, output)
    for name in skipped:
        click.echo(f"beat-sync: left out {name!r} (written by beat itself)", err=True)
    if not check.ok:
        print_located_errors(check.errors)
        fail("the exported manifest does not validate: fix those rows, then export again")
    if output:
        click.echo(f"Exported {len(tasks)} periodic tasks to {output}.", err=True)
