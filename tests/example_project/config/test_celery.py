"""The example project's Celery app as beat-sync sees it after Django is set up."""

import pytest

from beat_sync.project import celery_app, default_timezone
from config import celery_app as project_app


def test_the_current_app_is_the_project_app_with_the_email_tasks():
    app = celery_app()

    assert app is project_app
    assert {
        "styleguide_example.emails.tasks.email_send",
        "styleguide_example.emails.tasks.email_requeue_stuck",
        "styleguide_example.emails.tasks.email_send_pending",
        "styleguide_example.emails.tasks.email_purge_sent",
    } <= set(app.tasks)


# transaction=True: DatabaseScheduler calls close_old_connections(), which closes a connection
# left inside a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_beat_reads_its_schedule_from_the_database_and_adds_no_entries_of_its_own():
    from celery.utils.imports import symbol_by_name
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    app = celery_app()
    assert symbol_by_name(app.conf.beat_scheduler) is DatabaseScheduler
    assert app.conf.task_always_eager is False

    # What `celery beat` does at start: the scheduler installs its default entries (with
    # result_expires set, `celery.backend_cleanup`) and the app's beat_schedule into the tables.
    scheduler = DatabaseScheduler(app=app)
    assert scheduler.schedule == {}
    assert not PeriodicTask.objects.exists()


def test_the_default_timezone_is_the_stated_celery_timezone(settings):
    app = celery_app()
    assert settings.CELERY_TIMEZONE == app.conf.timezone == default_timezone() == "UTC"
    # read from the app's configuration, not a fallback that happens to agree
    stated = app.conf.timezone
    app.conf.timezone = "Europe/Sofia"
    try:
        assert default_timezone() == "Europe/Sofia"
    finally:
        app.conf.timezone = stated
