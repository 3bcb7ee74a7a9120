"""django-celery-beat's models, imported on first use: this package is beat-sync's only importer
of django_celery_beat (its migrations aside), so that start-up stays free of Django."""

from __future__ import annotations

from typing import Any

from beat_sync.kinds import KINDS, ScheduleKind


def _models() -> Any:
    from django_celery_beat import models

    return models


def periodic_task() -> Any:
    return _models().PeriodicTask


def change_marker() -> Any:
    """PeriodicTasks: the row whose `last_update` a running beat polls for changes."""
    return _models().PeriodicTasks


def schedule_model(kind: ScheduleKind) -> Any:
    return getattr(_models(), kind.model)


def beat_models() -> tuple[Any, ...]:
    """django-celery-beat's tables beat-sync owns: the tasks, the change marker, the schedules."""
    return (periodic_task(), change_marker(), *(schedule_model(kind) for kind in KINDS))
