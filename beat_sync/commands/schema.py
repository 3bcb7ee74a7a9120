"""`beat-sync schema`: the manifest's JSON Schema, for editors (yaml-language-server) and CI."""

from __future__ import annotations

import json
from pathlib import Path

import click

from beat_sync.commands._options import run_or_exit
from beat_sync.errors import UserError


@click.command("schema")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file (parent folders are created) instead of stdout.",
)
@run_or_exit
def command(output: Path | None) -> None:
    """Print the JSON Schema of schedules/*.yaml.

    Point an editor at it with a first line such as
    `# yaml-language-server: $schema=../example_project/var/beat-sync.schema.json`
    after `beat-sync schema -o example_project/var/beat-sync.schema.json`.
    """
    from beat_sync.manifest.schema import manifest_json_schema

    text = json.dumps(manifest_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
