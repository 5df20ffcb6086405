"""Closing a case (workflows/closing.py): not while the appeal window is open without the
applicant's agreement (Schedule 4 paragraph 3), and not with a recommendation left open
without a reason. Walked through the service, the one path every channel takes."""

from datetime import date

import pytest

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, at, case_in_state
from triggers.db import write_transaction
from triggers.models import AuditEvent
from workflows.action_plan import update_recommendation
from workflows.errors import InvalidData
from workflows.extensions import extend_deadline
from workflows.service import apply

#: The findings go on 1 December 2025 (case_in_state): the appeal window's 20 working days
#: run to 31 December 2025 (Christmas Day and Boxing Day are bank holidays).
WINDOW_ENDS = date(2025, 12, 31)
AFTER_WINDOW = at(2026, 1, 5)


def findings_sent(session, partnership, policy):
    case = case_in_state(session, partnership, policy, "findings_sent")
    window = next(d for d in case.deadlines if d.step == "appeal_window")
    assert window.due_on == WINDOW_ENDS
    return case


def settle_all(case, status="done", **extra):
    return [{"id": rec.id, "status": status, **extra} for rec in case.recommendations]


def test_closing_while_the_appeal_window_is_open_is_refused_and_changes_nothing(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        version = case.version
        data = {**EVENT_DATA["close"], "recommendations": settle_all(case)}
        with pytest.raises(InvalidData) as refused:
            apply(session, case, "close", data, MANAGER, SAMPLE_NOW, policy)
        message = refused.value.fields["applicant_agreed_on"]
        assert "31 December 2025" in message and "Schedule 4" in message
        assert case.state == "findings_sent" and case.version == version
        assert all(rec.status == "open" for rec in case.recommendations)


def test_the_applicants_recorded_agreement_lets_it_close_early(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {
            **EVENT_DATA["close"],
            "applicant_agreed_on": "2025-12-01",
            "recommendations": settle_all(case),
        }
        apply(session, case, "close", data, MANAGER, SAMPLE_NOW, policy)
        assert case.state == "closed"
        assert case.early_close_agreed_on == date(2025, 12, 1)
        last = case_events(session, case)[-1]
        assert last.data["applicant_agreed_on"] == "2025-12-01"
        assert last.data["appeal_window_ends_on"] == "2025-12-31"


def test_an_agreement_dated_after_the_close_is_refused(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {
            **EVENT_DATA["close"],
            "on": "2025-12-01",
            "applicant_agreed_on": "2025-12-02",
            "recommendations": settle_all(case),
        }
        with pytest.raises(InvalidData, match="after the close"):
            apply(session, case, "close", data, MANAGER, at(2025, 12, 3), policy)


def test_once_the_window_has_passed_no_agreement_is_needed(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {**EVENT_DATA["close"], "recommendations": settle_all(case)}
        apply(session, case, "close", data, MANAGER, AFTER_WINDOW, policy)
        assert case.state == "closed" and case.early_close_agreed_on is None


def test_the_last_day_of_the_window_is_still_open(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {**EVENT_DATA["close"], "recommendations": settle_all(case)}
        with pytest.raises(InvalidData, match="applicant"):
            apply(session, case, "close", data, MANAGER, at(2025, 12, 31), policy)
        apply(session, case, "close", data, MANAGER, at(2026, 1, 2), policy)
        assert case.state == "closed"


def test_a_not_met_case_keeps_its_appeal_window_too(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        with pytest.raises(InvalidData) as refused:
            apply(session, case, "close", EVENT_DATA["close"], MANAGER, SAMPLE_NOW, policy)
        assert set(refused.value.fields) == {"applicant_agreed_on"}
        apply(session, case, "close", EVENT_DATA["close"], MANAGER, AFTER_WINDOW, policy)
        assert case.state == "closed"


def test_an_open_recommendation_without_a_reason_is_refused_by_name(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        with pytest.raises(InvalidData) as refused:
            apply(session, case, "close", EVENT_DATA["close"], MANAGER, AFTER_WINDOW, policy)
        message = refused.value.fields["recommendations"]
        assert "Leicestershire Police: Flag the address" in message
        assert "superseded" in message and "have regard" in message
        assert case.state == "findings_sent"


@pytest.mark.parametrize(
    ("settled", "field"),
    [
        ({"status": "superseded"}, "recommendations.0.reason"),
        ({"status": "refused", "reason": "Not ours"}, "recommendations.0.agency_response"),
        ({"status": "dropped"}, "recommendations.0.status"),
    ],
)
def test_each_way_of_settling_needs_its_own_reason(sessions, partnership, policy, settled, field):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {
            **EVENT_DATA["close"],
            "recommendations": [{"id": case.recommendations[0].id, **settled}],
        }
        with pytest.raises(InvalidData) as refused:
            apply(session, case, "close", data, MANAGER, AFTER_WINDOW, policy)
        assert field in refused.value.fields


def test_a_refusal_is_recorded_with_the_agencys_response(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        response = "Considered with regard to the panel's view; flags are not used for this."
        data = {
            **EVENT_DATA["close"],
            "recommendations": settle_all(case, "refused", agency_response=response),
        }
        apply(session, case, "close", data, MANAGER, AFTER_WINDOW, policy)
        rec = case.recommendations[0]
        assert (rec.status, rec.agency_response) == ("refused", response)


def test_a_recommendation_that_is_not_the_cases_is_refused(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        data = {
            **EVENT_DATA["close"],
            "recommendations": [*settle_all(case), {"id": 999_999, "status": "done"}],
        }
        with pytest.raises(InvalidData) as refused:
            apply(session, case, "close", data, MANAGER, AFTER_WINDOW, policy)
        assert "is not one of this case's" in refused.value.fields["recommendations.1.id"]


def test_recommendations_settled_beforehand_need_nothing_more(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        rec = case.recommendations[0]
        with pytest.raises(InvalidData, match="superseded"):
            update_recommendation(
                session, case, rec.id, {"status": "superseded"}, MANAGER, SAMPLE_NOW, policy
            )
        update_recommendation(
            session,
            case,
            rec.id,
            {"status": "superseded", "reason": "Replaced by the council's injunction."},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        apply(session, case, "close", EVENT_DATA["close"], MANAGER, AFTER_WINDOW, policy)
        assert case.state == "closed"
        assert rec.closing_reason == "Replaced by the council's injunction."


def case_events(session, case):
    return session.query(AuditEvent).filter_by(case_id=case.id).order_by(AuditEvent.id).all()


def test_an_agreed_extension_of_the_window_keeps_it_open_longer(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = findings_sent(session, partnership, policy)
        extension = {
            "deadline": "appeal_window",
            "kind": "extension",
            "due_on": "2026-01-15",
            "reason": "The applicant is abroad until January and wants time to consider.",
            "requested_by": "victim",
            "victim_agreed": True,
        }
        extend_deadline(session, case, extension, MANAGER, SAMPLE_NOW, policy)
        data = {**EVENT_DATA["close"], "recommendations": settle_all(case)}
        with pytest.raises(InvalidData, match="15 January 2026"):
            apply(session, case, "close", data, MANAGER, AFTER_WINDOW, policy)
        apply(session, case, "close", data, MANAGER, at(2026, 1, 16), policy)
        assert case.state == "closed"
