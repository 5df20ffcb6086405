"""The audit trail is tamper-evident: a change behind the service's back is found and named."""

import json
import threading
from datetime import date, datetime

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import delete, inspect, select, text, update

from tests.factories import MANAGER, SAMPLE_NOW, case_in_state, new_case
from triggers.audit import (
    GENESIS,
    BrokenTrail,
    append_events,
    digest_before_0010,
    event_hash,
    link_hash,
    verify_chain,
)
from triggers.db import make_engine, make_session_factory, read_session, write_transaction
from triggers.models import AuditEvent
from triggers.schema import _alembic_config, upgrade
from web.cli import main


def verify(sessions):
    with read_session(sessions) as session:
        return verify_chain(session)


def events(sessions) -> list[AuditEvent]:
    with read_session(sessions) as session:
        found = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        session.expunge_all()
        return found


def test_each_event_carries_the_hash_of_the_one_before(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
        case_in_state(session, partnership, policy, "withdrawn")
    written = events(sessions)
    assert len(written) >= 8
    previous = GENESIS
    for audit in written:
        assert audit.prev_hash == previous
        assert audit.hash == event_hash(previous, audit)
        previous = audit.hash
    report = verify(sessions)
    assert report.intact and report.events == len(written)


def test_an_event_changed_in_the_database_is_named(engine, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    third = events(sessions)[2].id
    with engine.begin() as connection:
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == third).values(actor="someone@else.org")
        )
    report = verify(sessions)
    assert not report.intact and report.broken_at == third
    assert "was changed after it was written" in report.reason


def test_an_event_deleted_from_the_middle_is_found(engine, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    written = events(sessions)
    with engine.begin() as connection:
        connection.execute(delete(AuditEvent).where(AuditEvent.id == written[2].id))
    report = verify(sessions)
    assert report.broken_at == written[3].id and "does not follow" in report.reason


def test_events_cut_from_the_end_are_found(engine, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    written = events(sessions)
    with engine.begin() as connection:
        connection.execute(delete(AuditEvent).where(AuditEvent.id == written[-1].id))
    report = verify(sessions)
    assert not report.intact and "the latest events were removed" in report.reason


def test_an_event_is_written_one_way_only(sessions, partnership, policy):
    """An event added as an ORM object would skip the chain's lock and links: refused, and
    nothing of its transaction is written."""
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
    before = len(events(sessions))
    sideways = AuditEvent(
        partnership_id=partnership.id, at=SAMPLE_NOW, actor=MANAGER.label, event="x", data={}
    )
    with (
        pytest.raises(RuntimeError, match="append_events only"),
        write_transaction(sessions) as session,
    ):
        session.add(sideways)
    assert len(events(sessions)) == before
    assert verify(sessions).intact


def test_a_batch_of_events_is_linked_in_order(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        append_events(
            session,
            [
                {"partnership_id": partnership.id, "at": SAMPLE_NOW, "actor": "t", "event": name}
                for name in ("first", "second", "third")
            ],
        )
    written = events(sessions)
    assert [audit.event for audit in written] == ["first", "second", "third"]
    assert verify(sessions).intact and verify(sessions).events == 3


def test_writers_at_the_same_moment_never_fork_the_chain(sessions, partnership, policy):
    errors: list[BaseException] = []

    def open_cases() -> None:
        try:
            for _ in range(10):
                with write_transaction(sessions) as session:
                    new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_cases) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify(sessions)
    assert report.intact and report.events == 30


def test_the_upgrade_chains_the_events_written_before_it(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        connection.execute(
            text(
                "INSERT INTO partnerships (name, code, created_at) "
                "VALUES ('Old CSP', 'OC', '2024-01-01 00:00:00')"
            )
        )
        for event in ("open", "acknowledge"):
            connection.execute(
                text(
                    "INSERT INTO audit_events (partnership_id, at, actor, event, from_state, "
                    "to_state, data) VALUES (1, '2025-12-01 10:00:00.000000', :actor, :event, "
                    "'', '', '{}')"
                ),
                {"actor": MANAGER.label, "event": event},
            )
    upgrade(engine)
    report = verify(make_session_factory(engine))
    assert report.intact and report.events == 2
    engine.dispose()


def _holds_under_the_old_digest(engine) -> bool:
    """Revisions 0006 to 0009: one digest over everything, trusted as stored once redacted."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events ORDER BY id")).mappings()
        previous = GENESIS
        for row in rows:
            row = dict(row)
            row["at"] = row["at"] if not isinstance(row["at"], str) else _parse(row["at"])
            row["step_on"] = _day(row["step_on"])
            row["data"] = row["data"] if isinstance(row["data"], dict) else _json(row["data"])
            digest = row["content_hash"] if row["redacted_on"] else digest_before_0010(row)
            if row["prev_hash"] != previous or row["hash"] != link_hash(previous, digest):
                return False
            previous = row["hash"]
        head = connection.scalar(text("SELECT last_hash FROM audit_chain"))
    return head == previous


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _day(value: object) -> object:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: str) -> dict:
    return json.loads(value)


@pytest.fixture
def trail_with_a_redaction(engine, sessions, partnership, policy):
    """A closed case anonymised by retention, and a case still open; the schema put back at
    the head after the test whatever happens."""
    from workflows.retention import run_retention

    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
        new_case(session, partnership, policy, received_on=date(2025, 11, 20))
    with write_transaction(sessions) as session:
        run_retention(session, policy, SAMPLE_NOW.replace(year=2035))
    with read_session(sessions) as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.redacted_on.is_not(None))), (
            "retention redacted nothing: the test would prove nothing"
        )
    config = _alembic_config()
    yield config
    upgrade(engine)


def _downgrade(engine, config, revision: str) -> None:
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_0010_upgrade_relinks_a_trail_written_under_the_old_digest(
    engine, sessions, trail_with_a_redaction
):
    before = verify(sessions)
    _downgrade(engine, trail_with_a_redaction, "0009")
    assert _holds_under_the_old_digest(engine)
    upgrade(engine)
    after = verify(sessions)
    assert after.intact and after.events == before.events


def test_the_0010_upgrade_refuses_to_relink_a_broken_trail(
    engine, sessions, trail_with_a_redaction
):
    """Re-linking a trail edited under the old digest would launder the edit."""
    _downgrade(engine, trail_with_a_redaction, "0009")
    with engine.connect() as connection:
        third = connection.scalars(
            text("SELECT id FROM audit_events WHERE redacted_on IS NULL ORDER BY id")
        ).first()
    edit = text("UPDATE audit_events SET actor = :actor WHERE id = :id")
    with engine.begin() as connection:
        actor = connection.scalar(
            text("SELECT actor FROM audit_events WHERE id = :id"), {"id": third}
        )
        connection.execute(edit, {"actor": "someone@else.org", "id": third})
    with pytest.raises(BrokenTrail, match=f"does not hold at event {third}"):
        upgrade(engine)
    initialised = CliRunner().invoke(
        main, ["init"], env={"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    )
    assert initialised.exit_code == 1
    assert f"casereview: error: the audit trail does not hold at event {third}" in (
        initialised.output
    )
    with engine.connect() as connection:  # nothing half-done: still at 0009, old links
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0009"
        columns = inspect(connection).get_columns("audit_events")
        assert "text_hash" not in [column["name"] for column in columns]
    with engine.begin() as connection:  # put back, so that the schema can go back to head
        connection.execute(edit, {"actor": actor, "id": third})
