"""A real SMTP server for the tests: aiosmtpd on a free loopback port, in this process.

``SmtpServer`` collects every message it is given (parsed, with the envelope's
recipients); ``stop()`` and ``start()`` take it away and bring it back on the same port,
for the tests of email while the mail server is down. ``environment()`` is what a daphne
process needs to send through it.
"""

import contextlib
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = _free_port()
        self.messages = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def recipients(self):
        """Every envelope recipient of every message so far, once per message."""
        with self._lock:
            return [address for recipients, _message in self.messages for address in recipients]

    def environment(self):
        return {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
        }


@contextlib.contextmanager
def smtp_server():
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
