"""The SMTP backend of production (settings.EMAIL_BACKEND when EMAIL_HOST is set).

Django's SMTP backend opens a connection for each message and closes it after (TCP, the
greeting, EHLO, STARTTLS and the login, then QUIT): in the job worker, which sends one
message per job, that is most of the exchange. `ReusedConnectionSMTPBackend` keeps one
connection per thread open between messages, for at most `IDLE_SECONDS` since its last
use (well under the idle timeout of SMTP servers: Postfix's is 300 s), and sends each
message on it as Django's would.

What it keeps of Django's behaviour: EMAIL_TIMEOUT bounds every exchange; any failure
raises (the job fails and config.tasks retries it). A connection found closed by the
server before a message is sent (`SMTPServerDisconnected` on a connection kept from
earlier) is opened again once, for that message: the server had not accepted it. On any
other failure the kept connection is dropped, so that the next message starts afresh.
"""

import atexit
import smtplib
import threading
import time

from django.core.mail.backends.smtp import EmailBackend

# Seconds a connection is kept open after its last message.
IDLE_SECONDS = 30

_kept = threading.local()


def _settings_key(backend: EmailBackend) -> tuple:
    return (
        backend.host,
        backend.port,
        backend.username,
        backend.password,
        backend.use_tls,
        backend.use_ssl,
        backend.timeout,
        backend.ssl_keyfile,
        backend.ssl_certfile,
    )


def _forget(kept: dict | None) -> None:
    """Close a kept connection, politely if it still answers."""
    if kept is None:
        return
    try:
        kept["connection"].quit()
    except (OSError, smtplib.SMTPException):
        kept["connection"].close()


def close_kept_connection() -> None:
    """Close this thread's kept connection (at exit, and in tests)."""
    _forget(getattr(_kept, "value", None))
    _kept.value = None


atexit.register(close_kept_connection)


class ReusedConnectionSMTPBackend(EmailBackend):
    """Django's SMTP backend, keeping its connection between messages (see the module)."""

    def _take_kept(self) -> bool:
        """Use this thread's kept connection if it is for these settings and fresh."""
        kept = getattr(_kept, "value", None)
        _kept.value = None
        if kept is None:
            return False
        if kept["key"] != _settings_key(self) or time.monotonic() - kept["used"] > IDLE_SECONDS:
            _forget(kept)
            return False
        self.connection = kept["connection"]
        return True

    def _keep(self) -> None:
        _kept.value = {
            "key": _settings_key(self),
            "connection": self.connection,
            "used": time.monotonic(),
        }
        self.connection = None

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        if self.fail_silently:
            return super().send_messages(email_messages)
        with self._lock:
            if self.connection is not None:  # opened by the caller (`with backend:`)
                return super().send_messages(email_messages)
            reused = self._take_kept()
            if not reused:
                self.open()
            sent = 0
            try:
                for message in email_messages:
                    try:
                        sent += bool(self._send(message))
                    except smtplib.SMTPServerDisconnected:
                        if not reused or sent:
                            raise
                        # Closed by the server while kept: it never took this message.
                        reused = False
                        self.connection.close()
                        self.connection = None
                        self.open()
                        sent += bool(self._send(message))
            except BaseException:
                # No QUIT to a server that failed (it may not answer): the socket is closed.
                if self.connection is not None:
                    self.connection.close()
                    self.connection = None
                raise
            self._keep()
        return sent
