"""The example project's Celery app as beat-sync sees it after Django is set up."""

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


def test_beat_reads_its_schedule_from_the_database_and_adds_no_entries_of_its_own():
    app = celery_app()

    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert app.conf.beat_schedule == {}
    # result_expires set would make beat insert `celery.backend_cleanup` into the tables.
    assert app.conf.result_expires is None
    assert app.conf.task_always_eager is False


def test_the_default_timezone_is_the_stated_celery_timezone():
    assert default_timezone() == "UTC"
