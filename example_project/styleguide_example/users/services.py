"""Services of the users app: onboarding."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.html import escape

from styleguide_example.emails.models import Email
from styleguide_example.emails.services import email_create
from styleguide_example.emails.tasks import email_send as email_send_task


@transaction.atomic
def user_complete_onboarding(user: AbstractBaseUser) -> Email:
    """Create the welcome email and queue its sending once the surrounding transaction commits,
    so the worker never looks for an Email row that is not (or never will be) in the database."""
    name = user.get_username()
    email = email_create(
        to=user.email,
        subject="Welcome aboard!",
        html=f"<p>Hello {escape(name)},</p><p>your account is ready.</p>",
        plain_text=f"Hello {name},\n\nyour account is ready.\n",
    )

    transaction.on_commit(lambda: email_send_task.delay(email.id))

    return email
