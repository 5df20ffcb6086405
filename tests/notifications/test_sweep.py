"""Delivering the outbox to a real SMTP server: nothing lost, nothing sent twice."""

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import MANAGER, at, case_in_state, new_case
from triggers.db import write_transaction
from triggers.models import AuditEvent, OutboxMessage
from workflows.service import apply
from workflows.sweep import retry_by_hand, sweep

NOW = at(2025, 12, 1, 9)


def statuses(sessions) -> dict[str, int]:
    with write_transaction(sessions) as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return dict(rows)


def acknowledged_case(sessions, partnership, policy) -> str:
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 11, 27), now=at(2025, 11, 27)
        )
        apply(session, case, "acknowledge", {"on": "2025-11-28"}, MANAGER, at(2025, 11, 28), policy)
        return case.reference


def test_letters_are_delivered_once_and_recorded_on_the_timeline(
    sessions, partnership, policy, smtp, mailbox, people
):
    reference = acknowledged_case(sessions, partnership, policy)
    result = sweep(sessions, policy, smtp, NOW)
    assert result.sent == 3 and result.failed == result.retrying == 0
    assert sorted(mailbox.subjects()) == sorted(
        [
            f"Your application for an ASB case review ({reference})",
            f"ASB case review {reference}: please send your chronology",
            f"ASB case review {reference}: please send your chronology",
        ]
    )
    assert sorted(m["To"] for m in mailbox.messages) == [
        "alex@example.org",
        "asb.team@example.org",
        "neighbourhood.policing@example.org",
    ]
    # A second sweep, and a third, send nothing more.
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=1))
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=2))
    assert len(mailbox.messages) == 3
    with write_transaction(sessions) as session:
        sent = session.scalars(select(AuditEvent).where(AuditEvent.event == "message_sent")).all()
    assert {event.data["message_id"] for event in sent} == set(mailbox.ids())
    assert all(event.actor == "smtp sender" for event in sent)


def test_a_temporary_failure_is_retried_with_backoff(sessions, partnership, policy, smtp, mailbox):
    acknowledged_case(sessions, partnership, policy)
    mailbox.fail_next = ["451 4.3.0 Try later"] * 3
    result = sweep(sessions, policy, smtp, NOW)
    assert (result.sent, result.retrying) == (0, 3)
    with write_transaction(sessions) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {row.last_error for row in rows} == {"SMTP 451 4.3.0 Try later"}
        assert {row.send_after for row in rows} == {NOW + timedelta(seconds=60)}
    # Thirty seconds later nothing is due; after the minute, all three go.
    assert sweep(sessions, policy, smtp, NOW + timedelta(seconds=30)).sent == 0
    assert sweep(sessions, policy, smtp, NOW + timedelta(seconds=61)).sent == 3
    assert statuses(sessions) == {"sent": 3}


def test_after_the_last_attempt_a_message_is_failed_visible_and_can_be_retried(
    sessions, partnership, policy, smtp, mailbox
):
    acknowledged_case(sessions, partnership, policy)
    mailbox.refuse_rcpt = {"alex@example.org"}
    moment = NOW
    for _ in range(3):  # max_attempts = 3 in these tests: 1, then +60 s, then +120 s
        sweep(sessions, policy, smtp, moment)
        moment += timedelta(minutes=5)
    assert statuses(sessions) == {"sent": 2, "failed": 1}
    with write_transaction(sessions) as session:
        failed = session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "failed")
        ).one()
        assert failed.attempts == 3
        assert "550 No such user" in failed.last_error or "No such user" in failed.last_error
        failed_id = failed.id
    mailbox.refuse_rcpt = set()
    with write_transaction(sessions) as session:
        retry_by_hand(session, failed_id, moment)
    assert sweep(sessions, policy, smtp, moment).sent == 1
    assert statuses(sessions) == {"sent": 3}


def test_a_refused_connection_loses_nothing(sessions, partnership, policy, mailbox, smtp):
    from notifications.senders import SmtpSender
    from tests.notifications.conftest import free_port

    acknowledged_case(sessions, partnership, policy)
    nowhere = SmtpSender("127.0.0.1", free_port(), "community.safety@example.org", timeout=2)
    result = sweep(sessions, policy, nowhere, NOW)
    assert result.retrying == 3
    with write_transaction(sessions) as session:
        errors = set(session.scalars(select(OutboxMessage.last_error)))
    assert len(errors) == 1 and "cannot connect to SMTP server" in errors.pop()
    assert sweep(sessions, policy, smtp, NOW + timedelta(minutes=2)).sent == 3


def test_the_same_message_keeps_its_message_id_across_attempts(
    sessions, partnership, policy, smtp, mailbox
):
    acknowledged_case(sessions, partnership, policy)
    from notifications.compose import message_id

    with write_transaction(sessions) as session:
        first = {
            row.id: message_id(row, policy.config) for row in session.scalars(select(OutboxMessage))
        }
    mailbox.fail_next = ["421 4.7.0 Closing"] * 3
    sweep(sessions, policy, smtp, NOW)
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=2))
    assert sorted(mailbox.ids()) == sorted(first.values())


def test_two_sweeps_at_once_send_every_message_exactly_once(
    sessions, partnership, policy, smtp, mailbox
):
    with write_transaction(sessions) as session:
        for _ in range(20):  # 20 acknowledged cases: 60 letters due
            case = new_case(
                session, partnership, policy, received_on=date(2025, 11, 27), now=at(2025, 11, 27)
            )
            apply(session, case, "acknowledge", {"on": "2025-11-28"}, MANAGER, NOW, policy)
    mailbox.delay_seconds = 0.005
    barrier = threading.Barrier(2)
    results = []

    def run(worker: str) -> None:
        barrier.wait()
        results.append(sweep(sessions, policy, smtp, NOW, worker=worker, batch=5))

    threads = [threading.Thread(target=run, args=(f"sweeper-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(result.sent for result in results) == 60
    assert len(mailbox.ids()) == 60 and len(set(mailbox.ids())) == 60
    assert statuses(sessions) == {"sent": 60}


def test_a_letter_for_a_step_that_failed_is_never_queued(
    sessions, partnership, policy, smtp, mailbox
):
    import pytest

    from workflows.errors import ThresholdFloorMet

    with write_transaction(sessions) as session:
        case_id = case_in_state(session, partnership, policy, "acknowledged").id
    sweep(sessions, policy, smtp, NOW)
    before = len(mailbox.messages)
    with pytest.raises(ThresholdFloorMet), write_transaction(sessions) as session:
        from triggers.models import CaseReview

        apply(
            session,
            session.get(CaseReview, case_id),
            "decide_threshold",
            {"decision": "not_met", "rationale": "Not persistent enough."},
            MANAGER,
            NOW,
            policy,
        )
    sweep(sessions, policy, smtp, NOW + timedelta(minutes=1))
    assert len(mailbox.messages) == before


def test_a_failed_message_shows_on_the_case_and_is_retried_through_the_api(
    client, auth, sessions, partnership, policy, smtp, mailbox
):
    reference = acknowledged_case(sessions, partnership, policy)
    mailbox.refuse_rcpt = {"alex@example.org"}
    for minutes in (0, 5, 10):
        sweep(sessions, policy, smtp, NOW + timedelta(minutes=minutes))
    case = client.get(f"/api/v1/cases/{reference}", headers=auth).json
    failed = [m for m in case["messages"] if m["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["kind"] == "acknowledgement"
    assert "No such user" in failed[0]["last_error"]
    listed = client.get("/api/v1/outbox?status=failed", headers=auth).json["messages"]
    assert [m["id"] for m in listed] == [failed[0]["id"]]
    mailbox.refuse_rcpt = set()
    response = client.post(f"/api/v1/outbox/{failed[0]['id']}/retry", headers=auth)
    assert response.status_code == 200 and response.json["status"] == "pending"
    assert client.post(f"/api/v1/outbox/{failed[0]['id']}/retry", headers=auth).status_code == 200
    sweep(sessions, policy, smtp, NOW + timedelta(hours=2))  # after the retry (10:00)
    case = client.get(f"/api/v1/cases/{reference}", headers=auth).json
    assert {m["status"] for m in case["messages"]} == {"sent"}
    assert client.post("/api/v1/outbox/99999/retry", headers=auth).status_code == 404


def test_a_permanent_refusal_on_data_is_retried_then_failed(
    sessions, partnership, policy, smtp, mailbox
):
    acknowledged_case(sessions, partnership, policy)
    mailbox.fail_next = ["554 5.6.0 Message rejected"] * 9
    for minutes in (0, 5, 10):
        sweep(sessions, policy, smtp, NOW + timedelta(minutes=minutes))
    assert statuses(sessions) == {"failed": 3}
    with write_transaction(sessions) as session:
        assert set(session.scalars(select(OutboxMessage.last_error))) == {
            "SMTP 554 5.6.0 Message rejected"
        }
