"""A sweep killed half way, the scheduler, and the other senders."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from notifications.compose import message_id
from notifications.senders import (
    FileSender,
    NotifySender,
    OutgoingMessage,
    SendError,
    SmtpSender,
    sender_from_config,
)
from tests.factories import MANAGER, at, new_case
from triggers.db import write_transaction
from triggers.models import OutboxMessage
from workflows.leadership import FileLeadership
from workflows.scheduler import start_background, stop_background
from workflows.service import apply
from workflows.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
NOW = at(2025, 12, 1, 9)


def due_letters(sessions, partnership, policy, cases: int) -> None:
    with write_transaction(sessions) as session:
        for _ in range(cases):
            case = new_case(
                session, partnership, policy, received_on=date(2025, 11, 27), now=at(2025, 11, 27)
            )
            apply(session, case, "acknowledge", {"on": "2025-11-28"}, MANAGER, NOW, policy)


def test_a_sweep_killed_half_way_loses_nothing(
    database_url, sessions, partnership, policy, smtp, mailbox, people
):
    due_letters(sessions, partnership, policy, 10)  # 30 letters
    mailbox.delay_seconds = 0.1
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "sweep", "--now", "2025-12-01T09:00:00+00:00"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "CASEREVIEW_CONFIG": str(ROOT / "config.toml"),
            "CASEREVIEW_MAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        },
    )
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    delivered_before = len(mailbox.messages)
    assert 8 <= delivered_before < 30

    # Within the lease the dead sweep's claims are left alone...
    mailbox.delay_seconds = 0
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=1))
    # ...after it, they are released and sent.
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=11))
    with write_transaction(sessions) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        expected = {message_id(row, policy.config) for row in rows}
        assert {row.status for row in rows} == {"sent"}
    ids = mailbox.ids()
    assert set(ids) == expected
    twice = [mid for mid in set(ids) if ids.count(mid) > 1]
    assert len(twice) <= 1, "only the message in flight may go twice"
    assert len(ids) - len(expected) == len(twice)


def test_the_scheduler_sweeps_and_only_one_process_runs_it(
    sessions, partnership, policy, people, tmp_path
):
    due_letters(sessions, partnership, policy, 1)
    sender = FileSender(tmp_path / "mail", "community.safety@example.org")
    lock = tmp_path / "scheduler.lock"
    leader, follower = FileLeadership(lock), FileLeadership(lock)
    scheduler = start_background(sessions, policy, sender, leader)
    try:
        # Three letters, and (at today's real date) the escalation of the long-overdue
        # threshold decision.
        deadline = time.monotonic() + 20
        kinds: list[str] = []
        while len(kinds) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
            with write_transaction(sessions) as session:
                kinds = sorted(
                    session.scalars(
                        select(OutboxMessage.kind).where(OutboxMessage.status == "sent")
                    )
                )
        assert kinds == [
            "acknowledgement",
            "chronology_request",
            "chronology_request",
            "escalation",
        ]
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 4
        assert leader.is_leader and not follower.lead()
    finally:
        stop_background(scheduler, leader)
    assert follower.lead()
    follower.release()


class NotifyStub(BaseHTTPRequestHandler):
    """Answers as the GOV.UK Notify API does, recording what it was sent."""

    received: ClassVar[list] = []
    status = 201

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        NotifyStub.received.append((self.path, body, self.headers["Authorization"]))
        status = NotifyStub.status
        answer = (
            {"id": str(uuid.uuid4()), "reference": body.get("reference")}
            if status == 201
            else {
                "status_code": status,
                "errors": [{"error": "BadRequestError", "message": "Can't send to this recipient"}],
            }
        )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_api():
    server = HTTPServer(("127.0.0.1", 0), NotifyStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    NotifyStub.received, NotifyStub.status = [], 201
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_gov_uk_notify_gets_subject_body_and_reference(notify_api):
    key = f"casereview-{uuid.uuid4()}-{uuid.uuid4()}"
    sender = NotifySender(key, "f33517ff-2a88-4f6e-b855-c550268ce08a", notify_api)
    message = OutgoingMessage(
        ("alex@example.org",), "Your application", "Dear Alex,\n", "<casereview.1.abc@example.org>"
    )
    sender.send(message)
    path, body, auth = NotifyStub.received[0]
    assert path == "/v2/notifications/email"
    assert body["email_address"] == "alex@example.org"
    assert body["personalisation"] == {"subject": "Your application", "body": "Dear Alex,\n"}
    assert body["reference"] == "<casereview.1.abc@example.org>"
    assert auth.startswith("Bearer ")
    NotifyStub.status = 400
    with pytest.raises(SendError) as refused:
        sender.send(message)
    assert not refused.value.temporary and "Can't send to this recipient" in str(refused.value)
    NotifyStub.status = 500
    with pytest.raises(SendError) as failed:
        sender.send(message)
    assert failed.value.temporary


@pytest.mark.parametrize(
    ("url", "kind", "detail"),
    [
        ("smtp://mail.council.example:2525", SmtpSender, ("mail.council.example", 2525, False)),
        (
            "smtp+starttls://casereview%40council.example@mail.council.example:587",
            SmtpSender,
            ("mail.council.example", 587, True),
        ),
        ("file:///tmp/casereview-mail", FileSender, None),
    ],
)
def test_the_mail_url_chooses_the_sender(base_config, url, kind, detail):
    sender = sender_from_config(
        base_config, {"CASEREVIEW_MAIL_URL": url, "CASEREVIEW_SMTP_PASSWORD": "s3cret"}
    )
    assert isinstance(sender, kind)
    if detail:
        assert (sender.host, sender.port, sender.starttls) == detail
        assert sender.password == "s3cret"
    if "starttls" in url:
        assert sender.username == "casereview@council.example"
    if kind is FileSender:
        assert sender.folder == Path("/tmp/casereview-mail")


def test_the_default_sender_writes_files_beside_the_config(base_config):
    sender = sender_from_config(base_config, {})
    assert isinstance(sender, FileSender)
    assert sender.folder == ROOT / "outbox"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("carrier-pigeon://loft", "is not understood"),
        ("notify:", "CASEREVIEW_NOTIFY_API_KEY"),
        ("smtp://", "names no host"),
    ],
)
def test_a_bad_mail_url_is_a_clear_error(base_config, url, message):
    with pytest.raises(ValueError, match=message):
        sender_from_config(base_config, {"CASEREVIEW_MAIL_URL": url})


def test_the_scheduler_lock_falls_back_when_the_folder_is_read_only(tmp_path):
    import tempfile

    read_only = tmp_path / "etc"
    read_only.mkdir()
    read_only.chmod(0o500)
    leadership = None
    try:
        if os.access(read_only, os.W_OK):  # root ignores permissions: use a missing folder
            target = tmp_path / "missing" / "scheduler.lock"
        else:
            target = read_only / "scheduler.lock"
        leadership = FileLeadership(target)
        assert leadership.lead()
        assert leadership.path.parent == Path(tempfile.gettempdir())
    finally:
        if leadership is not None:
            leadership.release()
        read_only.chmod(0o700)
