"""Read-only queries over emails, used by the periodic tasks."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from styleguide_example.emails.models import Email


def email_list_pending() -> QuerySet[Email]:
    """Emails still waiting to be sent, oldest first."""
    return Email.objects.filter(status=Email.Status.SENDING).order_by("created_at", "id")


def email_list_stuck(*, older_than: timedelta) -> QuerySet[Email]:
    """Pending emails nobody has touched for `older_than`: their send task was most likely lost
    (a worker killed mid-task, a broker message dropped, a process gone before on_commit ran)."""
    return email_list_pending().filter(updated_at__lt=timezone.now() - older_than)
