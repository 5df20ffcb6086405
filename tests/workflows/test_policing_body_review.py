"""The local policing body's review (Crime and Policing Act 2026) through the service: the
request and the decision, their clocks, letters and reminders, the figures and the import;
and the refusal of an application as ineligible or vexatious, counted apart from "not met".
"""

import dataclasses
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from notifications.compose import compose
from notifications.reminders import queue_reminders
from tests.factories import (
    EVENT_DATA,
    MANAGER,
    SAMPLE_NOW,
    at,
    case_in_state,
    with_policing_body_review,
)
from triggers.accounts import create_user
from triggers.config import ConfigError, config_from_dict
from triggers.db import read_session, write_transaction
from triggers.figures import STATUTORY, performance_year, report
from triggers.models import CaseReview, OutboxMessage, PolicingBodyReview
from triggers.policy import Policy
from workflows.case_review import CASE_REVIEW
from workflows.deadlines import find
from workflows.describe import describe_case
from workflows.errors import InvalidData
from workflows.history_import import ImportRefused, check_file, import_cases
from workflows.retention import anonymise
from workflows.service import apply

TODAY = SAMPLE_NOW.date()  # Monday 1 December 2025
BODY = "the Leicestershire Police and Crime Commissioner"


@pytest.fixture
def config(base_config):
    """The review on from 1 April 2025, decided within 15 working days (tests/factories)."""
    return with_policing_body_review(base_config)


def letters(session, case, kind):
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id)
    ).all()


def step(session, case, policy, event, now=SAMPLE_NOW, **data):
    return apply(session, case, event, {**EVENT_DATA[event], **data}, MANAGER, now, policy)


def figures(sessions, config, start_year=2025):
    with read_session(sessions) as session:
        return report(session, performance_year(start_year), config).as_dict()


def test_a_not_met_decision_referred_and_upheld_restarts_the_panel_clock(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        step(session, case, policy, "request_policing_body_review")
        assert case.state == "policing_body_review"
        assert find(case, "appeal_window").status == "met"
        limit = find(case, "policing_body_decision")
        # 15 working days from Monday 1 December 2025, counted by hand: Monday 22 December.
        assert (limit.status, limit.due_on) == ("running", date(2025, 12, 22))
        (review,) = case.policing_body_reviews
        assert (review.requested_on, review.grounds) == (
            TODAY,
            "My reports to the council were not counted.",
        )

        (to_applicant,) = letters(session, case, "policing_body_review_requested")
        (to_body,) = letters(session, case, "policing_body_referral")
        assert (to_applicant.recipient, to_body.recipient) == ("applicant", "policing_body")
        referral = compose(session, to_body, config, TODAY, CASE_REVIEW)
        assert referral.to == ("pcc.reviews@example.org",)
        assert referral.subject == f"A review to decide: ASB case review {case.reference}"
        assert "the threshold for a case review is not met" in referral.body
        assert "My reports to the council were not counted." in referral.body
        assert "by Monday 22 December 2025" in referral.body
        assert referral.body.startswith("For: The Leicestershire Police and Crime Commissioner\n")
        told = compose(session, to_applicant, config, TODAY, CASE_REVIEW)
        assert told.subject == f"Your request for a review by {BODY} ({case.reference})"
        assert "our decision that the threshold for an ASB case review is not met" in told.body
        assert "A decision is due by Monday 22 December 2025." in told.body

        create_user(
            session,
            session.merge(partnership),
            "manager@example.org",
            "correct horse battery staple",
            "manager",
            SAMPLE_NOW,
        )
        # Staff are reminded of the body's limit like any other, in its own words.
        assert queue_reminders(session, policy, at(2025, 12, 22, 9), CASE_REVIEW) == 1
        (reminder,) = letters(session, case, "reminder")
        assert reminder.payload["step"] == "policing_body_decision"
        message = compose(session, reminder, config, date(2025, 12, 22), CASE_REVIEW)
        assert message.subject == f"Due today: local policing body's decision for {case.reference}"

        step(session, case, policy, "decide_policing_body_review", now=at(2025, 12, 10))
        assert case.state == "threshold_met"
        assert find(case, "policing_body_decision").status == "met"
        panel = find(case, "panel")
        # 28 working days from Wednesday 10 December 2025, past Christmas and New Year.
        assert (panel.status, panel.due_on) == ("running", date(2026, 1, 22))
        assert (review.outcome, review.decided_on) == ("upheld", date(2025, 12, 10))
        (outcome,) = letters(session, case, "policing_body_review_outcome")
        body = compose(session, outcome, config, date(2025, 12, 10), CASE_REVIEW).body
        assert "The request was upheld" in body
        assert "the case review panel will meet by Thursday 22 January 2026" in body
        assert "Two reports were missed." in body
        assert letters(session, case, "closure") == []

    counted = figures(sessions, config)
    assert counted["policing_body_reviews_requested"] == 1
    assert counted["policing_body_reviews_upheld"] == 1
    assert counted["policing_body_reviews_not_upheld"] == 0
    # The Act's figure still records the "not met" decision that was reviewed.
    assert counted["threshold_not_met"] == 1


def test_the_review_of_a_review_not_upheld_closes_the_case(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "findings_sent")
        step(session, case, policy, "request_policing_body_review")
        (to_body,) = letters(session, case, "policing_body_referral")
        referral = compose(session, to_body, config, TODAY, CASE_REVIEW)
        assert "how the case review was carried out" in referral.body
        step(
            session,
            case,
            policy,
            "decide_policing_body_review",
            outcome="not_upheld",
            reason="The panel considered every report.",
        )
        assert case.state == "closed"
        assert all(d.status != "running" for d in case.deadlines)
        assert case.end_reason == f"Review by {BODY} not upheld: The panel considered every report."
        (outcome,) = letters(session, case, "policing_body_review_outcome")
        body = compose(session, outcome, config, TODAY, CASE_REVIEW).body
        assert "The request was not upheld." in body
        assert "This decision ends the case review process for this application." in body
        assert len(letters(session, case, "closure")) == 1

    counted = figures(sessions, config)
    assert counted["policing_body_reviews_requested"] == 1
    assert counted["policing_body_reviews_not_upheld"] == 1
    assert counted["reviews_carried_out"] == 1


def test_the_referral_is_posted_when_the_body_has_no_email(sessions, partnership, policy, config):
    body = dataclasses.replace(config.review_routes.local_policing_body, email="")
    by_post = dataclasses.replace(
        config, review_routes=dataclasses.replace(config.review_routes, local_policing_body=body)
    )
    with write_transaction(sessions) as session:
        create_user(
            session,
            session.merge(partnership),
            "manager@example.org",
            "correct horse battery staple",
            "manager",
            SAMPLE_NOW,
        )
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        step(session, case, policy, "request_policing_body_review")
        (to_body,) = letters(session, case, "policing_body_referral")
        message = compose(session, to_body, by_post, TODAY, CASE_REVIEW)
        assert message.to == ("manager@example.org",)
        assert message.subject.startswith(f"To print and post to {BODY}:")
        assert "Police Headquarters, Enderby" in message.body
        assert "which has no e-mail address in config.toml" in message.body
        assert message.attachments[0].content_type == "application/pdf"


@pytest.mark.parametrize(
    ("enabled", "applies_from", "refusal"),
    [
        (False, date(2025, 4, 1), "is not turned on for this partnership"),
        (True, date(2026, 5, 1), "applies from 2026-05-01 in this area"),
    ],
)
def test_the_review_is_refused_when_off_or_not_yet_in_force(
    sessions, partnership, base_config, enabled, applies_from, refusal
):
    config = with_policing_body_review(base_config, applies_from=applies_from)
    body = dataclasses.replace(config.review_routes.local_policing_body, enabled=enabled)
    config = dataclasses.replace(
        config, review_routes=dataclasses.replace(config.review_routes, local_policing_body=body)
    )
    policy = Policy.from_config(config)
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        version = case.version
        offered = describe_case(session, case, policy, TODAY)["allowed_events"]
        assert offered == ["appeal", "close", "withdraw"]
        with pytest.raises(InvalidData) as refused:
            step(session, case, policy, "request_policing_body_review")
        assert refusal in refused.value.fields["event"]
        assert (case.state, case.version) == ("threshold_not_met", version)
        assert session.scalar(select(func.count()).select_from(PolicingBodyReview)) == 0
        assert letters(session, case, "policing_body_referral") == []


def test_the_appeal_route_and_its_words_come_from_config(sessions, partnership, base_config):
    """ "Final" only where no further route is open; the appeal body as the area names it."""
    appeal = dataclasses.replace(
        base_config.review_routes.appeal,
        name="the Police and Crime Commissioner's office",
        how="Write to the Commissioner's office at the address below.",
    )
    off = dataclasses.replace(
        base_config,
        review_routes=dataclasses.replace(base_config.review_routes, appeal=appeal),
    )
    on = with_policing_body_review(off)
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, Policy.from_config(off), "threshold_not_met")
        (not_met,) = letters(session, case, "threshold_not_met")
        closed_route = compose(session, not_met, off, TODAY, CASE_REVIEW).body
        open_route = compose(session, not_met, on, TODAY, CASE_REVIEW).body
    assert "An appeal is heard by the Police and Crime Commissioner's office" in closed_route
    assert "Write to the Commissioner's office at the address below." in closed_route
    assert "Chair of a Community Safety Partnership" not in closed_route
    assert "The Chair's decision is final." in closed_route
    assert "final" not in open_route
    assert f"You can also ask {BODY} to review this decision" in open_route


@pytest.mark.parametrize(
    ("ground", "counted_as"),
    [
        ("anonymous", "refused_ineligible"),
        ("not_asb", "refused_ineligible"),
        ("already_reviewed", "refused_ineligible"),
        ("vexatious", "refused_vexatious"),
    ],
)
def test_a_refused_application_is_counted_apart_from_not_met(
    sessions, partnership, policy, config, ground, counted_as
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        step(session, case, policy, "refuse_application", ground=ground, reason="See the file.")
        assert (case.state, case.refusal_ground, case.ended_on) == ("closed", ground, TODAY)
        assert all(d.status != "running" for d in case.deadlines)
        (letter,) = letters(session, case, "application_refused")
        body = compose(session, letter, config, TODAY, CASE_REVIEW).body
        assert "This is not a decision that the threshold for a case review is not met." in body
        assert "See the file." in body
    counted = figures(sessions, config)
    assert counted[counted_as] == 1
    assert counted["threshold_not_met"] == 0
    assert counted["awaiting_decision"] == 0
    assert counted["applications_received"] == 1
    assert {name: counted[name] for name in STATUTORY} == {
        "applications_received": 1,
        "threshold_not_met": 0,
        "reviews_carried_out": 0,
        "reviews_with_recommendations": 0,
    }


HEADER = (
    "reference,received_on,acknowledged_on,threshold_decision,threshold_decided_on,"
    "policing_body_review_requested_on,policing_body_review_outcome,"
    "policing_body_review_decided_on,panel_held_on,recommendations,findings_sent_on,"
    "refused_on,refusal_ground,closed_on\n"
)


def test_the_history_import_replays_the_review_and_refusals(sessions, partnership, policy, config):
    rows = (
        HEADER
        + "CT-2025-H01,2025-05-01,2025-05-02,not_met,2025-05-09,2025-05-12,upheld,"
        + "2025-05-30,2025-06-20,2,2025-06-25,,,2025-07-30\n"
        + "CT-2025-H02,2025-05-01,2025-05-02,not_met,2025-05-09,2025-05-12,not_upheld,"
        + "2025-05-30,,,,,,\n"
        + "CT-2025-H03,2025-05-01,2025-05-02,,,,,,,,,2025-05-06,vexatious,\n"
        + "CT-2025-H04,2025-05-01,2025-05-02,not_met,2025-05-09,2025-05-12,,,,,,,,\n"
    )
    with write_transaction(sessions) as session:
        plan = check_file(io.StringIO(rows), session, policy, TODAY, session.merge(partnership))
        import_cases(session, plan, policy, SAMPLE_NOW, "history.csv")
    with read_session(sessions) as session:
        states = dict(session.execute(select(CaseReview.reference, CaseReview.state)).all())
        reviews = session.scalars(select(PolicingBodyReview).order_by(PolicingBodyReview.id)).all()
        assert [(r.outcome, r.decided_on) for r in reviews] == [
            ("upheld", date(2025, 5, 30)),
            ("not_upheld", date(2025, 5, 30)),
            ("", None),
        ]
    assert states == {
        "CT-2025-H01": "closed",
        "CT-2025-H02": "closed",
        "CT-2025-H03": "closed",
        "CT-2025-H04": "policing_body_review",
    }
    counted = figures(sessions, config)
    assert counted["policing_body_reviews_requested"] == 3
    assert counted["policing_body_reviews_upheld"] == 1
    assert counted["policing_body_reviews_not_upheld"] == 1
    assert counted["refused_vexatious"] == 1
    assert counted["threshold_not_met"] == 3
    assert counted["reviews_carried_out"] == 1


def test_the_import_refuses_a_decision_without_its_request(sessions, partnership, policy):
    rows = (
        HEADER
        + "CT-2025-H05,2025-05-01,2025-05-02,not_met,2025-05-09,,upheld,2025-05-30,,,,,,\n"
        + "CT-2025-H06,2025-05-01,2025-05-02,met,2025-05-09,2025-05-12,,,,,,,,\n"
        + "CT-2025-H07,2025-05-01,,,,,,,,,,2025-05-06,,\n"
    )
    with write_transaction(sessions) as session, pytest.raises(ImportRefused) as refused:
        check_file(io.StringIO(rows), session, policy, TODAY, session.merge(partnership))
    assert refused.value.fields == {
        "line 2, policing_body_review_requested_on": (
            "is needed with the local policing body's decision"
        ),
        "line 3, policing_body_review_requested_on": (
            "not possible here: the case would be 'threshold_met'; a review by the local "
            "policing body follows the findings or a 'not met' decision"
        ),
        "line 4, refusal_ground": "is needed when refused_on is given",
    }


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"enabled": True}, "needs an 'email' or an 'address' when enabled"),
        ({"decision_days": 0}, "'review_routes.local_policing_body.decision_days' must be"),
        ({"email": "not an address"}, "'review_routes.local_policing_body.email' is not"),
        ({"applies_from": "soon"}, "must be a date written YYYY-MM-DD"),
        ({"enable": True}, "did you mean 'enabled'?"),
    ],
)
def test_the_review_route_settings_are_checked(table, problem):
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace("?", r"\?")):
        config_from_dict({"review_routes": {"local_policing_body": table}})


def test_the_review_is_off_by_default_and_the_appeal_keeps_todays_words():
    routes = config_from_dict({}).review_routes
    assert routes.local_policing_body.enabled is False
    assert routes.appeal.name == "the Chair of a Community Safety Partnership"
    assert not routes.policing_body_open_on(date(2030, 1, 1))


def test_retention_removes_what_was_written_and_keeps_what_is_counted(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        step(session, case, policy, "request_policing_body_review")
        step(session, case, policy, "decide_policing_body_review", outcome="not_upheld")
        anonymise(session, case, date(2032, 1, 5), at(2032, 1, 5), policy)
        (review,) = case.policing_body_reviews
        assert (review.grounds, review.reason) == ("", "")
        assert (review.outcome, review.requested_on) == ("not_upheld", TODAY)
    assert figures(sessions, config)["policing_body_reviews_not_upheld"] == 1


def test_the_data_return_names_the_refusal_and_the_review(sessions, partnership, policy, config):
    from triggers.data_return import return_rows

    with write_transaction(sessions) as session:
        refused = case_in_state(session, partnership, policy, "received")
        step(session, refused, policy, "refuse_application", ground="already_reviewed")
        reviewed = case_in_state(session, partnership, policy, "threshold_not_met")
        step(session, reviewed, policy, "request_policing_body_review")
        step(session, reviewed, policy, "decide_policing_body_review", outcome="not_upheld")
        references = (refused.reference, reviewed.reference)
    with read_session(sessions) as session:
        rows = {row["reference"]: row for row in return_rows(session, performance_year(2025))}
    assert rows[references[0]]["other_outcome"] == "ineligible"
    assert rows[references[1]]["policing_body_review_outcome"] == "not_upheld"
    assert rows[references[1]]["policing_body_review_requested_on"] == "2025-12-01"
