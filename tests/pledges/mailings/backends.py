"""A locmem mail backend whose SMTP server refuses some addresses and is down for others.

Set `REFUSED` (the server answers 550: a permanent failure) or `DOWN` (the connection
drops: a transient one, as when the SMTP server restarts) to the addresses to fail.
"""

import smtplib

from django.core.mail.backends import locmem

REFUSED: set[str] = set()
DOWN: set[str] = set()


class FailingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            addresses = {address.lower() for address in message.to}
            if addresses & REFUSED:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(message.to, (550, b"5.1.1 Mailbox unavailable"))
                )
            if addresses & DOWN:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
