"""TaskState values for the plan, render, export and tables tests: every field, every kind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    SolarSchedule,
    TaskState,
)

PURGE = "styleguide_example.emails.tasks.email_purge_sent"
REQUEUE = "styleguide_example.emails.tasks.email_requeue_stuck"
PENDING = "styleguide_example.emails.tasks.email_send_pending"


def cron(expression: str, timezone: str = "UTC") -> CronSchedule:
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return CronSchedule(minute, hour, day_of_month, month_of_year, day_of_week, timezone)


def every_kind(clocked_time: datetime | None = None) -> list[TaskState]:
    """Five tasks that together set every column a manifest can set, one per schedule kind
    (two crons: the default zone and another). Crons avoid a single numeric hour, which
    DatabaseScheduler leaves out of its load outside a +/- 2 hour window."""
    return [
        TaskState(
            name="Purge sent emails",
            task=PURGE,
            schedule=cron("0,30 9-17 * * mon-fri", "Europe/Sofia"),
            kwargs='{"days": 30}',
            description="Two lines,\nünïcode and 'quotes': yes",
        ),
        TaskState(
            name="Re-queue stuck emails",
            task=REQUEUE,
            schedule=cron("*/15 * * * *"),
            args='[1, "two", null]',
            kwargs='{"minutes": 15}',
            headers='{"x-origin": "beat"}',
            queue="emails",
            exchange="emails-exchange",
            routing_key="emails.requeue",
            priority=7,
            expire_seconds=600,
            start_time=datetime(2026, 1, 1, 6, 30, tzinfo=UTC),
        ),
        TaskState(
            name="Send pending emails",
            task=PENDING,
            schedule=IntervalSchedule(every=30, period="minutes"),
            enabled=False,
        ),
        TaskState(
            name="Sunset report",
            task=PURGE,
            schedule=SolarSchedule("sunset", Decimal("42.697708"), Decimal("23.321868")),
            expires=datetime(2031, 6, 1, 12, 0, tzinfo=UTC),
        ),
        TaskState(
            name="Year-end send",
            task=PENDING,
            schedule=ClockedSchedule(clocked_time or datetime(2030, 12, 24, 7, 0, tzinfo=UTC)),
            one_off=True,
        ),
    ]


def numbered(count: int, minute: str = "15") -> list[TaskState]:
    """`count` tasks cycling through the four schedule kinds; every fifth disabled."""
    kinds = [
        cron(f"{minute} * * * *"),
        IntervalSchedule(every=5, period="minutes"),
        SolarSchedule("sunrise", Decimal("42.697708"), Decimal("23.321868")),
        ClockedSchedule(datetime(2030, 1, 1, tzinfo=UTC)),
    ]
    return [
        TaskState(
            name=f"task {index:05d}",
            task=PURGE,
            schedule=kinds[index % 4],
            one_off=index % 4 == 3,
            enabled=index % 5 != 0,
        )
        for index in range(count)
    ]
