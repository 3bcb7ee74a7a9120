"""From a manifest to a delivered email: `beat-sync apply` -> django-celery-beat's tables -> a
real `celery beat` -> Redis -> a real worker -> the email backend; and a manifest that disables
the task stops the deliveries."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pytest

from background import wait_until
from styleguide_example.emails.models import Email
from styleguide_example.emails.services import email_create
from tests.support.manifests import write_manifest as write_text_manifest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TASK_NAME = "Send pending emails"
MANIFEST = """\
periodic_tasks:
  - name: {name}
    task: styleguide_example.emails.tasks.email_send_pending
    interval: {{every: 1, period: seconds}}
    queue: {queue}
    enabled: {enabled}
"""
DELIVERY_TIMEOUT = 30
BEAT_INTERVALS_WATCHED = 5  # seconds with the task disabled (it ran every second when enabled)


def delivered(outbox: Path) -> list[tuple[str, str, str]]:
    """(to, subject, plain text) of every message Django's file backend wrote into `outbox`."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for file in sorted(outbox.glob("*.log")) if outbox.is_dir() else []:
        for raw in file.read_bytes().split(separator):
            if raw.strip():
                message = email.message_from_bytes(raw, policy=email.policy.default)
                text = message.get_body(("plain",)).get_content()
                messages.append((message["To"], message["Subject"], text.strip()))
    return sorted(messages)


def pending_email(number: int) -> Email:
    return email_create(
        to=f"user{number}@example.com",
        subject=f"Welcome #{number}",
        html=f"<p>Hello user {number}</p>",
        plain_text=f"Hello user {number}",
    )


def statuses(emails: list[Email]) -> list[str]:
    by_id = dict(Email.objects.filter(pk__in=[e.pk for e in emails]).values_list("pk", "status"))
    return [by_id[e.pk] for e in emails]


def write_manifest(folder: Path, *, queue: str, enabled: bool) -> Path:
    text = MANIFEST.format(name=TASK_NAME, queue=queue, enabled=str(enabled).lower())
    return write_text_manifest(folder, text, "emails.yaml")


def test_an_applied_interval_task_delivers_pending_emails_until_a_manifest_disables_it(
    celery_processes, beat_sync, live_env, queue, tmp_path
):
    outbox = Path(live_env["EMAIL_FILE_PATH"])
    schedules = tmp_path / "schedules"
    emails = [pending_email(1), pending_email(2)]

    write_manifest(schedules, queue=queue, enabled=True)
    applied = beat_sync("apply", "--schedules", schedules)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    # Started after the first apply, as a deploy does. A beat already running when the very
    # first apply creates django-celery-beat's change marker row would not notice it until its
    # 5-minute full re-read (DatabaseScheduler.schedule_changed compares against the missing
    # marker's None); the second apply below is noticed by a running beat within a second.
    started = time.monotonic()
    worker, beat = celery_processes()
    up = time.monotonic() - started
    wait_until(
        lambda: statuses(emails) == [Email.Status.SENT] * 2,
        timeout=DELIVERY_TIMEOUT,
        what="both emails SENT by the periodic task",
        processes=(worker, beat),
    )
    took = time.monotonic() - started
    print(f"e2e: worker and beat up after {up:.1f} s; both emails SENT after {took:.1f} s")

    assert f"Scheduler: Sending due task {TASK_NAME} " in beat.log()
    assert delivered(outbox) == [
        ("user1@example.com", "Welcome #1", "Hello user 1"),
        ("user2@example.com", "Welcome #2", "Hello user 2"),
    ]

    reloads = beat.log().count("DatabaseScheduler: Schedule changed.")
    write_manifest(schedules, queue=queue, enabled=False)
    applied = beat_sync("apply", "--schedules", schedules)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    wait_until(
        lambda: beat.log().count("DatabaseScheduler: Schedule changed.") > reloads,
        timeout=DELIVERY_TIMEOUT,
        what="beat reloading the schedule after the disabling apply",
        processes=(worker, beat),
    )
    time.sleep(2)  # a run sent just before the reload reaches the worker and finds nothing to send
    beat_log_from = len(beat.log())
    late = pending_email(3)
    time.sleep(BEAT_INTERVALS_WATCHED)

    assert statuses([late]) == [Email.Status.SENDING]
    assert len(delivered(outbox)) == 2
    assert f"Sending due task {TASK_NAME} " not in beat.log()[beat_log_from:]
    assert worker.alive() and beat.alive()
