"""Email: one outgoing message and where it is in its life (SENDING -> SENT or FAILED)."""

from django.db import models

from styleguide_example.common.models import BaseModel


class Email(BaseModel):
    class Status(models.TextChoices):
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"

    status = models.CharField(
        max_length=255, db_index=True, choices=Status.choices, default=Status.SENDING
    )

    to = models.EmailField()
    subject = models.CharField(max_length=255)

    html = models.TextField()
    plain_text = models.TextField()

    sent_at = models.DateTimeField(blank=True, null=True)

    def __str__(self) -> str:
        return f"{self.subject} -> {self.to} ({self.status})"
