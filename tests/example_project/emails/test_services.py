"""Services of the emails app, against a real database and Django's locmem outbox."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail

from styleguide_example.core.exceptions import ApplicationError
from styleguide_example.emails.models import Email
from styleguide_example.emails.selectors import email_list_stuck
from styleguide_example.emails.services import (
    EmailSendReport,
    email_failed,
    email_purge_sent,
    email_send,
    email_send_pending,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Email.Status.SENT, Email.Status.FAILED])
def test_email_send_refuses_an_email_that_is_not_sending(make_email, status):
    email = make_email(status=status)

    with pytest.raises(ApplicationError) as raised:
        email_send(email)

    assert raised.value.message == (
        f"Cannot send non-sending emails. Current status is {status.value}"
    )
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == status


def test_email_send_delivers_text_with_html_alternative_and_marks_sent(make_email):
    email = make_email(to="bob@example.com")

    returned = email_send(email)

    [message] = mail.outbox
    assert message.to == ["bob@example.com"]
    assert message.subject == "Hello"
    assert message.body == "Hi Ana"
    assert message.from_email == "styleguide-example@example.com"
    assert message.alternatives == [("<p>Hi <b>Ana</b></p>", "text/html")]
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.sent_at is not None
    assert returned.status == Email.Status.SENT


def test_email_send_that_fails_leaves_the_email_sending(make_email, flaky_smtp):
    email = make_email()
    flaky_smtp.failures_left = 1

    with pytest.raises(SMTPServerDisconnected):
        email_send(email)

    email.refresh_from_db()
    assert (email.status, email.sent_at) == (Email.Status.SENDING, None)


def test_email_failed_marks_a_sending_email_failed(make_email):
    email = make_email()

    email_failed(email)

    email.refresh_from_db()
    assert email.status == Email.Status.FAILED


def test_email_failed_refuses_an_email_already_sent(make_email):
    email = make_email(status=Email.Status.SENT)

    with pytest.raises(ApplicationError, match="Cannot fail non-sending emails"):
        email_failed(email)

    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_email_send_pending_sends_only_pending_emails(make_email):
    pending = [make_email(to=f"user{i}@example.com") for i in range(2)]
    make_email(status=Email.Status.SENT, sent_ago=timedelta(hours=1), to="old@example.com")
    make_email(status=Email.Status.FAILED, to="failed@example.com")

    report = email_send_pending()

    assert report == EmailSendReport(sent=2, failed=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["user0@example.com", "user1@example.com"]
    assert {e.status for e in Email.objects.filter(pk__in=[e.pk for e in pending])} == {
        Email.Status.SENT
    }


def test_email_send_pending_keeps_going_after_a_failure(make_email, flaky_smtp):
    first = make_email(to="first@example.com", age=timedelta(minutes=2))
    second = make_email(to="second@example.com", age=timedelta(minutes=1))
    flaky_smtp.failures_left = 1  # the oldest email is tried first and fails

    report = email_send_pending()

    assert report == EmailSendReport(sent=1, failed=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Email.Status.SENDING, Email.Status.SENT)
    assert [m.to for m in mail.outbox] == [["second@example.com"]]


def test_email_purge_sent_deletes_only_sent_emails_older_than_the_cutoff(make_email):
    old_sent = make_email(status=Email.Status.SENT, sent_ago=timedelta(days=31))
    recent_sent = make_email(status=Email.Status.SENT, sent_ago=timedelta(days=29))
    old_failed = make_email(status=Email.Status.FAILED, age=timedelta(days=60))
    old_pending = make_email(age=timedelta(days=60))

    deleted = email_purge_sent(older_than=timedelta(days=30))

    assert deleted == 1
    remaining = set(Email.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, old_failed.pk, old_pending.pk}
    assert old_sent.pk not in remaining


def test_email_list_stuck_is_pending_emails_untouched_for_longer_than_given(make_email):
    stuck = make_email(age=timedelta(minutes=20))
    make_email(age=timedelta(minutes=5))
    make_email(status=Email.Status.SENT, age=timedelta(hours=1), sent_ago=timedelta(hours=1))
    make_email(status=Email.Status.FAILED, age=timedelta(hours=1))

    assert list(email_list_stuck(older_than=timedelta(minutes=15))) == [stuck]
