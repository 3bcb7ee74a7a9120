"""An email backend for tests: an SMTP server that is down for the first N sends."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend


class FlakyEmailBackend(LocmemEmailBackend):
    """Fails `failures_left` times (counting every attempt), then delivers to mail.outbox."""

    failures_left = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
