"""user_complete_onboarding: the welcome email is queued only once the transaction commits.

Real transactions (transaction=True) and Celery in eager mode: `.delay()` runs the send task
in-process, so "the message is in the outbox" means "the task ran"."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction

from styleguide_example.emails.models import Email
from styleguide_example.users.services import user_complete_onboarding

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def user():
    return User.objects.create_user(username="ana", email="ana@example.com")


def test_the_welcome_email_is_sent_only_after_the_transaction_commits(user, celery_eager):
    with transaction.atomic():
        email = user_complete_onboarding(user)
        assert mail.outbox == []  # still inside the transaction: the task has not run
        assert Email.objects.get().status == Email.Status.SENDING

    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Welcome aboard!"
    assert message.alternatives[0][1] == "text/html"
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_outside_a_transaction_the_email_is_sent_when_the_service_returns(user, celery_eager):
    email = user_complete_onboarding(user)

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_nothing_is_queued_when_the_transaction_rolls_back(user, celery_eager):
    with pytest.raises(RuntimeError), transaction.atomic():
        user_complete_onboarding(user)
        raise RuntimeError("signup failed after onboarding")

    assert mail.outbox == []
    assert Email.objects.count() == 0


def test_the_html_part_escapes_the_username(celery_eager):
    user = User.objects.create_user(username="<ana>", email="ana@example.com")

    email = user_complete_onboarding(user)

    assert "&lt;ana&gt;" in email.html
    assert "<ana>" not in email.html
    assert "Hello <ana>," in email.plain_text
