"""Reminders before each deadline, on the day, and escalations: walked day by day."""

import json
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from notifications.reminders import latest_stage, stages
from tests.factories import EVENT_DATA, MANAGER, at, new_case
from triggers.db import write_transaction
from triggers.models import OutboxMessage
from web.cli import main
from workflows.service import apply
from workflows.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]


def reminders_sent(mailbox) -> list[tuple[str, str]]:
    """(kind, subject) of each reminder, escalation or digest the server accepted."""
    return [
        (m["X-Casereview-Kind"], m["Subject"])
        for m in mailbox.messages
        if m["X-Casereview-Kind"] in ("reminder", "escalation", "digest")
    ]


def test_the_stages_of_the_acknowledgement_across_easter(policy):
    # Received Thursday 17 April 2025; acknowledgement due Monday 28 April 2025.
    due, started = date(2025, 4, 28), date(2025, 4, 17)
    assert [(s.name, s.on) for s in stages(due, started, policy)] == [
        ("before:5", date(2025, 4, 17)),  # Good Friday and Easter Monday are not counted
        ("before:2", date(2025, 4, 24)),
        ("due", date(2025, 4, 28)),
        ("escalation", date(2025, 4, 29)),
    ]
    assert latest_stage(due, started, date(2025, 4, 27), policy).name == "before:2"


def test_a_case_walked_day_by_day_gets_each_reminder_once(
    sessions, partnership, policy, smtp, mailbox, people
):
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17))
    sent_on: dict[str, date] = {}
    day = date(2025, 4, 17)
    while day <= date(2025, 5, 2):
        for hour in (9, 15):  # two sweeps a day: the second sends nothing new
            sweep(sessions, policy, smtp, at(day.year, day.month, day.day, hour))
        for _kind, subject in reminders_sent(mailbox):
            sent_on.setdefault(subject, day)
        day += timedelta(days=1)
    assert sent_on == {
        "Due in 5 working days: acknowledgement for CT-2025-001": date(2025, 4, 17),
        "Due in 2 working days: acknowledgement for CT-2025-001": date(2025, 4, 24),
        "Due today: acknowledgement for CT-2025-001": date(2025, 4, 28),
        "OVERDUE: acknowledgement for CT-2025-001": date(2025, 4, 29),
    }
    assert len(reminders_sent(mailbox)) == 4
    escalation = next(m for m in mailbox.messages if m["X-Casereview-Kind"] == "escalation")
    assert escalation["To"] == "manager@example.org, chair@example.org"
    assert "was due on Monday 28 April 2025" in escalation.get_content()


def test_reminders_stop_when_the_step_is_done(sessions, partnership, policy, smtp, mailbox, people):
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17)
        )
    sweep(sessions, policy, smtp, at(2025, 4, 24))
    with write_transaction(sessions) as session:
        case = session.merge(case)
        apply(session, case, "acknowledge", {"on": "2025-04-24"}, MANAGER, at(2025, 4, 24), policy)
    for day in (25, 28, 29, 30):
        sweep(sessions, policy, smtp, at(2025, 4, day))
    subjects = [subject for _, subject in reminders_sent(mailbox)]
    assert subjects == ["Due in 2 working days: acknowledgement for CT-2025-001"]


def test_no_reminders_for_a_withdrawn_case(sessions, partnership, policy, smtp, mailbox, people):
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17)
        )
        apply(
            session,
            case,
            "withdraw",
            {**EVENT_DATA["withdraw"], "on": "2025-04-17"},
            MANAGER,
            at(2025, 4, 17),
            policy,
        )
    for day in (17, 24, 28, 29):
        sweep(sessions, policy, smtp, at(2025, 4, day))
    assert reminders_sent(mailbox) == []


def test_recommendation_owners_are_reminded(sessions, partnership, policy, smtp, mailbox, people):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        for name in (
            "acknowledge",
            "decide_threshold",
            "schedule_panel",
            "record_review",
            "send_findings",
        ):
            apply(session, case, name, EVENT_DATA[name], MANAGER, at(2025, 12, 1), policy)
    # The recommendation to the police is due Friday 30 January 2026.
    sweep(sessions, policy, smtp, at(2026, 1, 28))
    reminder = next(
        m
        for m in mailbox.messages
        if m["X-Casereview-Kind"] == "reminder" and "recommendation" in m["Subject"]
    )
    assert reminder["To"] == "neighbourhood.policing@example.org"
    assert "The recommendation: Flag the address" in reminder.get_content()


def test_a_daily_digest_instead_of_single_mails(
    sessions, partnership, base_config, smtp, mailbox, people
):
    import dataclasses

    from triggers.config import RemindersConfig
    from triggers.policy import Policy

    policy = Policy.from_config(
        dataclasses.replace(base_config, reminders=RemindersConfig(daily_digest=True))
    )
    with write_transaction(sessions) as session:
        for received in (date(2025, 4, 16), date(2025, 4, 17)):
            new_case(session, partnership, policy, received_on=received, now=at(2025, 4, 17))
    sweep(sessions, policy, smtp, at(2025, 4, 24))
    sweep(sessions, policy, smtp, at(2025, 4, 24, 15))
    digests = [m for m in mailbox.messages if m["X-Casereview-Kind"] == "digest"]
    assert len(digests) == 1
    assert digests[0]["Subject"] == (
        "ASB case reviews: 2 deadline reminders for Thursday 24 April 2025"
    )
    body = digests[0].get_content()
    assert "CT-2025-001: acknowledgement is due Friday 25 April 2025" in body
    assert "CT-2025-002: acknowledgement is due Monday 28 April 2025" in body
    assert [m for m in mailbox.messages if m["X-Casereview-Kind"] == "reminder"] == []


def test_sweep_as_if_it_were_from_the_command_line(
    database_url, engine, partnership, mailbox, people, tmp_path
):
    application = {
        "received_on": "2025-04-17",
        "victim": {"type": "individual", "name": "Jo", "address": "1 High Street, Syston"},
        "incidents": [{"occurred_on": "2025-04-10", "description": "Graffiti"}],
    }
    env = {
        "DATABASE_URL": database_url,
        "CASEREVIEW_CONFIG": str(ROOT / "config.toml"),
        "CASEREVIEW_MAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
    }
    runner = CliRunner()
    assert (
        runner.invoke(main, ["case", "open", "-"], input=json.dumps(application), env=env).exit_code
        == 0
    )
    result = runner.invoke(main, ["sweep", "--now", "2025-04-24T09:00"], env=env)
    assert result.exit_code == 0, result.output
    assert "Queued 1 reminder(s); sent 1" in result.output
    assert runner.invoke(main, ["sweep", "--now", "2025-04-24T09:05"], env=env).output.startswith(
        "Queued 0 reminder(s); sent 0"
    )
    bad = runner.invoke(main, ["sweep", "--now", "next tuesday"], env=env)
    assert bad.exit_code == 2 and "is not a date and time" in bad.output
    listed = runner.invoke(main, ["outbox", "list", "--status", "sent"], env=env).output
    assert "reminder" in listed and "CT-2025-001" in listed
    with engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.status)).scalars().all() == ["sent"]


def test_walking_a_case_through_christmas_sends_each_reminder_on_its_working_day(
    sessions, partnership, policy, smtp, mailbox, people
):
    """Threshold met on Wednesday 10 December 2025: the panel is due Thursday 22 January 2026."""
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 12, 3), now=at(2025, 12, 3)
        )
        apply(session, case, "acknowledge", {"on": "2025-12-04"}, MANAGER, at(2025, 12, 4), policy)
        apply(
            session,
            case,
            "decide_threshold",
            {**EVENT_DATA["decide_threshold"], "on": "2025-12-10"},
            MANAGER,
            at(2025, 12, 10),
            policy,
        )
        reference = case.reference
    first_seen: dict[str, date] = {}
    day = date(2025, 12, 10)
    while day <= date(2026, 1, 31):
        sweep(sessions, policy, smtp, at(day.year, day.month, day.day, 8))
        for _kind, subject in reminders_sent(mailbox):
            first_seen.setdefault(subject, day)
        if day == date(2026, 1, 26):  # the panel is finally held, late
            with write_transaction(sessions) as session:
                from triggers.models import CaseReview

                late = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
                apply(
                    session,
                    late,
                    "schedule_panel",
                    {"panel_on": "2026-01-26", "on": "2026-01-26"},
                    MANAGER,
                    at(2026, 1, 26),
                    policy,
                )
                apply(
                    session,
                    late,
                    "record_review",
                    {**EVENT_DATA["record_review"], "on": "2026-01-26"},
                    MANAGER,
                    at(2026, 1, 26),
                    policy,
                )
        day += timedelta(days=1)
    panel = {subject: seen for subject, seen in first_seen.items() if "panel" in subject}
    assert panel == {
        f"Due in 5 working days: case review panel for {reference}": date(2026, 1, 15),
        f"Due in 2 working days: case review panel for {reference}": date(2026, 1, 20),
        f"Due today: case review panel for {reference}": date(2026, 1, 22),
        f"OVERDUE: case review panel for {reference}": date(2026, 1, 23),
    }
    # The findings letter is due Monday 2 February 2026, 5 working days after the panel; the
    # panel was recorded after that morning's sweep, so the first reminder goes next morning.
    findings = {subject: seen for subject, seen in first_seen.items() if "findings" in subject}
    assert findings == {
        f"Due in 5 working days: findings letter for {reference}": date(2026, 1, 27),
        f"Due in 2 working days: findings letter for {reference}": date(2026, 1, 29),
    }


def test_thousands_of_reminders_at_once_are_all_queued(sessions, partnership, policy):
    """A regional installation back from an outage: 7,000 deadlines due at once. One INSERT
    of them all passes PostgreSQL's 65,535 bind parameters; they go in chunks, none lost."""
    from sqlalchemy import func, insert

    from notifications.reminders import queue_reminders
    from triggers.models import CaseReview, Deadline
    from workflows.case_review import CASE_REVIEW

    now = at(2025, 12, 1, 10)
    today, count = now.date(), 7_000
    with write_transaction(sessions) as session:
        session.execute(
            insert(CaseReview),
            [
                {
                    "id": number,
                    "partnership_id": partnership.id,
                    "reference": f"BULK-{number}",
                    "state": "received",
                    "received_on": today - timedelta(days=7),
                    "last_step_on": today - timedelta(days=7),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for number in range(1, count + 1)
            ],
        )
        session.execute(
            insert(Deadline),
            [
                {
                    "case_id": number,
                    "step": "acknowledge",
                    "started_on": today - timedelta(days=7),
                    "due_on": today,
                    "status": "running",
                }
                for number in range(1, count + 1)
            ],
        )
    with write_transaction(sessions) as session:
        assert queue_reminders(session, policy, now, CASE_REVIEW) == count
    with write_transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == count
        assert queue_reminders(session, policy, now, CASE_REVIEW) == 0  # and not twice


def test_a_reminder_links_to_the_form_its_task_opens(
    sessions, partnership, policy, smtp, mailbox, people, config
):
    """The e-mail opens the same item as the manager's My tasks (workflows.tasks)."""
    from notifications.links import case_path, site_url

    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17)
        )
        reference = case.reference
        acknowledged = new_case(
            session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17)
        )
        apply(session, acknowledged, "acknowledge", {}, MANAGER, at(2025, 4, 17), policy)
        other = acknowledged.reference
    sweep(sessions, policy, smtp, at(2025, 4, 28, 9))
    bodies = {
        m["Subject"]: m.get_content()
        for m in mailbox.messages
        if m["X-Casereview-Kind"] == "reminder"
    }
    base = site_url(policy.config)
    body = bodies[f"Due today: acknowledgement for {reference}"]
    assert f"Open it: {base}{case_path(reference, 'acknowledge')}" in body
    assert case_path(reference, "acknowledge") == (
        f"/cases/{reference}?open=acknowledge#open-acknowledge"
    )
    # A running threshold clock points at the decision, not at the acknowledgement.
    decision = next(text for subject, text in bodies.items() if other in subject)
    assert f"{base}/cases/{other}?open=decide_threshold#open-decide_threshold" in decision
