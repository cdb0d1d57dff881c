"""config/mail.py: over SMTP, a process keeps one connection between its messages, opens
a new one when the server closed it or after IDLE_SECONDS, and fails as Django's backend
does when the server refuses (the job is then retried: tests/config/test_tasks.py)."""

import smtplib
import socket
import socketserver
import threading

import pytest
from django.core.mail import EmailMessage

from config import mail as reused

BACKEND = "config.mail.ReusedConnectionSMTPBackend"


class FakeSMTP(socketserver.ThreadingTCPServer):
    """Enough of an SMTP server for smtplib: counts connections, messages and QUITs; with
    `close_after_message`, hangs up after each message (as a server's idle timeout would)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.connections = self.messages = self.quits = 0
        self.close_after_message = False
        self.lock = threading.Lock()

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server = self.server
        server.count("connections")
        self.reply("220 fake ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-fake")
                self.reply("250 8BITMIME")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                server.count("messages")
                self.reply("250 queued")
                if server.close_after_message:
                    return
            elif verb == b"QUIT":
                server.count("quits")
                self.reply("221 bye")
                return
            else:
                self.reply("502 not here")


@pytest.fixture
def smtp(settings):
    server = FakeSMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    reused.close_kept_connection()
    yield server
    reused.close_kept_connection()
    server.shutdown()
    server.server_close()


def send(n: int = 1) -> None:
    for number in range(n):
        # Each message through its own backend instance, as every job's message.send() does.
        EmailMessage(f"Message {number}", "Bonjour.", to=["lea@exemple.test"]).send()


def test_messages_share_one_connection(smtp):
    send(3)
    assert (smtp.connections, smtp.messages, smtp.quits) == (1, 3, 0)
    reused.close_kept_connection()
    assert smtp.quits == 1


def test_a_connection_the_server_closed_is_opened_again_and_the_message_sent_once(smtp):
    smtp.close_after_message = True
    send(3)
    assert (smtp.connections, smtp.messages) == (3, 3)


def test_a_connection_idle_too_long_is_closed_and_a_new_one_opened(smtp, monkeypatch):
    send()
    monkeypatch.setattr(reused, "IDLE_SECONDS", -1)
    send()
    assert (smtp.connections, smtp.messages, smtp.quits) == (2, 2, 1)


def test_other_settings_get_their_own_connection(smtp, settings):
    send()
    other = FakeSMTP()
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        settings.EMAIL_HOST, settings.EMAIL_PORT = other.server_address
        send()
        assert (smtp.messages, other.messages, other.connections) == (1, 1, 1)
        assert smtp.quits == 1  # the first server's connection was closed politely
    finally:
        reused.close_kept_connection()
        other.shutdown()
        other.server_close()


def test_a_refused_connection_fails_as_djangos_backend_does_and_nothing_is_kept(smtp, settings):
    send()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nothing listens there
    with pytest.raises(ConnectionRefusedError):
        send()
    assert getattr(reused._kept, "value", None) is None


def test_a_failure_on_a_new_connection_is_not_tried_again(smtp, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(smtplib.SMTP, "sendmail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send()
    assert smtp.connections == 1 and getattr(reused._kept, "value", None) is None
