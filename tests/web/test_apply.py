"""The public application form, as a victim and as someone applying for them fill it in:
every page, the messages that say how to fix an answer, and what is (not) kept."""

import email
import email.policy
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import SAMPLE_NOW
from triggers.db import read_session
from triggers.models import ApplicationDraft, AuditEvent, CaseReview, OutboxMessage
from workflows.service import threshold_suggestion

#: A victim's answers, page by page; the clock is Monday 1 December 2025.
AS_VICTIM = [
    ("/apply/who", {"who": "victim"}),
    ("/apply/victim-type", {"victim_type": "individual"}),
    ("/apply/victim-name", {"victim_name": "Margaret Ellis"}),
    (
        "/apply/contact",
        {
            "contact_preference": "email",
            "email": "margaret@example.net",
            "phone": "",
            "address": "",
        },
    ),
    ("/apply/needs", {"accessibility_needs": "Large print, please.", "language": ""}),
    (
        "/apply/incidents/1",
        {
            "occurred_on": ["3", "11", "2025"],
            "what_happened": "Youths kicked the door and shouted abuse at 2am.",
            "hate_related": "no",
            "reported_to": "police",
            "reported_on": ["4", "11", "2025"],
            "reference": "LP-20251104-0042",
        },
    ),
    ("/apply/incidents", {"another": "yes"}),
    (
        "/apply/incidents/2",
        {
            "occurred_on": ["10", "11", "2025"],
            "what_happened": "Eggs thrown at the windows.",
            "hate_related": "no",
            "reported_to": "council",
            "reported_on": ["11", "11", "2025"],
            "reference": "",
        },
    ),
    ("/apply/incidents", {"another": "yes"}),
    (
        "/apply/incidents/3",
        {
            "occurred_on": ["20", "11", "2025"],
            "what_happened": "Car tyres slashed on the drive.",
            "hate_related": "no",
            "reported_to": "housing_provider",
            "reported_on": ["21", "11", "2025"],
            "reference": "",
        },
    ),
    ("/apply/incidents", {"another": "no"}),
    ("/apply/dissatisfaction", {"dissatisfaction": "Nobody called me back in a month."}),
]


def token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def answer(client, path: str, fields: dict, *, change: bool = False):
    url = path + ("?change=1" if change else "")
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return client.post(url, data={**fields, "csrf_token": token(page)})


def fill(client, pages=AS_VICTIM) -> None:
    for path, fields in pages:
        response = answer(client, path, fields)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:3000])


def send(client, **extra):
    page = client.get("/apply/check").get_data(as_text=True)
    return client.post("/apply/check", data={"csrf_token": token(page), "website": "", **extra})


def count(sessions, model) -> int:
    with read_session(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_start_page_explains_the_threshold_and_other_ways_to_apply(client, config):
    page = client.get("/apply").get_data(as_text=True)
    assert "Apply for an anti-social behaviour case review" in page
    assert "3 or more separate incidents" in page and "6 months" in page
    assert "3 or more people have complained about the same incident" in page
    assert "within 5 working days" in page and "within 28 working days" in page
    assert config.partnership.contact_phone in page and config.partnership.address in page
    assert 'href="/apply/who"' in page


def test_a_victim_applies_and_the_case_is_opened_online(client, sessions):
    fill(client)
    response = send(client)
    assert response.status_code == 302 and response.location.endswith("/apply/confirmation")
    page = client.get("/apply/confirmation").get_data(as_text=True)
    assert "Application sent" in page and "CT-2025-001" in page
    # Received on Monday 1 December 2025: acknowledged within 5 working days.
    assert "Monday 8 December 2025" in page
    assert "We have sent you a confirmation e-mail" in page
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview))
        assert (case.reference, case.channel, case.state) == ("CT-2025-001", "online", "received")
        assert case.victim.name == "Margaret Ellis" and case.victim.contact_preference == "email"
        assert case.victim.accessibility_needs == "Large print, please."
        assert not case.applicant.on_behalf
        assert case.incidents[0].description.startswith("Youths kicked")
        assert [c.reported_to for i in case.incidents for c in i.complaints] == [
            "police",
            "council",
            "housing_provider",
        ]
        assert case.incidents[0].complaints[0].reference == "LP-20251104-0042"
        assert case.dissatisfaction == "Nobody called me back in a month."
        assert [(d.step, str(d.due_on)) for d in case.deadlines] == [("acknowledge", "2025-12-08")]
        confirmation = session.scalar(select(OutboxMessage))
        assert (confirmation.kind, confirmation.recipient) == (
            "application_received",
            "applicant_email",
        )
        event = session.scalar(select(AuditEvent))
        assert event.actor == "online application form" and event.event == "open"
        # The answers are gone from the draft: only what the confirmation page shows is left,
        # so that a second click on "Accept and send" finds it was sent.
        remains = session.scalar(select(ApplicationDraft)).answers
        assert remains == {
            "sent": {"reference": "CT-2025-001", "acknowledge_by": "2025-12-08", "emailed": True}
        }


def test_someone_applies_for_the_victim_with_consent(client, sessions):
    pages = [
        ("/apply/who", {"who": "on_behalf"}),
        (
            "/apply/about-you",
            {
                "applicant_name": "Dan Ellis",
                "applicant_relationship": "Son",
                "consent": "y",
            },
        ),
        ("/apply/victim-type", {"victim_type": "individual"}),
        ("/apply/victim-name", {"victim_name": "Margaret Ellis"}),
        (
            "/apply/contact",
            {
                "contact_preference": "letter",
                "email": "",
                "phone": "07700 900982",
                "address": "12 Park Road\nLoughborough",
                "postcode": "le11 2tx",
            },
        ),
        *AS_VICTIM[4:],
    ]
    fill(client, pages)
    assert send(client).status_code == 302
    page = client.get("/apply/confirmation").get_data(as_text=True)
    assert "confirmation e-mail" not in page  # no address was given
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview))
        applicant = case.applicant
        assert applicant.on_behalf and applicant.name == "Dan Ellis"
        assert applicant.relationship_to_victim == "Son"
        assert str(applicant.consent_given_on) == "2025-12-01"
        assert applicant.contact_preference == "letter"
        assert applicant.address == "12 Park Road\nLoughborough\nLE11 2TX"
        assert case.victim.name == "Margaret Ellis"
        assert {c.reporter for i in case.incidents for c in i.complaints} == {"Dan Ellis"}
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_applying_for_someone_needs_their_consent(client):
    answer(client, "/apply/who", {"who": "on_behalf"})
    response = answer(
        client,
        "/apply/about-you",
        {"applicant_name": "Dan Ellis", "applicant_relationship": "Son"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Confirm that the victim has agreed to you applying for them" in page
    assert 'value="Dan Ellis"' in page  # nothing typed is lost


def test_the_victim_sees_the_right_questions_for_a_business(client):
    answer(client, "/apply/who", {"who": "victim"})
    answer(client, "/apply/victim-type", {"victim_type": "business"})
    page = client.get("/apply/victim-name").get_data(as_text=True)
    assert "What is the name of your business?" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"occurred_on": ["2", "12", "2025"]}, "The date it happened must be today or in the past"),
        ({"occurred_on": ["31", "2", "2025"]}, "The date it happened must be a real date"),
        ({"occurred_on": ["", "11", "2025"]}, "The date it happened must include a day"),
        ({"occurred_on": ["x", "y", "z"]}, "The date it happened must be a real date"),
        # Digits too large for a day: a real-date message, not a server error.
        ({"occurred_on": ["9999999999", "1", "2025"]}, "The date it happened must be a real date"),
        ({"occurred_on": ["", "", ""]}, "Enter the date it happened"),
        (
            {"reported_on": ["2", "11", "2025"]},
            "The date you reported it must be on or after the date it happened",
        ),
        ({"reported_on": ["", "", ""]}, "Enter the date you reported it"),
        ({"what_happened": ""}, "Describe what happened"),
        ({"what_happened": "x" * 5001}, "What happened must be 5,000 characters or fewer"),
        ({"hate_related": ""}, "Select yes if you think it was because of who you are"),
        ({"reference": "r" * 101}, "The reference number must be 100 characters or fewer"),
    ],
)
def test_an_incident_that_cannot_be_right_says_how_to_fix_it(client, sessions, fields, message):
    fill(client, AS_VICTIM[:5])
    good = dict(AS_VICTIM[5][1])
    response = answer(client, "/apply/incidents/1", {**good, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "There is a problem" in page
    assert "<title>Error:" in page
    assert "kicked the door" in page or "what_happened" in fields  # the rest is kept
    with read_session(sessions) as session:
        assert "incidents" not in session.scalar(select(ApplicationDraft)).answers


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"contact_preference": "email", "email": "margaret at example"},
            "Enter an e-mail address in the correct format, like name@example.com",
        ),
        (
            {"contact_preference": "email", "email": ""},
            "Enter your e-mail address, or choose another way to contact you",
        ),
        ({"contact_preference": "phone", "phone": "call me"}, "Enter a phone number"),
        (
            {"contact_preference": "letter", "address": "", "postcode": "LE11 2TX"},
            "Enter your address, or choose another way to contact you",
        ),
        (
            {"contact_preference": "letter", "address": "1 Road", "postcode": "NOT A CODE"},
            "Enter a real postcode, like LE11 2TX",
        ),
        ({}, "Select how we should contact you"),
    ],
)
def test_contact_details_that_cannot_work_say_how_to_fix_them(client, fields, message):
    fill(client, AS_VICTIM[:3])
    response = answer(client, "/apply/contact", fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_answers_survive_going_back_and_changing_them(client, sessions):
    fill(client)
    page = client.get("/apply/victim-name").get_data(as_text=True)
    assert 'value="Margaret Ellis"' in page
    page = client.get("/apply/incidents/2").get_data(as_text=True)
    assert "Eggs thrown at the windows." in page and 'value="11"' in page
    check = client.get("/apply/check").get_data(as_text=True)
    assert "/apply/victim-name?change=1" in check and "Monday 3 November 2025" in check
    response = answer(
        client, "/apply/victim-name", {"victim_name": "Margaret A. Ellis"}, change=True
    )
    assert response.location.endswith("/apply/check")
    assert "Margaret A. Ellis" in client.get("/apply/check").get_data(as_text=True)


def test_changing_to_applying_for_someone_asks_about_the_applicant(client):
    fill(client)
    response = answer(client, "/apply/who", {"who": "on_behalf"}, change=True)
    assert response.location.endswith("/apply/about-you?change=1")
    assert client.get("/apply/check").location.endswith("/apply/about-you")


def test_an_incident_can_be_removed(client, sessions):
    fill(client)
    page = client.get("/apply/incidents").get_data(as_text=True)
    assert "You have told us about 3 incidents" in page
    client.post("/apply/incidents/2/remove", data={"csrf_token": token(page)})
    page = client.get("/apply/incidents").get_data(as_text=True)
    assert "You have told us about 2 incidents" in page and "Eggs thrown" not in page


def test_a_later_page_cannot_be_reached_before_the_earlier_ones(client):
    answer(client, "/apply/who", {"who": "victim"})
    assert client.get("/apply/contact").location.endswith("/apply/victim-type")
    assert client.get("/apply/check").location.endswith("/apply/victim-type")


def test_without_a_started_application_the_pages_lead_to_the_start(client):
    assert client.get("/apply/contact").location.endswith("/apply")
    assert client.get("/apply/check").location.endswith("/apply")
    assert client.get("/apply/confirmation").location.endswith("/apply")


def test_a_half_finished_application_expires_and_its_data_is_deleted(app, client, sessions):
    fill(client, AS_VICTIM[:5])
    assert count(sessions, ApplicationDraft) == 1
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW + timedelta(minutes=61)
    response = client.get("/apply/needs")
    assert response.location.endswith("/apply")
    page = client.get("/apply").get_data(as_text=True)
    assert "Your answers were deleted because nothing was changed for 60 minutes" in page


def test_the_sweep_deletes_expired_drafts_and_keeps_fresh_ones(client, sessions, policy, tmp_path):
    from notifications.senders import FileSender
    from workflows.sweep import sweep

    fill(client, AS_VICTIM[:5])
    sender = FileSender(tmp_path, "casereview@example.org")
    assert sweep(sessions, policy, sender, SAMPLE_NOW + timedelta(minutes=59)).drafts_deleted == 0
    assert count(sessions, ApplicationDraft) == 1
    assert sweep(sessions, policy, sender, SAMPLE_NOW + timedelta(minutes=60)).drafts_deleted == 1
    assert count(sessions, ApplicationDraft) == 0


def test_a_post_without_the_csrf_token_keeps_what_was_typed_and_saves_nothing(client, sessions):
    answer(client, "/apply/who", {"who": "victim"})
    response = client.post("/apply/victim-type", data={"victim_type": "business"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "we could not save it" in page
    assert re.search(r'value="business"\s+checked', page)
    with read_session(sessions) as session:
        assert "victim_type" not in session.scalar(select(ApplicationDraft)).answers


def test_the_honeypot_turns_a_bot_away_and_opens_nothing(client, sessions):
    fill(client)
    response = send(client, website="http://spam.example")
    assert response.status_code == 400
    assert "We could not accept this application" in response.get_data(as_text=True)
    assert count(sessions, CaseReview) == 0


def test_sending_is_rate_limited_per_address(app, config, sessions, engine):
    import dataclasses

    from web.app import create_app

    limited = dataclasses.replace(
        config, online=dataclasses.replace(config.online, submission_limit="2 per hour")
    )
    app = create_app(limited, engine=engine)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    statuses = []
    for _ in range(3):
        client = app.test_client()
        fill(client)
        statuses.append(send(client).status_code)
    assert statuses == [302, 302, 429]
    page = send(client).get_data(as_text=True)
    assert "Several applications have been sent from this connection" in page
    assert count(sessions, CaseReview) == 2
    with read_session(sessions) as session:  # the third person's answers are kept
        drafts = session.scalars(select(ApplicationDraft)).all()
        assert [d.answers["victim_name"] for d in drafts if "sent" not in d.answers] == [
            "Margaret Ellis"
        ]


def test_the_form_never_says_whether_a_person_is_known(client, sessions):
    fill(client)
    send(client)
    second = client.application.test_client()
    fill(second)
    page = second.get("/apply/check").get_data(as_text=True)
    assert "already" not in page.lower()
    response = send(second)
    assert response.status_code == 302
    confirmation = second.get("/apply/confirmation").get_data(as_text=True)
    assert "already" not in confirmation.lower() and "CT-2025-002" in confirmation


def test_every_public_page_has_the_security_headers(client):
    fill(client)
    for path in ["/apply", "/apply/who", "/apply/incidents", "/apply/check"]:
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
        assert "script-src 'self' 'nonce-" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        page = response.get_data(as_text=True)
        assert "<script>" not in page.replace("<script nonce=", "")


def test_no_personal_data_in_logs_or_urls(client, caplog):
    caplog.set_level(logging.DEBUG)
    visited = []
    for path, fields in AS_VICTIM:
        response = answer(client, path, fields)
        visited.append(response.location)
    visited.append(send(client).location)
    typed = ["Margaret", "Ellis", "margaret@example.net", "kicked", "LP-20251104", "Nobody"]
    for url in visited:
        assert not any(value.lower() in url.lower() for value in typed), url
        assert "?" not in url or url.endswith("?change=1")
    for record in caplog.records:
        assert not any(value in record.getMessage() for value in typed), record.getMessage()
    assert any("online application sent: CT-2025-001" in r.getMessage() for r in caplog.records)


def test_the_confirmation_email_names_the_acknowledgement_date(client, sessions, policy, tmp_path):
    from notifications.senders import FileSender
    from workflows.sweep import sweep

    fill(client)
    send(client)
    result = sweep(sessions, policy, FileSender(tmp_path, "casereview@example.org"), SAMPLE_NOW)
    assert result.sent == 1
    (eml,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "margaret@example.net"
    assert message["Subject"].strip() == (
        "We have received your application for an ASB case review (CT-2025-001)"
    )
    body = message.get_body(("plain",)).get_content()
    assert "Dear Margaret Ellis" in body
    assert "we will acknowledge your application by Monday 8 December 2025" in body


def test_an_online_case_shows_on_the_dashboard_with_its_tag_and_suggestion(app, client, world):
    from tests.web.test_access import sign_in

    fill(client)
    send(client)
    staff = app.test_client()
    sign_in(staff, world["users"]["manager"])
    dashboard = staff.get("/").get_data(as_text=True)
    online = r"<tr[^>]*>(?:(?!</tr>).)*CT-2025-\d+(?:(?!</tr>).)*Online.*?</tr>"
    row = re.search(online, dashboard, re.S)
    assert row and "Monday 8 December 2025" in row.group(0)
    assert "Rules suggest: met" in row.group(0)


def test_with_the_form_switched_off_the_start_page_gives_the_other_ways(config, engine):
    import dataclasses

    from web.app import create_app

    off = dataclasses.replace(config, online=dataclasses.replace(config.online, enabled=False))
    client = create_app(off, engine=engine).test_client()
    page = client.get("/apply").get_data(as_text=True)
    assert "You cannot apply online at the moment" in page and "Start now" not in page
    assert config.partnership.contact_phone in page
    assert client.get("/apply/who").location.endswith("/apply")
    assert client.post("/apply/check").location.endswith("/apply")


def test_sending_twice_opens_one_case_and_shows_the_same_confirmation(client, sessions):
    """A double click without JavaScript: the second request carries the first's cookie."""
    fill(client)
    page = client.get("/apply/check").get_data(as_text=True)
    before = client.get_cookie("session").value
    assert send(client).status_code == 302
    client.set_cookie("session", before)
    again = client.post("/apply/check", data={"csrf_token": token(page), "website": ""})
    assert again.status_code == 302 and again.location.endswith("/apply/confirmation")
    assert "CT-2025-001" in client.get("/apply/confirmation").get_data(as_text=True)
    client.set_cookie("session", before)
    assert client.get("/apply/needs").location.endswith("/apply/confirmation")
    assert count(sessions, CaseReview) == 1


def test_two_sends_at_the_same_moment_open_one_case(app, sessions):
    import threading

    first = app.test_client()
    fill(first)
    page = first.get("/apply/check").get_data(as_text=True)
    cookie = first.get_cookie("session").value
    clients = [app.test_client() for _ in range(4)]
    for each in clients:
        each.set_cookie("session", cookie)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def click(each):
        barrier.wait()
        response = each.post("/apply/check", data={"csrf_token": token(page), "website": ""})
        statuses.append((response.status_code, response.location))

    threads = [threading.Thread(target=click, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(302, "/apply/confirmation")] * len(clients)
    assert count(sessions, CaseReview) == 1


def test_the_sweep_deletes_what_is_left_of_a_sent_application(client, sessions, policy, tmp_path):
    from notifications.senders import FileSender
    from workflows.sweep import sweep

    fill(client)
    send(client)
    later = SAMPLE_NOW + timedelta(minutes=60)
    sweep(sessions, policy, FileSender(tmp_path, "casereview@example.org"), later)
    assert count(sessions, ApplicationDraft) == 0


def reported_to(pages, *bodies: str):
    """The victim's answers with incidents 1, 2 and 3 reported to these bodies instead."""
    changed = iter(bodies)
    return [
        (path, {**fields, "reported_to": next(changed)})
        if path.startswith("/apply/incidents/")
        else (path, fields)
        for path, fields in pages
    ]


def test_the_public_form_records_health_and_a_private_landlord_apart(client, sessions, policy):
    fill(client, reported_to(AS_VICTIM, "health", "private_landlord", "housing_provider"))
    check = client.get("/apply/check").get_data(as_text=True)
    assert "The NHS" in check and "A private landlord" in check
    send(client)
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview))
        complaints = [c for i in case.incidents for c in i.complaints]
        assert [(c.reported_to, c.is_registered_provider) for c in complaints] == [
            ("health", True),
            ("other", True),
            ("housing_provider", True),
        ]
        # A private landlord is not a relevant body: two qualifying complaints, not three.
        suggestion = threshold_suggestion(case, policy)
        assert not suggestion.statutory_floor_met
        assert "did not go to a relevant body" in suggestion.rules[0].explanation


def test_the_check_page_shows_the_address_on_lines_not_a_literal_br(client):
    """Issue 18: the check-answers page showed "1 High Street&lt;br&gt;Loughborough"."""
    pages = [
        (path, fields)
        if path != "/apply/contact"
        else (
            path,
            {
                "contact_preference": "letter",
                "email": "",
                "phone": "",
                "address": "1 High Street\r\nLoughborough <Leics>",
                "postcode": "LE11 1AA",
            },
        )
        for path, fields in AS_VICTIM
    ]
    fill(client, pages)
    page = client.get("/apply/check").get_data(as_text=True)
    assert "1 High Street" in page
    assert "<br>Loughborough &lt;Leics&gt;<br>LE11 1AA" in page
    assert "&lt;br&gt;" not in page


def test_one_incident_reported_to_three_bodies_and_by_a_neighbour_is_one_incident(client, sessions):
    """The public form's "Add another report": one night reported to the police, the council
    and the housing association, once by a neighbour, is one incident with four complaints."""
    fill(client, AS_VICTIM[:6])  # through the first incident
    for body, day, reporter in (("council", "4", ""), ("housing_provider", "5", "Ann Lee")):
        response = answer(
            client,
            "/apply/incidents/1/reports",
            {"reported_to": body, "reported_on": [day, "11", "2025"], "reporter": reporter},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    refused = answer(
        client,
        "/apply/incidents/1/reports",
        {"reported_to": "police", "reported_on": ["1", "11", "2025"]},
    )
    assert refused.status_code == 400
    assert "must be on or after the date it happened" in refused.get_data(as_text=True)
    summary = client.get("/apply/incidents").get_data(as_text=True)
    assert "The council on Tuesday 4 November 2025" in summary and "by Ann Lee" in summary
    fill(client, [("/apply/incidents", {"another": "no"}), AS_VICTIM[-1]])
    assert "by Ann Lee" in client.get("/apply/check").get_data(as_text=True)
    assert send(client).status_code == 302
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview))
        assert len(case.incidents) == 1
        complaints = case.incidents[0].complaints
        assert [(c.reported_to, c.reporter) for c in complaints] == [
            ("police", "Margaret Ellis"),
            ("council", "Margaret Ellis"),
            ("housing_provider", "Ann Lee"),
        ]
