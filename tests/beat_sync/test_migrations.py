"""beat_sync's migration: the change-marker row exists before beat first starts."""

from __future__ import annotations

import pytest
from celery import current_app
from django.core.management import call_command
from django_celery_beat.models import PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler

from beat_sync.tables import apply_plan
from tests.support.samples import numbered

pytestmark = pytest.mark.django_db(transaction=True)


def migrate_beat_sync_again():
    call_command("migrate", "beat_sync", "zero", verbosity=0)
    call_command("migrate", "beat_sync", verbosity=0)


def test_migrate_creates_the_change_marker_and_keeps_an_existing_one():
    PeriodicTasks.objects.all().delete()
    migrate_beat_sync_again()
    created = PeriodicTasks.last_change()
    assert created is not None

    migrate_beat_sync_again()
    assert PeriodicTasks.last_change() == created


def test_a_beat_started_before_the_first_apply_notices_it():
    migrate_beat_sync_again()
    beat = DatabaseScheduler(app=current_app, lazy=True)
    assert not beat.schedule_changed()  # what beat reads when it starts

    apply_plan(numbered(3))

    assert beat.schedule_changed()


def test_without_the_marker_row_beat_misses_the_first_apply():
    """Why the migration exists: django-celery-beat's own behaviour on an empty marker table."""
    PeriodicTasks.objects.all().delete()
    beat = DatabaseScheduler(app=current_app, lazy=True)
    assert not beat.schedule_changed()

    apply_plan(numbered(3))

    assert not beat.schedule_changed()
