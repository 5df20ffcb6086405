"""The audit trail is tamper-evident: a change behind the service's back is found and named."""

import threading
from datetime import date

from alembic import command
from sqlalchemy import delete, select, text, update

from tests.factories import MANAGER, case_in_state, new_case
from triggers.audit import GENESIS, event_hash, verify_chain
from triggers.db import make_engine, make_session_factory, read_session, write_transaction
from triggers.models import AuditEvent
from triggers.schema import _alembic_config, upgrade


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
