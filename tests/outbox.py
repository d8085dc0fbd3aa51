"""Running the task queue in a test: the same database backend and worker code as production
(`manage.py db_worker --batch`), in the test's process and transaction."""

import email
import email.policy
import signal
import socket
from contextlib import ExitStack
from unittest import mock

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import Mail

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def waiting_tasks():
    return DBTaskResult.objects.filter(status="READY")


def run_tasks(*, rounds=10):
    """Run the queued tasks, deferred ones too (a batch of followers' mail, a retry), until
    none is left or ``rounds`` runs of the worker are over. Returns how many rounds ran."""
    handlers = {s: signal.getsignal(s) for s in SIGNALS}  # the worker sets its own
    with ExitStack() as stack:
        if connection.in_atomic_block:  # the test's transaction must survive the worker
            module = "django_tasks_db.management.commands.db_worker.close_old_connections"
            stack.enter_context(mock.patch(module))
        try:
            for done in range(rounds):
                if not waiting_tasks().exists():
                    return done
                waiting_tasks().update(run_after=timezone.now())
                call_command(
                    "db_worker", batch=True, reload=False, startup_delay=False, interval=0,
                    verbosity=0,
                )  # fmt: skip
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
    return rounds


def sent(**filters):
    """The mails delivered, oldest first."""
    return list(Mail.objects.filter(status=Mail.Status.SENT, **filters).order_by("pk"))


class SMTPServer:
    """What a real SMTP server on 127.0.0.1 received (aiosmtpd). ``replies``: the answers to
    the next messages, e.g. ["451 4.3.0 Try again later"]; after them, each is accepted."""

    def __init__(self):
        self.messages = []
        self.replies = []

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self):
        """The received messages as email.message.EmailMessage objects."""
        return [
            email.message_from_bytes(m.original_content, policy=email.policy.default)
            for m in self.messages
        ]


def start_smtp_server():
    """(controller, handler) of a new SMTP server on a free port of 127.0.0.1."""
    with socket.socket() as s:  # aiosmtpd cannot take port 0
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = SMTPServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler
