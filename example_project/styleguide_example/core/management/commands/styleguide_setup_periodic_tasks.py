"""`manage.py styleguide_setup_periodic_tasks`: the HackSoft styleguide's `setup_periodic_tasks`
command as written there, the baseline `make bench` times and tests/beat_sync/test_tables.py
compares `beat-sync apply` with (beat-sync's alias took the name `setup_periodic_tasks`).

From HackSoftware/Django-Styleguide-Example,
styleguide_example/tasks/management/commands/setup_periodic_tasks.py: in one transaction,
queryset deletes of IntervalSchedule, CrontabSchedule and PeriodicTask, then one
CrontabSchedule.objects.create and one PeriodicTask.objects.create per task, with its print
lines. Its loop is `setup_periodic_tasks()` here, so that bench/ and the tests can call it with
their own `periodic_tasks_data`; the command runs it with the example project's tasks, or with
`--data-module MODULE`, the `periodic_tasks_data()` of MODULE (`make bench` writes its N tasks
as such a module: a list literal of task objects, as the styleguide writes its tasks in code).
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.timezone import get_default_timezone_name
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


def setup_periodic_tasks(periodic_tasks_data: list[dict]) -> None:
    """The styleguide's `handle` with `periodic_tasks_data` given: dicts of `task` (a Celery
    task: only its `.name` is read), `name`, `cron` (CrontabSchedule's five fields), `enabled`.
    Prints as the styleguide does."""
    with transaction.atomic():
        print("Deleting all periodic tasks and schedules...\n")

        IntervalSchedule.objects.all().delete()
        CrontabSchedule.objects.all().delete()
        PeriodicTask.objects.all().delete()

        timezone = get_default_timezone_name()

        for periodic_task in periodic_tasks_data:
            print(f"Setting up {periodic_task['task'].name}")

            cron = CrontabSchedule.objects.create(timezone=timezone, **periodic_task["cron"])

            PeriodicTask.objects.create(
                name=periodic_task["name"],
                task=periodic_task["task"].name,
                crontab=cron,
                enabled=periodic_task["enabled"],
            )


def example_periodic_tasks_data() -> list[dict]:
    """schedules/emails.yaml as the styleguide writes it: crons only (no kwargs, descriptions
    or intervals), so "Send pending emails" runs every minute."""
    from styleguide_example.emails.tasks import (
        email_purge_sent,
        email_requeue_stuck,
        email_send_pending,
    )

    every = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*"}
    every["month_of_year"] = "*"
    return [
        {
            "task": email_requeue_stuck,
            "name": "Re-queue stuck emails",
            "cron": {**every, "minute": "*/15"},
            "enabled": True,
        },
        {
            "task": email_purge_sent,
            "name": "Purge sent emails",
            "cron": {**every, "minute": "30", "hour": "3"},
            "enabled": True,
        },
        {
            "task": email_send_pending,
            "name": "Send pending emails",
            "cron": every,
            "enabled": False,
        },
    ]


class Command(BaseCommand):
    help = (
        "The HackSoft styleguide's setup_periodic_tasks (delete every periodic task and "
        "schedule, then create them again), kept as beat-sync's baseline."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--data-module",
            metavar="MODULE",
            help="Take the tasks from MODULE.periodic_tasks_data() instead of the example's.",
        )

    def handle(self, *args, data_module: str | None = None, **kwargs) -> None:
        if data_module is None:
            setup_periodic_tasks(example_periodic_tasks_data())
        else:
            setup_periodic_tasks(importlib.import_module(data_module).periodic_tasks_data())
