"""Celery tasks of the emails app: each fetches what it needs and calls services."""

import logging
from datetime import timedelta

from celery import shared_task

from styleguide_example.core.exceptions import ApplicationError
from styleguide_example.emails.models import Email
from styleguide_example.emails.selectors import email_list_stuck

logger = logging.getLogger(__name__)

RETRY_COUNTDOWN_SECONDS = 5


def _email_send_failure(self, exc, task_id, args, kwargs, einfo):
    email_id = args[0]
    email = Email.objects.get(id=email_id)

    from styleguide_example.emails.services import email_failed

    email_failed(email)


@shared_task(bind=True, on_failure=_email_send_failure)
def email_send(self, email_id):
    email = Email.objects.get(id=email_id)

    from styleguide_example.emails.services import email_send

    try:
        email_send(email)
    except ApplicationError as exc:
        # Refused because it is no longer SENDING (e.g. sent by a re-queued copy of this task):
        # retrying cannot change that, and marking it FAILED would be wrong.
        logger.info("Email %s not sent: %s", email_id, exc.message)
    except Exception as exc:
        # https://docs.celeryq.dev/en/stable/userguide/tasks.html#retrying
        logger.warning("Exception occurred while sending email %s: %s", email_id, exc)
        self.retry(exc=exc, countdown=RETRY_COUNTDOWN_SECONDS)


@shared_task
def email_requeue_stuck(minutes: int = 15) -> int:
    """Queue email_send again for every email pending untouched for `minutes`; how many."""
    email_ids = list(
        email_list_stuck(older_than=timedelta(minutes=minutes)).values_list("id", flat=True)
    )
    for email_id in email_ids:
        email_send.delay(email_id)
    return len(email_ids)


@shared_task
def email_send_pending() -> dict:
    """Send every pending email now (the beat-driven alternative to one task per email)."""
    from styleguide_example.emails.services import email_send_pending

    report = email_send_pending()
    return {"sent": report.sent, "failed": report.failed}


@shared_task
def email_purge_sent(days: int = 30) -> int:
    """Delete emails sent more than `days` days ago; how many."""
    from styleguide_example.emails.services import email_purge_sent

    return email_purge_sent(older_than=timedelta(days=days))
