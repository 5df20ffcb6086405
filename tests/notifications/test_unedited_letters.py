"""Letters a partnership can send unedited (issue 19): the privacy notice, the "not met"
letter's threshold, routes and support, the lead agency, progress and closure, what an agency
searches on, and the wording."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from notifications.compose import compose
from tests.factories import (
    EVENT_DATA,
    MANAGER,
    SAMPLE_NOW,
    at,
    complaint,
    incident,
    new_case,
    one_incident,
)
from tests.notifications.test_letters import message_for, walk
from triggers.config import Config, ConfigError, config_from_dict
from triggers.db import write_transaction
from triggers.models import Agency, OutboxMessage
from triggers.notices import PrivacyConfig, SupportConfig
from triggers.review_routes import LocalPolicingBodyRoute
from workflows.case_review import CASE_REVIEW
from workflows.service import apply

NOT_MET = {
    "decision": "not_met",
    "rationale": "One complaint only; the council responded within a day.",
}


def with_policing_body(config: Config, **body: Any) -> Config:
    """The config with ``[review_routes.local_policing_body]`` set as given (in force from
    2025 unless ``applies_from`` says otherwise: these letters are of 2025)."""
    body = {"applies_from": date(2025, 1, 1), **body}
    routes = config.review_routes
    return dataclasses.replace(
        config,
        review_routes=dataclasses.replace(
            routes, local_policing_body=LocalPolicingBodyRoute(**body)
        ),
    )


def letter(session, case, kind, config, on, recipient="applicant"):  # type: ignore[no-untyped-def]
    return compose(session, message_for(session, case, kind, recipient), config, on, CASE_REVIEW)


def not_met_case(session, partnership, policy, **kwargs):  # type: ignore[no-untyped-def]
    """One incident reported to the police, and one to an MP, which never counts."""
    incidents = [
        *one_incident(date(2025, 11, 20)),
        incident(date(2025, 11, 3), complaint(date(2025, 11, 4), to="other")),
    ]
    case = new_case(session, partnership, policy, incidents=incidents, **kwargs)
    apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
    apply(session, case, "decide_threshold", NOT_MET, MANAGER, SAMPLE_NOW, policy)
    return case


ON_BEHALF = {
    "applicant": {
        "on_behalf": True,
        "name": "Sam Morgan",
        "relationship": "son",
        "consent_given_on": "2025-04-10",
        "email": "sam@example.org",
        "contact_preference": "email",
    }
}


# The privacy notice ------------------------------------------------------------------


def test_the_first_letter_carries_the_privacy_notice_from_config(
    sessions, partnership, policy, config
):
    config = dataclasses.replace(
        config,
        privacy=PrivacyConfig(
            controllers="Charnwood Borough Council and Leicestershire Police, joint controllers",
            sharing_agreement="the Charnwood information-sharing agreement of 2024",
            dpo_contact="dpo@charnwood.example.org",
            notice_url="https://charnwood.example.org/privacy/asb",
        ),
        retention=dataclasses.replace(config.retention, years_after_closure=4),
    )
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        body = letter(session, case, "acknowledgement", config, date(2025, 4, 22)).body
        later = letter(session, case, "threshold_met", config, date(2025, 4, 25)).body
    assert "How we use your information" in body
    assert "Charnwood Borough Council and Leicestershire Police, joint controllers." in body
    assert "UK GDPR Article 6(1)(e)" in body  # the lawful basis
    assert "under the Charnwood information-sharing agreement of 2024" in body
    assert "We keep it for 4 years after the case review ends" in body
    assert "Your rights" in body and "Information Commissioner's Office" in body
    assert "You can contact them at dpo@charnwood.example.org." in body
    assert "https://charnwood.example.org/privacy/asb" in body
    # Only the first letter: the later ones do not repeat it.
    assert "How we use your information" not in later


def test_the_online_confirmation_carries_the_privacy_notice_too(
    sessions, partnership, policy, config
):
    from notifications.outbox import queue_confirmation

    config = dataclasses.replace(config, privacy=PrivacyConfig())
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy)
        row = queue_confirmation(session, case, SAMPLE_NOW)
        session.flush()
        body = compose(session, row, config, date(2025, 12, 1), CASE_REVIEW).body
    assert "How we use your information" in body
    # Without a DPO contact of its own, the partnership's address reaches them.
    assert "You can reach them through community.safety@example.org." in body


# The "not met" letter -------------------------------------------------------------------


def test_the_not_met_letter_states_the_threshold_applied_and_why_it_was_not_met(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        body = letter(session, case, "threshold_not_met", config, date(2025, 12, 1)).body
    assert "The threshold we applied" in body
    assert "at least 3 separate incidents of anti-social behaviour" in body
    assert "within one month beginning with the day of the behaviour" in body
    assert "section 104 of the Anti-social Behaviour, Crime and Policing Act 2014" in body
    assert "at least 3 different people complained about the same incident" in body
    assert "at least 1 hate crime or hate incident was complained about" in body
    assert "Why it was not met" in body
    assert "The Act's threshold: 1 separate incident had a complaint that counts; 3 are needed" in (
        body
    )
    assert "the complaint of Tuesday 4 November 2025 did not go to a relevant body" in body
    assert "Our reasons: One complaint only" in body


def test_a_local_route_turned_off_is_not_said_to_apply(sessions, partnership, policy, config):
    threshold = dataclasses.replace(
        config.threshold,
        hate_incident=dataclasses.replace(config.threshold.hate_incident, enabled=False),
    )
    config = dataclasses.replace(config, threshold=threshold)
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        body = letter(session, case, "threshold_not_met", config, date(2025, 12, 1)).body
    assert "hate crime" not in body and "Hate incidents" not in body
    assert "different people complained about the same incident" in body


def test_the_not_met_letter_gives_support_and_promises_nothing_about_six_months(
    sessions, partnership, policy, config
):
    config = dataclasses.replace(
        config, support=SupportConfig(local_service="the Charnwood ASB victims' service")
    )
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        body = letter(session, case, "threshold_not_met", config, date(2025, 12, 1)).body
    assert "call 999" in body
    assert "call the police on 101" in body
    assert "Victim Support" in body and "08 08 16 89 111" in body
    assert "You can also contact the Charnwood ASB victims' service." in body
    assert "within six months" not in body


def test_the_not_met_letter_gives_the_appeal_and_says_it_is_final_without_another_route(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        body = letter(session, case, "threshold_not_met", config, date(2025, 12, 1)).body
    assert "How to challenge this decision" in body
    assert "you may appeal" in body and "by Wednesday 31 December 2025" in body
    assert "local policing body" not in body and "Commissioner" not in body
    assert "The Chair's decision is final." in body


PCC = "the Police and Crime Commissioner for Leicestershire"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"enabled": True, "name": PCC, "email": "review@opcc.example.org"}, True),
        ({"enabled": True, "name": PCC, "applies_from": date(2025, 12, 1)}, True),
        # Not yet in force on the day of the decision.
        ({"enabled": True, "name": PCC, "applies_from": date(2026, 1, 5)}, False),
        ({"enabled": False, "name": PCC}, False),
        ({"name": PCC}, False),  # no "enabled" at all
    ],
)
def test_the_local_policing_body_review_is_offered_only_where_enabled(
    sessions, partnership, policy, config, body, shown
):
    config = with_policing_body(config, **body)
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        text = letter(session, case, "threshold_not_met", config, date(2025, 12, 1)).body
    assert (f"You can also ask {PCC} to review this decision" in text) is shown
    # "Final" is never said where a further route exists.
    assert ("The Chair's decision is final." in text) is not shown
    if shown and "email" in body:
        assert "email review@opcc.example.org" in text


def test_the_not_met_letter_by_post_is_a_readable_pdf(
    sessions, partnership, policy, config, people, tmp_path
):
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        case.victim.contact_preference = "letter"
        case.victim.address = "12 Park Road\nLoughborough"
        case.victim.postcode = "LE11 1AA"
        session.flush()
        message = letter(session, case, "threshold_not_met", config, date(2025, 12, 1))
    pdf = message.attachments[0].data
    (tmp_path / "not-met.pdf").write_bytes(pdf)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for words in (
        "The threshold we applied",
        "Why it was not met",
        "How to challenge this decision",
        "call 999",
        "Victim Support",
        "LE11 1AA",
    ):
        assert words in text


# The met letter and the findings ----------------------------------------------------------


def test_the_met_letter_names_the_lead_agency_and_the_single_point_of_contact(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, single_point_of_contact="Sam Carter")
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        apply(
            session,
            case,
            "decide_threshold",
            {**EVENT_DATA["decide_threshold"], "lead_agency": "Leicestershire Police"},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        body = letter(session, case, "threshold_met", config, date(2025, 12, 1)).body
    assert "The lead agency for this case review is Leicestershire Police" in body
    assert "Your single point of contact, Sam Carter, will keep you informed" in body


def test_the_findings_say_how_progress_is_reported_and_when_and_why_the_case_closes(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        apply(
            session,
            case,
            "record_review",
            {**EVENT_DATA["record_review"], "on": "2025-05-20"},
            MANAGER,
            at(2025, 5, 20),
            policy,
        )
        apply(
            session, case, "send_findings", {"on": "2025-05-22"}, MANAGER, at(2025, 5, 22), policy
        )
        body = letter(session, case, "findings", config, date(2025, 5, 22)).body
    assert "How we will tell you about progress" in body
    assert "Each agency reports its progress on its actions to Sam Carter" in body
    assert "We will write to you by Friday 30 January 2026, when the last action is due" in body
    assert "When the case will close" in body
    assert "closes when every action in the plan is done" in body
    assert "not before the time to appeal has ended, on Friday 20 June 2025" in body
    assert "We will write to tell you that it is closing and why." in body


def test_the_findings_offer_the_local_policing_body_review_where_enabled(
    sessions, partnership, policy, config
):
    enabled = with_policing_body(config, enabled=True, name=PCC, address="PO Box 1, Leicester")
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        apply(
            session,
            case,
            "record_review",
            {**EVENT_DATA["record_review"], "on": "2025-05-20"},
            MANAGER,
            at(2025, 5, 20),
            policy,
        )
        apply(
            session, case, "send_findings", {"on": "2025-05-22"}, MANAGER, at(2025, 5, 22), policy
        )
        on, off = (
            letter(session, case, "findings", settings, date(2025, 5, 22)).body
            for settings in (enabled, config)
        )
    assert (
        f"You can also ask {PCC} to review how the case review was carried out: write to "
        "PO Box 1, Leicester." in on
    )
    assert "final" not in on
    assert PCC not in off and "The Chair's decision is final." in off


# Chronology requests ---------------------------------------------------------------------


def test_a_chronology_request_gives_what_to_search_on_the_basis_and_a_return_by_date(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.victim.address = "12 Park Road\nLoughborough"
        case.victim.postcode = "LE11 1AA"
        case.incidents[0].location = "outside 12 Park Road"
        session.flush()
        agencies = {a.name: a for a in session.scalars(select(Agency))}
        police, council = (
            letter(
                session,
                case,
                "chronology_request",
                config,
                date(2025, 4, 22),
                f"agency:{agencies[name].id}",
            )
            for name in ("Leicestershire Police", "Charnwood Borough Council")
        )
    first = case.incidents[0]
    assert "Alex Morgan, 12 Park Road, Loughborough, LE11 1AA" in police.body
    assert "Incident on Thursday 23 January 2025 at outside 12 Park Road" in police.body
    assert (
        f"reported to you on {first.complaints[0].reported_on:%A} 25 January 2025, "
        "your reference REF-1"
    ) in police.body
    # The complaints went to the police: the council has no reference of its own to search.
    assert "your reference" not in council.body
    assert "Incident on Thursday 23 January 2025" in council.body
    for message in (police, council):
        assert "Schedule 4 paragraph 7 of the Anti-social Behaviour, Crime and Policing Act" in (
            message.body
        )
        # Five working days after the request of Tuesday 22 April 2025.
        assert "Please send it by Tuesday 29 April 2025." in message.body


def test_the_return_by_date_is_never_after_the_threshold_decision(
    sessions, partnership, policy, config
):
    config = dataclasses.replace(
        config,
        letters=dataclasses.replace(config.letters, chronology_return_days=9),
        deadlines=dataclasses.replace(config.deadlines, threshold_decision=10),
    )
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.deadlines  # noqa: B018 - loaded before the change below
        for deadline in case.deadlines:
            if deadline.step == "threshold_decision":
                deadline.due_on = date(2025, 4, 30)
        session.flush()
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "chronology_request")
        ).first()
        body = compose(session, row, config, date(2025, 4, 22), CASE_REVIEW).body
    assert "Please send it by Wednesday 30 April 2025." in body


def test_a_return_period_as_long_as_the_decision_is_refused():
    with pytest.raises(ConfigError, match="chronology_return_days"):
        config_from_dict({"letters": {"chronology_return_days": 10}})
    with pytest.raises(ConfigError, match="chronology_return_days"):
        config_from_dict({"letters": {"chronology_return_days": 0}})


# Wording ---------------------------------------------------------------------------------


def test_letters_to_someone_applying_for_the_victim_speak_of_the_reports(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = new_case(
            session,
            partnership,
            policy,
            received_on=date(2025, 4, 17),
            now=at(2025, 4, 17),
            **ON_BEHALF,
        )
        apply(session, case, "acknowledge", {"on": "2025-04-22"}, MANAGER, at(2025, 4, 22), policy)
        apply(
            session,
            case,
            "decide_threshold",
            {**EVENT_DATA["decide_threshold"], "on": "2025-04-25"},
            MANAGER,
            at(2025, 4, 25),
            policy,
        )
        for step, on in (
            ("schedule_panel", "2025-04-28"),
            ("record_review", "2025-05-20"),
            ("send_findings", "2025-05-22"),
        ):
            data = {**EVENT_DATA[step], "on": on}
            if step == "schedule_panel":
                data["panel_on"] = "2025-05-20"
            apply(session, case, step, data, MANAGER, at(2025, 5, 22), policy)
        bodies = {
            kind: letter(session, case, kind, config, date(2025, 5, 22))
            for kind in ("acknowledgement", "threshold_met", "panel_invitation", "findings")
        }
    assert bodies["acknowledgement"].to == ("sam@example.org",)
    assert "Dear Sam Morgan," in bodies["acknowledgement"].body
    assert "a record of its contact with Alex Morgan" in bodies["acknowledgement"].body
    assert "how they responded to the reports" in bodies["threshold_met"].body
    assert "how the agencies responded to the reports" in bodies["findings"].body
    assert "review the case (CT-2025-001)" in bodies["panel_invitation"].body
    for message in bodies.values():
        assert "your reports" not in message.body


def test_the_chairs_letter_has_no_victim_facing_contact_line(
    sessions, partnership, policy, config, people
):
    with write_transaction(sessions) as session:
        case = not_met_case(session, partnership, policy)
        apply(session, case, "appeal", EVENT_DATA["appeal"], MANAGER, SAMPLE_NOW, policy)
        chair = letter(session, case, "appeal_referral", config, date(2025, 12, 1), "appeal_body")
        applicant = letter(session, case, "appeal_received", config, date(2025, 12, 1))
    assert chair.to == ("chair@example.org",)
    assert "Your single point of contact" not in chair.body
    assert "You can reach us" not in chair.body
    assert "Yours sincerely," in chair.body
    assert "Your single point of contact" in applicant.body


def every_letter_of_a_case(session, partnership, policy, config):  # type: ignore[no-untyped-def]
    case = walk(session, partnership, policy)
    apply(
        session,
        case,
        "record_review",
        {**EVENT_DATA["record_review"], "on": "2025-05-20"},
        MANAGER,
        at(2025, 5, 20),
        policy,
    )
    apply(session, case, "send_findings", {"on": "2025-05-22"}, MANAGER, at(2025, 5, 22), policy)
    apply(session, case, "appeal", EVENT_DATA["appeal"], MANAGER, at(2025, 5, 23), policy)
    apply(session, case, "decide_appeal", EVENT_DATA["decide_appeal"], MANAGER, SAMPLE_NOW, policy)
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).all()
    return [(row, compose(session, row, config, date(2025, 12, 1), CASE_REVIEW)) for row in rows]


def test_agency_letters_carry_the_two_reports_prompt_and_subjects_without_a_leading_space(
    sessions, partnership, policy, config, people
):
    with write_transaction(sessions) as session:
        messages = every_letter_of_a_case(session, partnership, policy, config)
    agency = [(row, m) for row, m in messages if row.recipient.startswith("agency:")]
    assert {row.kind for row, _ in agency} == {
        "chronology_request",
        "panel_invitation",
        "action_plan",
    }
    for _, message in agency:
        assert message.subject == message.subject.strip() and message.subject
        assert "reports anti-social behaviour to it twice within six months" in message.body
        assert "Your single point of contact" not in message.body
    applicant = [m for row, m in messages if row.recipient == "applicant"]
    assert not any("twice within six months" in m.body for m in applicant)


def test_letters_write_email_as_govuk_does(sessions, partnership, policy, config, people):
    with write_transaction(sessions) as session:
        messages = every_letter_of_a_case(session, partnership, policy, config)
    assert len(messages) >= 10
    for row, message in messages:
        assert "e-mail" not in message.body.lower(), row.kind
        assert "e-mail" not in message.subject.lower(), row.kind


def test_an_agency_subject_arrives_without_a_leading_space(
    sessions, partnership, policy, config, people, smtp, mailbox
):
    """A subject too long to sit beside "Subject:" within 78 characters was folded whole
    onto the next line, and arrived as " ASB case review ...: recommendations for ..."."""
    with write_transaction(sessions) as session:
        messages = every_letter_of_a_case(session, partnership, policy, config)
    for _, message in messages:
        smtp.send(message)
    subjects = mailbox.subjects()
    assert "ASB case review CT-2025-001: recommendations for Leicestershire Police" in subjects
    assert all(subject == subject.strip() for subject in subjects)
