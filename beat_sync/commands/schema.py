"""`beat-sync schema`: the manifest's JSON Schema, for editors (yaml-language-server) and CI."""

from __future__ import annotations

import json
from pathlib import Path

import click

from beat_sync import api
from beat_sync.commands.options import env_option, output_option
from beat_sync.commands.output import run_or_exit, write_output


@click.command("schema")
@output_option("schema")
@click.option(
    "--overlay",
    is_flag=True,
    help="The schema of an environment's overlay files (schedules/env/NAME/*.yaml) instead.",
)
@env_option
@run_or_exit
def command(output: Path | None, overlay: bool, env: str | None) -> None:
    """Print the JSON Schema of schedules/*.yaml (with --overlay, of schedules/env/NAME/*.yaml).

    --env is accepted and changes nothing: one schema covers every environment.

    Point an editor at it with a first line such as
    `# yaml-language-server: $schema=../example_project/var/beat-sync.schema.json`
    after `beat-sync schema -o example_project/var/beat-sync.schema.json`.
    """
    text = json.dumps(api.manifest_schema(overlay=overlay), indent=2, ensure_ascii=False) + "\n"
    write_output(text, output)
