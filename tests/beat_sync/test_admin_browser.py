"""The PeriodicTask admin in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`; .ci/run installs them) driven by selenium (the `chrome` fixture of
tests/beat_sync/conftest.py), against the example project served
by pytest-django's live server on PostgreSQL (part of the PostgreSQL pass; skipped on SQLite).

A person logs in, sees which rows the manifest manages in the list, opens a managed task (the
notice, no field to edit, no save button) and a task made in the admin (editable, and saved).
The managed task's page is saved as a screenshot in the test's folder; with
BEAT_SYNC_UPDATE_SCREENSHOT=1 also as docs/img/admin-managed.png, which README shows.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest
from django.core.management import call_command

from tests.support.processes import REPO
from tests.support.samples import PENDING

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

SCREENSHOT = REPO / "docs" / "img" / "admin-managed.png"
PASSWORD = "correct horse battery staple"


def test_a_person_sees_managed_tasks_read_only_and_others_editable(
    chrome, live_server, django_user_model, monkeypatch, tmp_path
):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import title_contains
    from selenium.webdriver.support.ui import WebDriverWait

    # The repository's own manifest, applied from the repository root as a deploy would.
    monkeypatch.chdir(REPO)
    call_command("beat_sync", "apply")
    every = IntervalSchedule.objects.create(every=5, period="minutes")
    made = PeriodicTask.objects.create(
        name="Made in the admin", task=PENDING, interval=every, description="by hand"
    )
    managed = PeriodicTask.objects.get(name="Purge sent emails")
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)

    chrome.get(f"{live_server.url}/admin/login/")
    chrome.find_element(By.NAME, "username").send_keys("admin")
    chrome.find_element(By.NAME, "password").send_keys(PASSWORD)
    chrome.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # click() returns before the next page has loaded: read its title once it has (or 10 s on).
    with contextlib.suppress(TimeoutException):
        WebDriverWait(chrome, 10).until(title_contains("Site administration"))
    assert "Site administration" in chrome.title

    chrome.get(f"{live_server.url}/admin/django_celery_beat/periodictask/")
    rows = {
        row.find_element(By.CSS_SELECTOR, "th").text: row.text
        for row in chrome.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    }
    assert "schedules/emails.yaml:" in rows["Purge sent emails"]
    assert "schedules/emails.yaml:" not in rows["Made in the admin"]

    chrome.get(f"{live_server.url}/admin/django_celery_beat/periodictask/{managed.pk}/change/")
    notice = chrome.find_element(By.CSS_SELECTOR, "ul.messagelist li.warning").text
    assert notice.startswith("Managed by beat-sync: schedules/emails.yaml:")
    assert not chrome.find_elements(By.NAME, "name")  # shown as text, not an input
    assert not chrome.find_elements(By.NAME, "_save")
    assert "Purge sent emails" in chrome.find_element(By.ID, "content").text
    shot = tmp_path / "admin-managed.png"
    assert chrome.save_screenshot(str(shot))
    if os.environ.get("BEAT_SYNC_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)

    chrome.get(f"{live_server.url}/admin/django_celery_beat/periodictask/{made.pk}/change/")
    assert not chrome.find_elements(By.CSS_SELECTOR, "ul.messagelist li.warning")
    description = chrome.find_element(By.NAME, "description")
    assert description.is_enabled()
    description.clear()
    description.send_keys("edited in a browser")
    chrome.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in chrome.find_element(By.CSS_SELECTOR, ".messagelist").text
    made.refresh_from_db()
    assert made.description == "edited in a browser"
