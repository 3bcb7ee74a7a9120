"""The PeriodicTask admin with the beat_sync app (beat_sync/admin.py, beat_sync/tables/admin.py),
through Django's test client as a logged-in superuser, for each BEAT_SYNC_ADMIN value."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beat_sync.checks import check_admin_setting
from tests.support.manifests import MANIFEST, write_manifest
from tests.support.samples import PENDING

pytestmark = pytest.mark.django_db

LIST = "/admin/django_celery_beat/periodictask/"
NOTICE = "Managed by beat-sync: {path}:2"


@pytest.fixture
def rows(tmp_path):
    """Two managed tasks (applied by beat-sync) and one made in the admin; (managed, made)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    folder = write_manifest(tmp_path / "schedules", MANIFEST, "emails.yaml")
    call_command("beat_sync", "apply", "--schedules", str(folder))
    every = IntervalSchedule.objects.create(every=5, period="minutes")
    made = PeriodicTask.objects.create(name="Made in the admin", task=PENDING, interval=every)
    return PeriodicTask.objects.get(name="Purge sent emails"), made, folder / "emails.yaml"


@pytest.fixture
def browser(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def change_url(task) -> str:
    return f"{LIST}{task.pk}/change/"


def form_data(task, **changes) -> dict:
    data = {
        "name": task.name,
        "regtask": "",
        "task": task.task,
        "enabled": "on" if task.enabled else "",
        "description": task.description,
        "interval": task.interval_id or "",
        "crontab": task.crontab_id or "",
        "solar": "",
        "clocked": "",
        "start_time_0": "",
        "start_time_1": "",
        "one_off": "",
        "args": task.args,
        "kwargs": task.kwargs,
        "expires_0": "",
        "expires_1": "",
        "expire_seconds": "",
        "queue": "",
        "exchange": "",
        "routing_key": "",
        "priority": "",
        "headers": task.headers,
        "_save": "Save",
    }
    data.update(changes)
    return data


def saves_an_edit(browser, task) -> bool:
    """POST the change form with a new description: True when saved (redirect and stored)."""
    from django_celery_beat.models import PeriodicTask

    response = browser.post(change_url(task), form_data(task, description="edited"))
    stored = PeriodicTask.objects.get(pk=task.pk).description
    return response.status_code == 302 and stored == "edited"


def fully_editable(browser, task) -> bool:
    """The change page has a save button, an edit is saved, the disable action disables."""
    from django_celery_beat.models import PeriodicTask

    if 'name="_save"' not in browser.get(change_url(task)).content.decode():
        return False
    if not saves_an_edit(browser, task):
        return False
    browser.post(LIST, {"action": "disable_tasks", "_selected_action": [task.pk]})
    return not PeriodicTask.objects.get(pk=task.pk).enabled


def names_of(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_readonly_marks_managed_rows_and_refuses_their_edits(browser, rows, settings):
    from django_celery_beat.models import PeriodicTask

    settings.BEAT_SYNC_ADMIN = "readonly"
    managed, made, path = rows
    listing = browser.get(LIST).content.decode()
    assert "Managed by beat-sync" in listing
    assert f"{path}:2" in listing and f"{path}:6" in listing

    page = browser.get(change_url(managed))
    text = page.content.decode()
    assert page.status_code == 200
    assert NOTICE.format(path=path) in text and "edits here are refused" in text
    assert 'name="_save"' not in text  # Django's view-only page: no save buttons
    assert 'name="name"' not in text

    posted = browser.post(change_url(managed), form_data(managed, description="edited"))
    assert posted.status_code == 403
    assert PeriodicTask.objects.get(pk=managed.pk).description == ""
    assert browser.post(f"{LIST}{managed.pk}/delete/", {"post": "yes"}).status_code == 403

    for action in ("disable_tasks", "toggle_tasks", "delete_selected"):
        response = browser.post(
            LIST,
            {"action": action, "_selected_action": [managed.pk, made.pk], "post": "yes"},
            follow=True,
        )
        assert "Refused, nothing was changed" in response.content.decode()
    assert names_of(PeriodicTask.objects.filter(enabled=True)) == {
        "Purge sent emails",
        "Re-queue stuck emails",
        "Made in the admin",
    }

    # The row made in the admin stays fully editable.
    assert "Managed by beat-sync:" not in browser.get(change_url(made)).content.decode()
    assert fully_editable(browser, made)


def test_warn_shows_the_notice_and_allows_edits(browser, rows, settings):
    settings.BEAT_SYNC_ADMIN = "warn"
    managed, made, path = rows
    assert f"{path}:2" in browser.get(LIST).content.decode()
    page = browser.get(change_url(managed)).content.decode()
    assert NOTICE.format(path=path) in page and "reverted by the next beat-sync apply" in page
    assert fully_editable(browser, managed)


def test_off_changes_nothing(browser, rows, settings):
    settings.BEAT_SYNC_ADMIN = "off"
    managed, made, path = rows
    assert "Managed by beat-sync" not in browser.get(LIST).content.decode()
    page = browser.get(change_url(managed)).content.decode()
    assert "Managed by beat-sync" not in page and 'name="_save"' in page
    assert saves_an_edit(browser, managed)


def test_an_unknown_setting_is_a_system_check_error(settings):
    settings.BEAT_SYNC_ADMIN = "hidden"
    (error,) = check_admin_setting()
    assert error.id == "beat_sync.E004"
    assert error.msg == 'BEAT_SYNC_ADMIN must be one of "readonly", "warn", "off", not \'hidden\''
    settings.BEAT_SYNC_ADMIN = "warn"
    assert check_admin_setting() == []
