"""A panel moved, called off or reversed reaches each invitee's calendar: the real SMTP
sink receives the messages, and their calendar parts are parsed with ``icalendar``."""

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW, case_in_state
from triggers.db import write_transaction
from triggers.models import AuditEvent, CaseReview, OutboxMessage
from workflows.service import apply, reverse_step
from workflows.sweep import sweep

INVITEES = ["alex@example.org", "asb.team@example.org", "neighbourhood.policing@example.org"]


def scheduled(sessions, partnership, policy) -> str:
    with write_transaction(sessions) as session:
        case = case_in_state(session, session.merge(partnership), policy, "panel_scheduled")
        return case.reference


def step(sessions, policy, reference, event, data, now):
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        if event == "reverse_step":
            return reverse_step(session, case, data, MANAGER, now, policy)
        return apply(session, case, event, data, MANAGER, now, policy)


def calendar_parts(mailbox, kind):
    """Each ``kind`` message received: (to, the METHOD, the one VEVENT)."""
    found = []
    for message in mailbox.messages:
        if message["X-Casereview-Kind"] != kind:
            continue
        [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_content())
        [event] = calendar.walk("VEVENT")
        assert part.get_param("method") == str(calendar["method"])
        found.append((message["To"], str(calendar["method"]), event))
    return sorted(found, key=lambda found: found[0])


def test_a_moved_panel_invites_everyone_again_with_a_higher_sequence(
    sessions, partnership, policy, smtp, mailbox
):
    reference = scheduled(sessions, partnership, policy)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    first = calendar_parts(mailbox, "panel_invitation")
    assert [to for to, _, _ in first] == INVITEES
    mailbox.messages.clear()
    later = SAMPLE_NOW + timedelta(hours=1)
    moved = {"panel_on": "2025-12-08", "starts_at": "14:00", "location": "Council offices"}
    step(sessions, policy, reference, "schedule_panel", moved, later)
    sweep(sessions, policy, smtp, later)
    second = calendar_parts(mailbox, "panel_invitation")
    assert [to for to, _, _ in second] == INVITEES
    for (_, _, before), (_, method, after) in zip(first, second, strict=True):
        assert method == "REQUEST"
        assert after["uid"] == before["uid"]
        assert int(after["sequence"]) > int(before["sequence"])
        assert after.decoded("dtstart").isoformat() == "2025-12-08T14:00:00+00:00"
        assert str(after["location"]) == "Council offices"


def test_a_withdrawn_case_cancels_its_panel_in_each_invitees_calendar(
    sessions, partnership, policy, smtp, mailbox
):
    reference = scheduled(sessions, partnership, policy)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    invited = {to: event for to, _, event in calendar_parts(mailbox, "panel_invitation")}
    later = SAMPLE_NOW + timedelta(hours=1)
    step(sessions, policy, reference, "withdraw", {"reason": "The applicant moved away."}, later)
    sweep(sessions, policy, smtp, later)
    cancelled = calendar_parts(mailbox, "panel_cancelled")
    assert [to for to, _, _ in cancelled] == INVITEES
    for to, method, event in cancelled:
        assert method == "CANCEL"
        assert str(event["status"]) == "CANCELLED"
        assert event["uid"] == invited[to]["uid"]
        assert int(event["sequence"]) > int(invited[to]["sequence"])
    [letter] = [m for m in mailbox.messages if m["X-Casereview-Kind"] == "panel_cancelled"][:1]
    assert "will not take place, because the case review was withdrawn" in (
        letter.get_body(("plain",)).get_content()
    )


def test_an_invitation_not_yet_sent_never_follows_its_cancellation(
    sessions, partnership, policy, smtp, mailbox
):
    reference = scheduled(sessions, partnership, policy)
    step(sessions, policy, reference, "withdraw", {"reason": "Withdrawn."}, SAMPLE_NOW)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    assert calendar_parts(mailbox, "panel_invitation") == []
    assert {method for _, method, _ in calendar_parts(mailbox, "panel_cancelled")} == {"CANCEL"}
    # The withdrawal reversed: the invitations stopped by it go after all.
    mailbox.messages.clear()
    later = SAMPLE_NOW + timedelta(hours=1)
    step(sessions, policy, reference, "reverse_step", {"event": "withdraw", "reason": "x"}, later)
    sweep(sessions, policy, smtp, later)
    assert [to for to, _, _ in calendar_parts(mailbox, "panel_invitation")] == INVITEES


def test_a_reversed_panel_step_tells_whoever_its_letters_reached(
    sessions, partnership, policy, smtp, mailbox
):
    reference = scheduled(sessions, partnership, policy)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    invited = {to: event for to, _, event in calendar_parts(mailbox, "panel_invitation")}
    mailbox.messages.clear()
    later = SAMPLE_NOW + timedelta(hours=1)
    undo = {"event": "schedule_panel", "reason": "Scheduled on the wrong case"}
    outcome = step(sessions, policy, reference, "reverse_step", undo, later)
    assert any("panel as it now stands" in warning for warning in outcome.warnings)
    sweep(sessions, policy, smtp, later)
    cancelled = calendar_parts(mailbox, "panel_cancelled")
    assert [to for to, _, _ in cancelled] == INVITEES
    for to, method, event in cancelled:  # the panel row is gone; its entry is cancelled
        assert (method, event["uid"]) == ("CANCEL", invited[to]["uid"])
        assert int(event["sequence"]) > int(invited[to]["sequence"])
        assert event.decoded("dtstart") == invited[to].decoded("dtstart")
    with write_transaction(sessions) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.event == "reverse_step")).one()
        assert len(audit.data["panel_letters_queued"]) == 3
        assert (
            session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.kind == "panel_cancelled")
            ).all()
            == ["sent"] * 3
        )


def test_a_reversed_move_puts_the_panel_back_in_every_calendar(
    sessions, partnership, policy, smtp, mailbox
):
    reference = scheduled(sessions, partnership, policy)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    later = SAMPLE_NOW + timedelta(hours=1)
    moved = {"panel_on": "2025-12-08", "starts_at": "14:00", "location": "Council offices"}
    step(sessions, policy, reference, "schedule_panel", moved, later)
    sweep(sessions, policy, smtp, later)
    mailbox.messages.clear()
    latest = later + timedelta(hours=1)
    undo = {"event": "schedule_panel", "reason": "Moved in error"}
    step(sessions, policy, reference, "reverse_step", undo, latest)
    sweep(sessions, policy, smtp, latest)
    back = calendar_parts(mailbox, "panel_invitation")
    assert [to for to, _, _ in back] == INVITEES
    assert {(method, e.decoded("dtstart").isoformat()[:10]) for _, method, e in back} == {
        ("REQUEST", "2025-12-01")
    }


def test_a_panel_moved_before_its_invitation_went_invites_once_to_the_new_time(
    sessions, partnership, policy, smtp, mailbox
):
    """Arranged and moved before the sweep: each invitee gets one invitation, to the new
    time (not two alike with the same SEQUENCE); the file names its time zone (VTIMEZONE)."""
    reference = scheduled(sessions, partnership, policy)
    later = SAMPLE_NOW + timedelta(minutes=5)
    moved = {"panel_on": "2025-12-08", "starts_at": "14:00", "location": "Council offices"}
    step(sessions, policy, reference, "schedule_panel", moved, later)
    sweep(sessions, policy, smtp, later)
    invited = calendar_parts(mailbox, "panel_invitation")
    assert [to for to, _, _ in invited] == INVITEES
    for _, method, event in invited:
        assert method == "REQUEST"
        assert event.decoded("dtstart").isoformat() == "2025-12-08T14:00:00+00:00"
    message = next(m for m in mailbox.messages if m["X-Casereview-Kind"] == "panel_invitation")
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
