"""Retention: personal data goes after the retention period; the published figures stay."""

from datetime import date

import pytest
from sqlalchemy import func, select, update

from tests.factories import MANAGER, SAMPLE_NOW, application, event_data
from triggers.audit import verify_chain
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year, report
from triggers.models import AuditEvent, CaseReview, OutboxMessage
from workflows.retention import run_retention
from workflows.scheduler import retention_job
from workflows.service import apply, open_case

#: SAMPLE_NOW is 1 December 2025: with 6 years, cases that ended by 1 December 2019 are due.
STEPS_TO_CLOSED = [
    ("acknowledge", "2019-05-03", {}),
    ("decide_threshold", "2019-05-10", {}),
    ("schedule_panel", "2019-05-13", {"panel_on": "2019-06-03"}),
    (
        "record_review",
        "2019-06-03",
        {
            "recommendations": [
                {
                    "agency": "Leicestershire Police",
                    "action": "Visit Mrs Ellis weekly",
                    "due_on": "2019-07-01",
                }
            ]
        },
    ),
    ("send_findings", "2019-06-05", {}),
    ("close", "2019-11-29", {"reason": "Mrs Ellis moved to 3 Mill Lane."}),
]


def closed_case(session, partnership, policy, steps=STEPS_TO_CLOSED) -> str:
    data = application(
        date(2019, 5, 1), ward="Syston West", dissatisfaction="Nobody came about number 12."
    )
    data["victim"].update(
        name="Margaret Ellis",
        address="12 Brook Street",
        postcode="LE11 1AA",
        phone="01509 111111",
        accessibility_needs="Large print",
    )
    case = open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
    for event, on, extra in steps:
        apply(
            session,
            case,
            event,
            {**event_data(case, event), **extra, "on": on},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    return case.reference


def figures(sessions, config) -> list[dict]:
    with read_session(sessions) as session:
        return [report(session, performance_year(y), config).as_dict() for y in (2018, 2019)]


def test_personal_data_goes_and_the_figures_stay(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        old = closed_case(session, partnership, policy)
        recent = closed_case(
            session,
            partnership,
            policy,
            [*STEPS_TO_CLOSED[:-1], ("close", "2019-12-02", {"reason": "Action plan done."})],
        )
    before = figures(sessions, config)
    assert (
        before[1]["applications_received"] == 2 and before[1]["reviews_with_recommendations"] == 2
    )

    with write_transaction(sessions) as session:
        result = run_retention(session, policy, SAMPLE_NOW)
    assert result.references == [old]
    assert result.closed_on_or_before == date(2019, 12, 1)
    assert figures(sessions, config) == before

    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == old))
        assert case.anonymised_on == SAMPLE_NOW.date()
        assert (case.victim.name, case.victim.address, case.victim.postcode) == ("", "", "")
        assert case.victim.accessibility_needs == "" and case.dissatisfaction == ""
        assert all(incident.description == "" for incident in case.incidents)
        assert all(c.reporter == "" for i in case.incidents for c in i.complaints)
        assert case.recommendations[0].action == "" and case.end_reason == ""
        assert case.threshold_decisions[0].rationale == ""
        assert (case.ward, case.state, case.panels[0].recommendation_count) == (
            "Syston West",
            "closed",
            1,
        )
        trail = session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        ).all()
        assert all(e.data == {"redacted": True} for e in trail if e.event != "anonymised")
        assert trail[-1].event == "anonymised" and trail[-1].actor == "retention"
        letters = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.case_id == case.id)
        )
        assert all(payload == {"redacted": True} for payload in letters)
        kept = session.scalar(select(CaseReview).where(CaseReview.reference == recent))
        assert kept.victim.name == "Margaret Ellis" and kept.anonymised_on is None
        assert verify_chain(session).intact


def test_a_second_run_and_a_dry_run_change_nothing(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        closed_case(session, partnership, policy)
    with write_transaction(sessions) as session:
        dry = run_retention(session, policy, SAMPLE_NOW, dry_run=True)
    assert len(dry.references) == 1
    with read_session(sessions) as session:
        assert (
            session.scalar(select(func.count()).where(CaseReview.anonymised_on.is_not(None))) == 0
        )
    with write_transaction(sessions) as session:
        assert len(run_retention(session, policy, SAMPLE_NOW).references) == 1
    with write_transaction(sessions) as session:
        assert run_retention(session, policy, SAMPLE_NOW).references == []


def test_a_redacted_event_is_still_guarded_by_the_chain(engine, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        closed_case(session, partnership, policy)
    with write_transaction(sessions) as session:
        run_retention(session, policy, SAMPLE_NOW)
    with engine.begin() as connection:
        redacted = connection.scalar(
            select(AuditEvent.id).where(AuditEvent.redacted_on.is_not(None)).order_by(AuditEvent.id)
        )
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == redacted).values(content_hash="0" * 64)
        )
    with read_session(sessions) as session:
        report_ = verify_chain(session)
    assert report_.broken_at == redacted


def test_the_daily_job_anonymises(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        reference = closed_case(session, partnership, policy)
    retention_job(sessions, policy, lambda: SAMPLE_NOW)
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert case.anonymised_on is not None


def test_retention_from_the_command_line(run, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        reference = closed_case(session, partnership, policy)
    dry = run("retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would be anonymised: {reference}" in dry.output
    done = run("retention", "run")
    assert f"anonymised: {reference}" in done.output and "6 years ago" in done.output


@pytest.mark.parametrize("years", [0, 101])
def test_the_retention_period_is_checked(years):
    from triggers.config import ConfigError, config_from_dict

    with pytest.raises(ConfigError, match="years_after_closure"):
        config_from_dict({"retention": {"years_after_closure": years}})


def _redacted_and_plain(sessions) -> tuple[int, int]:
    """The first redacted event and the first event of a case not anonymised."""
    with read_session(sessions) as session:
        redacted = session.scalar(
            select(AuditEvent.id).where(AuditEvent.redacted_on.is_not(None)).order_by(AuditEvent.id)
        )
        kept = session.scalar(
            select(AuditEvent.id)
            .join(CaseReview, CaseReview.id == AuditEvent.case_id)
            .where(CaseReview.anonymised_on.is_(None))
            .order_by(AuditEvent.id)
        )
    return redacted, kept


@pytest.mark.parametrize(
    "edit",
    [
        {"actor": "someone@else.org"},
        {"client_address": "203.0.113.9"},
        {"event": "view"},
        {"data": {"reason": "Written in later."}},
        {"from_state": "received", "to_state": "closed"},
        {"step_on": date(2019, 1, 1)},
    ],
)
def test_a_redacted_event_edited_behind_the_services_back_is_named(
    engine, sessions, partnership, policy, edit
):
    """Redaction may remove the free text and nothing else: every other column stays
    checked, and the free text may not be written back in."""
    with write_transaction(sessions) as session:
        closed_case(session, partnership, policy)
    with write_transaction(sessions) as session:
        run_retention(session, policy, SAMPLE_NOW)
    redacted, _ = _redacted_and_plain(sessions)
    with engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.id == redacted).values(**edit))
    with read_session(sessions) as session:
        report_ = verify_chain(session)
    assert report_.broken_at == redacted, report_


def test_marking_an_event_redacted_hides_no_edit(engine, sessions, partnership, policy):
    """``redacted_on`` set by hand on a case nobody anonymised: the free text emptied or
    rewritten is named, since the chain records no anonymisation of that case."""
    with write_transaction(sessions) as session:
        closed_case(session, partnership, policy)
        open_case(session, partnership, application(), MANAGER, SAMPLE_NOW, policy)
    with write_transaction(sessions) as session:
        run_retention(session, policy, SAMPLE_NOW)
    _, kept = _redacted_and_plain(sessions)
    for data in ({"redacted": True}, {"reason": "Written in later."}):
        with engine.begin() as connection:
            connection.execute(
                update(AuditEvent)
                .where(AuditEvent.id == kept)
                .values(redacted_on=SAMPLE_NOW.date(), data=data)
            )
        with read_session(sessions) as session:
            report_ = verify_chain(session)
        assert report_.broken_at == kept, report_


def test_a_redaction_undone_by_hand_is_named(engine, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        closed_case(session, partnership, policy)
    with write_transaction(sessions) as session:
        run_retention(session, policy, SAMPLE_NOW)
    redacted, _ = _redacted_and_plain(sessions)
    with engine.begin() as connection:
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == redacted).values(redacted_on=None)
        )
    with read_session(sessions) as session:
        assert verify_chain(session).broken_at == redacted
