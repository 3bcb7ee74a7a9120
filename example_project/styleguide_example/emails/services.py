"""Services of the emails app: create, send, fail, and the periodic upkeep of the Email table."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from styleguide_example.common.services import model_update
from styleguide_example.core.exceptions import ApplicationError
from styleguide_example.emails.models import Email
from styleguide_example.emails.selectors import email_list_pending

logger = logging.getLogger(__name__)


def email_create(*, to: str, subject: str, html: str, plain_text: str) -> Email:
    email = Email(to=to, subject=subject, html=html, plain_text=plain_text)
    email.full_clean()
    email.save()
    return email


@transaction.atomic
def email_failed(email: Email) -> Email:
    if email.status != Email.Status.SENDING:
        raise ApplicationError(f"Cannot fail non-sending emails. Current status is {email.status}")

    email, _ = model_update(instance=email, fields=["status"], data={"status": Email.Status.FAILED})
    return email


@transaction.atomic
def email_send(email: Email) -> Email:
    """Send a SENDING email (plain text with an HTML alternative) and mark it SENT.

    The row is re-read under a lock, so that two senders (the send task and a periodic run)
    racing for the same email send it once: the second one sees SENT and is refused.
    """
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.SENDING:
        raise ApplicationError(f"Cannot send non-sending emails. Current status is {email.status}")

    msg = EmailMultiAlternatives(
        email.subject, email.plain_text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    msg.attach_alternative(email.html, "text/html")
    msg.send()

    email, _ = model_update(
        instance=email,
        fields=["status", "sent_at"],
        data={"status": Email.Status.SENT, "sent_at": timezone.now()},
    )
    return email


@dataclass(frozen=True)
class EmailSendReport:
    sent: int
    failed: int


def email_send_pending() -> EmailSendReport:
    """Send every pending email now. A failure is logged and the email stays SENDING, to be
    tried again by the next run; an email sent meanwhile by someone else is skipped."""
    sent = failed = 0
    for email in email_list_pending():
        try:
            email_send(email)
        except ApplicationError:
            continue  # no longer SENDING: another sender got there first
        except Exception:
            logger.exception("Sending email %s failed; it stays pending", email.pk)
            failed += 1
        else:
            sent += 1
    return EmailSendReport(sent=sent, failed=failed)


def email_purge_sent(*, older_than: timedelta) -> int:
    """Delete SENT emails sent more than `older_than` ago; the number deleted."""
    cutoff = timezone.now() - older_than
    deleted, _ = Email.objects.filter(status=Email.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
