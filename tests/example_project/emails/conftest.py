"""Fixtures of the emails tests: Email rows in each status and an SMTP server that can fail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from styleguide_example.emails.models import Email
from styleguide_example.emails.services import email_create
from tests.support.mail import FlakyEmailBackend


@pytest.fixture
def make_email(db):
    """Create an Email: make_email(status=..., age=timedelta, sent_ago=timedelta)."""

    def make(*, status=Email.Status.SENDING, age=timedelta(0), sent_ago=None, to="ana@example.com"):
        email = email_create(
            to=to, subject="Hello", html="<p>Hi <b>Ana</b></p>", plain_text="Hi Ana"
        )
        then = timezone.now() - age
        sent_at = timezone.now() - sent_ago if sent_ago is not None else None
        # update() writes the timestamps as given; save() would bump updated_at to now.
        Email.objects.filter(pk=email.pk).update(
            status=status, created_at=then, updated_at=then, sent_at=sent_at
        )
        email.refresh_from_db()
        return email

    return make


@pytest.fixture
def flaky_smtp(settings):
    """The email backend for this test fails `flaky_smtp.failures_left` times, then delivers."""
    settings.EMAIL_BACKEND = f"{FlakyEmailBackend.__module__}.{FlakyEmailBackend.__name__}"
    FlakyEmailBackend.failures_left = 0
    FlakyEmailBackend.attempts = 0
    return FlakyEmailBackend
