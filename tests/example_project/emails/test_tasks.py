"""Celery tasks of the emails app, executed in-process with Task.apply (retries run eagerly)."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail

from styleguide_example.emails.models import Email
from styleguide_example.emails.tasks import (
    email_purge_sent,
    email_requeue_stuck,
    email_send,
    email_send_pending,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("failures", "attempts"), [(0, 1), (2, 3)])
def test_email_send_task_retries_until_the_smtp_server_answers(
    make_email, flaky_smtp, failures, attempts
):
    email = make_email()
    flaky_smtp.failures_left = failures

    result = email_send.apply(args=[email.id])

    assert result.state == "SUCCESS"
    assert flaky_smtp.attempts == attempts  # each failure is retried, then the delivery
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_email_send_task_marks_failed_when_retries_are_exhausted(make_email, flaky_smtp):
    email = make_email()
    flaky_smtp.failures_left = 100

    result = email_send.apply(args=[email.id])

    assert result.state == "FAILURE"
    assert isinstance(result.result, SMTPServerDisconnected)
    assert flaky_smtp.attempts == 1 + email_send.max_retries
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.sent_at) == (Email.Status.FAILED, None)


@pytest.mark.parametrize("status", [Email.Status.SENT, Email.Status.FAILED])
def test_email_send_task_neither_retries_nor_fails_an_email_not_sending(
    make_email, flaky_smtp, status
):
    email = make_email(status=status, sent_ago=timedelta(minutes=1))

    result = email_send.apply(args=[email.id])

    assert result.state == "SUCCESS"
    assert flaky_smtp.attempts == 0
    email.refresh_from_db()
    assert email.status == status


def test_email_requeue_stuck_queues_a_send_for_each_stuck_email(make_email, celery_eager):
    stuck = [make_email(age=timedelta(minutes=m), to=f"stuck{m}@example.com") for m in (20, 90)]
    fresh = make_email(age=timedelta(minutes=1), to="fresh@example.com")

    result = email_requeue_stuck.apply(kwargs={"minutes": 15})

    assert result.get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["stuck20@example.com", "stuck90@example.com"]
    for email in stuck:
        email.refresh_from_db()
        assert email.status == Email.Status.SENT
    fresh.refresh_from_db()
    assert fresh.status == Email.Status.SENDING


def test_email_send_pending_task_reports_what_it_sent(make_email):
    make_email()
    make_email(status=Email.Status.FAILED)

    assert email_send_pending.apply().get() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_email_purge_sent_task_takes_days(make_email):
    make_email(status=Email.Status.SENT, sent_ago=timedelta(days=8))
    kept = make_email(status=Email.Status.SENT, sent_ago=timedelta(days=6))

    assert email_purge_sent.apply(kwargs={"days": 7}).get() == 1
    assert list(Email.objects.all()) == [kept]
