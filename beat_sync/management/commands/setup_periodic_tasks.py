"""`manage.py setup_periodic_tasks`: `beat-sync apply`, under the styleguide command's name."""

from __future__ import annotations

import click

from beat_sync.management.base import ClickCommand


class Command(ClickCommand):
    help = (
        "Apply schedules/*.yaml to django-celery-beat's tables (alias of `beat_sync apply`): "
        "one locked transaction, nothing written when already in sync."
    )

    def click_command(self) -> click.Command:
        from beat_sync.commands.apply import command

        return command
