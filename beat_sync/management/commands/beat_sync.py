"""`manage.py beat_sync validate|diff|apply|export|schema|next|status`: the `beat-sync` command
line."""

from __future__ import annotations

import click

from beat_sync.management.base import ClickCommand


class Command(ClickCommand):
    help = (
        "Periodic tasks as code: validate, diff, apply or export schedules/*.yaml, see their next "
        "runs and the tables' status (beat-sync)."
    )

    def click_command(self) -> click.Command:
        from beat_sync.cli import main

        return main
