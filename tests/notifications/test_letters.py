"""The letters as the applicant and the agencies read them."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from notifications.compose import compose
from notifications.letters import Letter, environment, render_letter, render_pdf
from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, at, new_case
from triggers.db import write_transaction
from triggers.models import OutboxMessage, User
from workflows.case_review import CASE_REVIEW
from workflows.service import apply


def walk(session, partnership, policy):
    """Received Thursday 17 April 2025, the week before Easter."""
    case = new_case(
        session,
        partnership,
        policy,
        received_on=date(2025, 4, 17),
        now=at(2025, 4, 17),
        single_point_of_contact="Sam Carter",
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
    apply(
        session,
        case,
        "schedule_panel",
        {
            "panel_on": "2025-05-20",
            "starts_at": "10:30",
            "location": "Council Offices, Room 2",
            "on": "2025-04-28",
        },
        MANAGER,
        at(2025, 4, 28),
        policy,
    )
    return case


def message_for(session, case, kind, recipient="applicant"):
    return session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.kind == kind,
            OutboxMessage.recipient == recipient,
        )
    ).one()


def test_the_acknowledgement_names_the_dates_and_the_single_point_of_contact(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        message = compose(
            session,
            message_for(session, case, "acknowledgement"),
            config,
            date(2025, 4, 22),
            CASE_REVIEW,
        )
    assert message.to == ("alex@example.org",)
    assert message.subject == "Your application for an ASB case review (CT-2025-001)"
    assert "Dear Alex Morgan," in message.body
    assert "which we received on Thursday 17 April 2025" in message.body
    # Ten working days after Tuesday 22 April 2025, skipping the early May bank holiday.
    assert "by Wednesday 7 May 2025" in message.body
    assert "single point of contact for this case review is Sam Carter" in message.body
    assert "We have asked each agency involved for a record" in message.body


def test_the_acknowledgement_says_only_what_was_done_when_no_agency_was_asked(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, agencies=[])
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        message = compose(
            session,
            message_for(session, case, "acknowledgement"),
            config,
            SAMPLE_NOW.date(),
            CASE_REVIEW,
        )
    assert "We have asked" not in message.body
    assert "We will ask the agencies involved for a record of their contact" in message.body


def test_the_panel_invitation_carries_a_calendar_invitation(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        police = next(
            link.agency for link in case.agencies if link.agency.name == "Leicestershire Police"
        )
        victim = compose(
            session,
            message_for(session, case, "panel_invitation"),
            config,
            date(2025, 4, 28),
            CASE_REVIEW,
        )
        agency = compose(
            session,
            message_for(session, case, "panel_invitation", f"agency:{police.id}"),
            config,
            date(2025, 4, 28),
            CASE_REVIEW,
        )
    assert victim.subject == "ASB case review CT-2025-001: panel meeting on Tuesday 20 May 2025"
    assert "send a representative" in victim.body
    assert "written statement" in victim.body
    assert agency.to == ("neighbourhood.policing@example.org",)
    assert "bring your agency's chronology" in agency.body
    ics = victim.attachments[0]
    assert ics.content_type == "text/calendar; method=REQUEST"
    text = ics.data.decode()
    assert "DTSTART;TZID=Europe/London:20250520T103000" in text
    assert "DTEND;TZID=Europe/London:20250520T120000" in text
    assert "LOCATION:Council Offices\\, Room 2" in text
    assert f"UID:panel-{case.panels[0].id}-CT-2025-001@casereview" in text


def test_the_not_met_letter_gives_the_reasons_and_the_appeal_deadline(
    sessions, partnership, policy, config
):
    from tests.factories import one_incident

    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, incidents=one_incident(date(2025, 11, 20)))
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        apply(
            session,
            case,
            "decide_threshold",
            {
                "decision": "not_met",
                "rationale": "One complaint only; the council responded within a day.",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        message = compose(
            session,
            message_for(session, case, "threshold_not_met"),
            config,
            date(2025, 12, 1),
            CASE_REVIEW,
        )
    assert "decided on Monday 1 December 2025 that the threshold" in message.body
    assert "Our reasons: One complaint only" in message.body
    # 20 working days after Monday 1 December 2025, across Christmas.
    assert "you may appeal" in message.body and "by Wednesday 31 December 2025" in message.body


def test_the_findings_list_each_recommendation_and_the_appeal_route(
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
        message = compose(
            session, message_for(session, case, "findings"), config, date(2025, 5, 22), CASE_REVIEW
        )
    assert "The case review panel met on Tuesday 20 May 2025" in message.body
    assert "1. Leicestershire Police: Flag the address (by Friday 30 January 2026)" in message.body
    # 20 working days after Thursday 22 May 2025, skipping the spring bank holiday (26 May).
    assert "by Friday 20 June 2025" in message.body


def test_a_letter_by_post_is_a_pdf_for_the_manager_to_send(
    sessions, partnership, policy, config, people
):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.victim.contact_preference = "letter"
        case.victim.address = "12 Park Road\nLoughborough\nLE11 1AA"
        session.flush()
        message = compose(
            session,
            message_for(session, case, "acknowledgement"),
            config,
            date(2025, 4, 22),
            CASE_REVIEW,
        )
    assert message.to == ("manager@example.org",)
    assert message.subject.startswith("To print and post to Alex Morgan:")
    pdf = message.attachments[0]
    assert pdf.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "12 Park Road" in text and "LE11 1AA" in text
    assert "Our reference: CT-2025-001" in text
    assert "Tuesday 22 April 2025" in text  # the letter's date
    assert "Thursday 17 April 2025" in text


def test_a_partnership_template_overrides_the_shipped_one(tmp_path):
    (tmp_path / "acknowledgement.txt").write_text(
        "Subject: We have your application {{ reference }}\nDear {{ recipient_name }}, thanks.\n"
    )
    env = environment(tmp_path)
    letter = render_letter(
        env, "acknowledgement", {"reference": "CT-2025-009", "recipient_name": "Jo"}
    )
    assert letter == Letter("We have your application CT-2025-009", "Dear Jo, thanks.\n")
    # The others still come from the shipped set.
    assert env.get_template("closure.txt").filename.endswith("notifications/templates/closure.txt")


def test_a_pdf_escapes_what_people_typed():
    env = environment()
    letter = Letter("Subject <b>", "Dear <script>alert(1)</script>,\n\nText & more.\n")
    pdf = render_pdf(
        env,
        letter,
        {
            "partnership": {"name": "CSP", "address": "", "contact_phone": "", "contact_email": ""},
            "recipient_name": "A <B>",
            "recipient_address": "",
            "today": date(2025, 4, 28),
            "reference": "CT-1",
        },
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "<script>alert(1)</script>" in text and "Monday 28 April 2025" in text


def test_the_panel_invitation_confirms_a_choice_already_recorded(
    sessions, partnership, policy, config
):
    """Issue 18: the invitation asked the victim to choose how to attend after their choice
    was recorded."""
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.panel_attendance = "online"
        session.flush()
        victim = compose(
            session,
            message_for(session, case, "panel_invitation"),
            config,
            date(2025, 4, 28),
            CASE_REVIEW,
        )
    assert "You told us you would prefer to attend online" in victim.body
    assert "Please let us know which you prefer" not in victim.body


def test_the_chair_is_greeted_by_title(sessions, partnership, policy, config):
    """Issue 18: the appeal referral began "Dear chair"."""
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        session.add(
            User(
                partnership_id=case.partnership_id,
                email="chair@example.org",
                password_hash="-",
                role="chair",
                created_at=SAMPLE_NOW,
            )
        )
        for event in ("record_review", "send_findings", "appeal"):
            apply(session, case, event, EVENT_DATA[event], MANAGER, SAMPLE_NOW, policy)
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "appeal_referral"
            )
        ).one()
        message = compose(session, row, config, date(2025, 12, 1), CASE_REVIEW)
    assert "Dear CSP Chair," in message.body


def _appeal_referral_with(sessions, partnership, policy, config, **route):  # type: ignore[no-untyped-def]
    import dataclasses

    routes = config.review_routes
    configured = dataclasses.replace(
        config,
        review_routes=dataclasses.replace(
            routes, appeal=dataclasses.replace(routes.appeal, **route)
        ),
    )
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        session.add(
            User(
                partnership_id=case.partnership_id,
                email="chair@example.org",
                password_hash="-",
                role="chair",
                created_at=SAMPLE_NOW,
            )
        )
        for event in ("record_review", "send_findings", "appeal"):
            apply(session, case, event, EVENT_DATA[event], MANAGER, SAMPLE_NOW, policy)
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "appeal_referral"
            )
        ).one()
        return compose(session, row, configured, date(2025, 12, 1), CASE_REVIEW)


def test_the_appeal_referral_goes_to_the_configured_appeal_body(
    sessions, partnership, policy, config
):
    """An area whose appeals the police and crime commissioner's office hears: the referral
    goes there, greeted by its name, not to the partnership's CSP chair."""
    message = _appeal_referral_with(
        sessions,
        partnership,
        policy,
        config,
        name="the Police and Crime Commissioner's office",
        email="appeals@opcc.example.org",
    )
    assert message.to == ("appeals@opcc.example.org",)
    assert "Dear Police and Crime Commissioner's office," in message.body


def test_an_appeal_body_without_e_mail_gets_the_referral_by_post(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        session.add(
            User(
                partnership_id=partnership.id,
                email="manager@example.org",
                password_hash="-",
                role="manager",
                created_at=SAMPLE_NOW,
            )
        )
    message = _appeal_referral_with(
        sessions,
        partnership,
        policy,
        config,
        name="an independent chair",
        address="County Hall\nGlenfield\nLE3 8RA",
    )
    assert message.to == ("manager@example.org",)
    assert message.subject.startswith("To print and post to An independent chair:")
    assert "County Hall\nGlenfield\nLE3 8RA" in message.body
    assert message.attachments[0].content_type == "application/pdf"


def test_without_an_address_the_appeal_goes_to_the_csp_chair_accounts(
    sessions, partnership, policy, config
):
    message = _appeal_referral_with(sessions, partnership, policy, config)
    assert message.to == ("chair@example.org",)
    assert "Dear CSP Chair," in message.body


ADDRESS = "12 Park Road\nLoughborough\nLE11 1AA"


@pytest.mark.parametrize(
    ("preference", "email", "address", "phone", "goes"),
    [
        ("email", "alex@example.org", "", "", "email"),
        ("email", "", ADDRESS, "", "post"),
        ("letter", "alex@example.org", ADDRESS, "", "post"),
        ("letter", "alex@example.org", "", "", "email"),  # a case imported without one
        ("phone", "", ADDRESS, "01509 634567", "post"),
        # The defect: "phone" with no postal address was queued by post, to a blank address.
        ("phone", "alex@example.org", "", "01509 634567", "email"),
        ("phone", "", "", "01509 634567", "phone"),
        ("email", "", "", "01509 634567", "phone"),
    ],
)
def test_a_letter_never_goes_by_a_channel_the_case_has_no_address_for(
    sessions, partnership, policy, config, people, preference, email, address, phone, goes
):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        victim = case.victim
        victim.contact_preference, victim.email = preference, email
        victim.address, victim.postcode, victim.phone = address, "", phone
        session.flush()
        message = compose(
            session,
            message_for(session, case, "acknowledgement"),
            config,
            date(2025, 4, 22),
            CASE_REVIEW,
        )
    channel = (
        "post"
        if "X-Casereview-Post" in message.headers
        else "phone"
        if "X-Casereview-Phone" in message.headers
        else "email"
    )
    assert channel == goes
    if goes == "email":
        assert message.to == ("alex@example.org",)
    elif goes == "post":
        assert message.to == ("manager@example.org",) and "12 Park Road" in message.body
    else:  # a manager is asked to phone them and read it
        assert message.to == ("manager@example.org",)
        assert message.subject.startswith("To phone Alex Morgan:")
        assert "Please phone them on 01509 634567" in message.body
        assert message.attachments == ()


def test_a_case_with_no_way_to_reach_the_applicant_cannot_be_written_to(
    sessions, partnership, policy, config, people
):
    from notifications.compose import CannotCompose

    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.victim.contact_preference = "phone"
        case.victim.email = case.victim.address = case.victim.postcode = case.victim.phone = ""
        session.flush()
        with pytest.raises(CannotCompose, match="no postal address, e-mail address or phone"):
            compose(
                session,
                message_for(session, case, "acknowledgement"),
                config,
                date(2025, 4, 22),
                CASE_REVIEW,
            )
