"""A real SMTP server (aiosmtpd) on 127.0.0.1, whose failures a test can switch on."""

from __future__ import annotations

import dataclasses
import email
import socket
import threading
import time
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from notifications.senders import SmtpSender
from triggers.config import MailConfig


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """Collects what the server accepted; ``fail_next`` answers DATA with an error."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.fail_next: list[str] = []
        self.refuse_rcpt: set[str] = set()
        self.delay_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_next:
                return self.fail_next.pop(0)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        message = email.message_from_bytes(envelope.content, policy=email_policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.messages]

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def mailbox():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def smtp(mailbox) -> SmtpSender:
    return SmtpSender(
        "127.0.0.1", mailbox.port, "community.safety@example.org", "Charnwood CSP", timeout=5
    )


@pytest.fixture
def config(base_config):
    """Mail settings for tests: three attempts, a minute apart and doubling."""
    return dataclasses.replace(
        base_config,
        mail=MailConfig(
            from_address="community.safety@example.org", max_attempts=3, retry_after_seconds=60
        ),
    )


@pytest.fixture
def people(sessions, partnership):
    """The partnership's manager and CSP chair, who get reminders and escalations."""
    from datetime import UTC, datetime

    from triggers.accounts import create_user
    from triggers.db import write_transaction

    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        for address, role in (("manager@example.org", "manager"), ("chair@example.org", "chair")):
            create_user(
                session, merged, address, "correct horse battery staple", role, datetime.now(UTC)
            )
