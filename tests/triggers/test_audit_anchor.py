"""The audit chain anchored outside the database: a rewrite of the whole chain is named."""

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from tests.conftest import ROOT
from tests.factories import SAMPLE_NOW, case_in_state, new_case
from triggers.audit import GENESIS, HEAD_ID, chain_fields, columns_of, verify_chain
from triggers.audit_anchor import AnchorError, audit_key
from triggers.config import load_config
from triggers.db import make_session_factory, read_session, write_transaction
from triggers.models import AuditChain, AuditEvent
from web.cli import main
from workflows.scheduler import checkpoint_job

KEY = "a3f9c1d27e5b48a0b6c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1"


@pytest.fixture
def anchored(tmp_path, database_url):
    """The shipped config with a checkpoint file in a folder of the test's own."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('checkpoint_file = ""', 'checkpoint_file = "checkpoints.jsonl"', 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def casereview(config_path, database_url, *args: str, key: str | None = KEY):
    env = {"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(config_path)}
    env["CASEREVIEW_AUDIT_KEY"] = key  # None unsets it for the command
    return CliRunner().invoke(main, list(args), env=env)


def rewrite_from(engine, first_id: int, **edit) -> None:
    """What a DBA with a script can do: edit one event, recompute every later link and the
    head, so that every link holds again."""
    with engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.id == first_id).values(**edit))
    with write_transaction(make_session_factory(engine)) as session:
        previous = session.scalar(
            select(AuditEvent.hash)
            .where(AuditEvent.id < first_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        previous = previous or GENESIS
        for audit in session.scalars(
            select(AuditEvent).where(AuditEvent.id >= first_id).order_by(AuditEvent.id)
        ).all():
            fields = chain_fields(previous, columns_of(audit))
            session.execute(update(AuditEvent).where(AuditEvent.id == audit.id).values(**fields))
            previous = fields["hash"]
        session.execute(
            update(AuditChain).where(AuditChain.id == HEAD_ID).values(last_hash=previous)
        )


def event_ids(sessions) -> list[int]:
    with read_session(sessions) as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_a_chain_rewritten_from_one_event_is_named_against_the_checkpoint(
    engine, sessions, partnership, policy, anchored, database_url
):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    first = casereview(anchored, database_url, "audit", "checkpoint")
    assert first.exit_code == 0, first.output
    vouched_for = event_ids(sessions)[-1]
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "withdrawn")
    assert casereview(anchored, database_url, "audit", "checkpoint").exit_code == 0
    ids = event_ids(sessions)
    assert casereview(anchored, database_url, "audit", "verify").exit_code == 0
    rewrite_from(engine, ids[ids.index(vouched_for) + 1], actor="someone@else.org")
    with read_session(sessions) as session:
        assert verify_chain(session).intact  # the links alone are fooled
    verified = casereview(anchored, database_url, "audit", "verify")
    assert verified.exit_code == 1
    assert "Every link of the audit trail holds" in verified.output
    assert (
        f"event {ids[-1]}, number {len(ids)} of the trail, is not the one the checkpoint of"
        in verified.output
    )
    assert f"after event {vouched_for}, which an earlier checkpoint vouches for" in (
        verified.output
    )
    assert "the audit trail was altered" in verified.output
    assert "intact" not in verified.output


def test_a_chain_cut_shorter_than_a_checkpoint_is_named(
    engine, sessions, partnership, policy, anchored, database_url
):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    assert casereview(anchored, database_url, "audit", "checkpoint").exit_code == 0
    ids = event_ids(sessions)
    with engine.begin() as connection:  # the tail dropped, and the head moved back to match
        connection.execute(delete(AuditEvent).where(AuditEvent.id >= ids[-2]))
        head = connection.scalar(select(AuditEvent.hash).where(AuditEvent.id == ids[-3]))
        connection.execute(update(AuditChain).values(last_hash=head))
    verified = casereview(anchored, database_url, "audit", "verify")
    assert verified.exit_code == 1
    assert (
        f"counted {len(ids)} events and the trail now has {len(ids) - 2}: events written "
        "before that checkpoint were removed" in verified.output
    )


def test_a_forged_or_altered_checkpoint_is_reported(
    sessions, partnership, policy, anchored, database_url
):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    assert casereview(anchored, database_url, "audit", "checkpoint").exit_code == 0
    checkpoints = anchored.parent / "checkpoints.jsonl"
    line = json.loads(checkpoints.read_text())
    forged = {**line, "events": 1}  # a checkpoint saying less, to excuse a cut trail
    with checkpoints.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
        handle.write("not a checkpoint\n")
    verified = casereview(anchored, database_url, "audit", "verify")
    assert verified.exit_code == 1
    assert "line 2 (the checkpoint of" in verified.output
    assert "has a signature that does not match: it was forged or altered" in verified.output
    assert "line 3 is not a checkpoint" in verified.output
    # and signed with another key, a true checkpoint is not believed either
    other = casereview(anchored, database_url, "audit", "verify", key=KEY[::-1])
    assert other.exit_code == 1 and "line 1 (the checkpoint of" in other.output


def test_without_a_key_verify_says_the_checkpoints_could_not_be_checked(
    sessions, partnership, policy, anchored, database_url
):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    verified = casereview(anchored, database_url, "audit", "verify", key=None)
    assert verified.exit_code == 2
    assert "intact" not in verified.output
    assert "could not be checked against signed checkpoints" in verified.output
    assert "no key configured: set CASEREVIEW_AUDIT_KEY" in verified.output
    written = casereview(anchored, database_url, "audit", "checkpoint", key=None)
    assert written.exit_code == 1 and "no key configured" in written.output
    none_yet = casereview(anchored, database_url, "audit", "verify")
    assert none_yet.exit_code == 2
    assert "no checkpoint has been written to" in none_yet.output


def test_a_short_or_missing_key_is_a_clear_error(tmp_path, anchored):
    config = load_config(anchored, environ={})
    with pytest.raises(AnchorError, match="use at least 32"):
        audit_key(config, {"CASEREVIEW_AUDIT_KEY": "secret"})
    (tmp_path / "config.toml").write_text(
        anchored.read_text().replace('key_file = ""', 'key_file = "audit.key"', 1)
    )
    config = load_config(tmp_path / "config.toml", environ={})
    with pytest.raises(AnchorError, match=r"audit\.key cannot be read"):
        audit_key(config, {})
    (tmp_path / "audit.key").write_text(KEY + "\n")
    assert audit_key(config, {}) == KEY.encode()


def test_the_scheduler_writes_a_checkpoint_when_the_trail_moved(
    sessions, partnership, policy, anchored, monkeypatch
):
    monkeypatch.setenv("CASEREVIEW_AUDIT_KEY", KEY)
    config = load_config(anchored, environ={})
    checkpoints = anchored.parent / "checkpoints.jsonl"
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    checkpoint_job(sessions, config, lambda: SAMPLE_NOW)
    checkpoint_job(sessions, config, lambda: SAMPLE_NOW + timedelta(hours=1))
    assert len(checkpoints.read_text().splitlines()) == 1  # nothing new: nothing written
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy, received_on=date(2025, 11, 20))
    checkpoint_job(sessions, config, lambda: SAMPLE_NOW + timedelta(hours=2))
    lines = [json.loads(line) for line in checkpoints.read_text().splitlines()]
    assert [line["events"] for line in lines] == [lines[0]["events"], len(event_ids(sessions))]


def test_no_checkpoint_is_signed_for_a_trail_that_no_longer_holds(
    engine, sessions, partnership, policy, anchored, database_url
):
    """The scheduler checks only what was written since the last checkpoint, and refuses to
    vouch for a trail that does not pass through it: a rewrite is noticed within one
    interval, and never blessed."""
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    assert casereview(anchored, database_url, "audit", "checkpoint").exit_code == 0
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy, received_on=date(2025, 11, 20))
    ids = event_ids(sessions)
    with engine.begin() as connection:  # an edit since the checkpoint, links not redone
        connection.execute(update(AuditEvent).where(AuditEvent.id == ids[-1]).values(actor="x"))
    refused = casereview(anchored, database_url, "audit", "checkpoint")
    assert refused.exit_code == 1
    assert f"event {ids[-1]} was changed after it was written; no checkpoint signed" in (
        refused.output
    )
    rewrite_from(engine, ids[0], actor="someone@else.org")  # now the links hold again
    refused = casereview(anchored, database_url, "audit", "checkpoint")
    assert refused.exit_code == 1
    assert "the trail no longer matches the checkpoint of" in refused.output
    assert len((anchored.parent / "checkpoints.jsonl").read_text().splitlines()) == 1
