"""A copy of each audit checkpoint by e-mail, out of reach of whoever holds the server."""

import dataclasses
from datetime import timedelta

from tests.factories import SAMPLE_NOW, case_in_state
from tests.triggers.test_audit_anchor import KEY
from triggers.audit_anchor import verify_trail, write_checkpoint
from triggers.config import AuditConfig
from triggers.db import read_session, write_transaction
from triggers.policy import Policy
from workflows.sweep import sweep

ENVIRON = {"CASEREVIEW_AUDIT_KEY": KEY}


def test_each_checkpoint_is_mailed_and_the_mailed_copy_verifies(
    tmp_path, config, sessions, partnership, smtp, mailbox
):
    config = dataclasses.replace(
        config,
        audit=AuditConfig(
            checkpoint_file=str(tmp_path / "checkpoints.jsonl"),
            checkpoint_email="dpo@example.org",
        ),
    )
    policy = Policy.from_config(config)
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    with write_transaction(sessions) as session:
        checkpoint = write_checkpoint(session, config, SAMPLE_NOW, environ=ENVIRON)
    sweep(sessions, policy, smtp, SAMPLE_NOW + timedelta(minutes=1))
    mailed = [m for m in mailbox.messages if m["To"] == "dpo@example.org"]
    assert len(mailed) == 1
    assert mailed[0]["Subject"] == (
        f"casereview audit checkpoint: {checkpoint.events} events at {checkpoint.fields()['at']}"
    )
    lines = [line for line in mailed[0].get_content().splitlines() if line.startswith("{")]
    saved = tmp_path / "from-the-mail.jsonl"
    saved.write_text("\n".join(lines) + "\n")
    assert lines == [checkpoint.line(KEY.encode())]
    with read_session(sessions) as session:
        report = verify_trail(session, config, environ=ENVIRON, checkpoints=saved)
    assert report.intact and [c.events for c in report.checkpoints] == [checkpoint.events]
