"""Realistic demo cases, one or more in each state, dated relative to today.

Every case is built through the real service, step by step, so the demo shows exactly what
a manager would see: deadlines, audit history, letters waiting in the outbox.
"""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triggers.figures import performance_year, year_containing
from triggers.models import CaseReview, Partnership, User
from triggers.policy import Policy
from workflows.closing import open_recommendations
from workflows.history_import import CHANNEL, COLUMNS, check_file, import_cases
from workflows.service import Actor, apply, open_case

DEMO_ACTOR = Actor(label="demo data")
#: Victims who asked for letters by post: their letters become PDFs for the manager to send.
BY_POST = {"Margaret Ellis", "Lee Thompson"}
#: Applied through the public form (/apply): tagged "Online" on the dashboard.
ONLINE = {"Amira Khan"}

RATIONALE = (
    "Persistence: repeated incidents over several months. Harm: the victim reports anxiety "
    "and has stopped using the garden. Adequacy of response: reports were logged by two "
    "agencies but not linked, and no risk assessment was recorded."
)

# name, victim type, working days ago received, hate, [(event, working days after receipt, data)]
SCENARIOS: list[tuple[str, str, int, bool, list[tuple[str, int, dict[str, Any]]]]] = [
    ("Amira Khan", "individual", 2, False, []),
    ("Green Lane Residents' Group", "community_group", 7, False, [("acknowledge", 3, {})]),
    (
        "Daniel Price",
        "individual",
        20,
        True,
        [
            ("acknowledge", 2, {}),
            (
                "decide_threshold",
                8,
                {"decision": "met", "rationale": RATIONALE, "lead_agency": "Leicestershire Police"},
            ),
        ],
    ),
    (
        "Corner Shop Ltd",
        "business",
        30,
        False,
        [
            ("acknowledge", 4, {}),
            (
                "decide_threshold",
                12,
                {
                    "decision": "met",
                    "rationale": RATIONALE,
                    "lead_agency": "Charnwood Borough Council",
                },
            ),
            ("schedule_panel", 15, {"panel_on": "+35", "location": "Council Offices, Room 2"}),
        ],
    ),
    (
        "Margaret Ellis",
        "individual",
        45,
        False,
        [
            ("acknowledge", 3, {}),
            ("decide_threshold", 14, {"decision": "met", "rationale": RATIONALE}),
            ("schedule_panel", 16, {"panel_on": "+40"}),
            (
                "record_review",
                41,
                {
                    "findings": "Incidents were recorded on three systems and never linked. The "
                    "victim's vulnerability was not identified.",
                    "victim_attended": True,
                    "attendees": ["CSP manager", "Police sergeant", "Council ASB officer"],
                    "themes": ["inconsistent_recording", "vulnerability_not_identified"],
                    "recommendations": [
                        {
                            "agency": "Leicestershire Police",
                            "action": "Flag the address as a repeat victim location",
                            "due_on": "+45",
                        },
                        {
                            "agency": "Charnwood Borough Council",
                            "action": "Complete a risk assessment with the victim",
                            "due_on": "+50",
                        },
                    ],
                },
            ),
        ],
    ),
    (
        "Peter Novak",
        "individual",
        70,
        False,
        [
            ("acknowledge", 3, {}),
            ("decide_threshold", 10, {"decision": "met", "rationale": RATIONALE}),
            ("schedule_panel", 12, {"panel_on": "+35"}),
            (
                "record_review",
                35,
                {
                    "findings": "Agencies responded adequately to each report but did "
                    "not share information.",
                    "victim_attended": False,
                    "themes": ["lack_of_multi_agency_working"],
                    "recommendations": [
                        {
                            "agency": "Example Housing Association",
                            "action": "Refer to the Joint Action Group",
                            "due_on": "+60",
                        }
                    ],
                },
            ),
            ("send_findings", 55, {}),
        ],
    ),
    (
        "Sunita Patel",
        "individual",
        25,
        False,
        [
            ("acknowledge", 2, {}),
            (
                "decide_threshold",
                9,
                {
                    "decision": "not_met",
                    "rationale": "Only one complaint in "
                    "the six months before the application; agencies responded "
                    "within their service standards.",
                },
            ),
        ],
    ),
    (
        "Lee Thompson",
        "individual",
        40,
        False,
        [
            ("acknowledge", 3, {}),
            (
                "decide_threshold",
                9,
                {
                    "decision": "not_met",
                    "rationale": "A single complaint "
                    "about noise, dealt with by the council's noise team.",
                },
            ),
            ("appeal", 28, {"grounds": "The police reports I made were not considered."}),
        ],
    ),
    (
        "Hannah Wright",
        "individual",
        120,
        False,
        [
            ("acknowledge", 4, {}),
            ("decide_threshold", 10, {"decision": "met", "rationale": RATIONALE}),
            ("schedule_panel", 14, {"panel_on": "+30"}),
            (
                "record_review",
                30,
                {
                    "findings": "Response adequate; one action agreed.",
                    "victim_attended": True,
                    "recommendations": [
                        {
                            "agency": "Leicestershire Police",
                            "action": "Increase patrols for six weeks",
                            "due_on": "+45",
                        }
                    ],
                },
            ),
            ("send_findings", 33, {}),
            ("close", 60, {"reason": "Action plan complete; no appeal received."}),
        ],
    ),
    (
        "Robert Hughes",
        "individual",
        15,
        False,
        [
            ("acknowledge", 2, {}),
            ("withdraw", 6, {"reason": "The applicant has moved away and asked to withdraw."}),
        ],
    ),
]


def existing_data(session: Session, partnership_code: str) -> str:
    """What the database holds beyond what ``casereview init`` creates (the configured
    partnership and its agencies), in words; empty when it holds nothing else.

    The demo adds accounts with a published password, prints a manager's API token and
    imports invented past years into the figures: never on a database with real data, so
    any case, any user or any other partnership counts as data.
    """
    cases = session.scalar(select(func.count()).select_from(CaseReview)) or 0
    users = session.scalar(select(func.count()).select_from(User)) or 0
    others = session.scalar(
        select(func.count()).select_from(Partnership).where(Partnership.code != partnership_code)
    )
    held = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((cases, "case"), (users, "user"), (others or 0, "other partnership"))
        if count
    ]
    return ", ".join(held)


def load_demo(session: Session, partnership: Partnership, policy: Policy, now: datetime) -> int:
    """Load the demo cases unless the partnership already has cases; return how many."""
    existing = session.scalar(
        select(func.count())
        .select_from(CaseReview)
        .where(CaseReview.partnership_id == partnership.id, CaseReview.channel != CHANNEL)
    )
    if existing:
        return 0
    today = policy.today(now)
    calendar = policy.calendar
    for name, victim_type, days_ago, hate, steps in SCENARIOS:
        received_on = calendar.subtract_working_days(today, days_ago)

        def day(offset: int, received_on: date = received_on) -> date:
            return min(calendar.add_working_days(received_on, offset), today)

        not_met = any(data.get("decision") == "not_met" for _, _, data in steps)
        application = _application(
            name, victim_type, received_on, hate, calendar, incidents=1 if not_met else 3
        )
        case = open_case(session, partnership, application, DEMO_ACTOR, now, policy)
        for event, offset, data in steps:
            data = {key: _resolve(value, received_on) for key, value in data.items()}
            if event == "close":  # the action plan carried out (workflows.closing)
                data["recommendations"] = [
                    {
                        "id": rec.id,
                        "status": "done",
                        "reason": "Carried out, as the agency reported.",
                    }
                    for rec in open_recommendations(case)
                ]
            apply(
                session,
                case,
                event,
                {**data, "on": day(offset).isoformat()},
                DEMO_ACTOR,
                now,
                policy,
            )
    return len(SCENARIOS)


def _resolve(value: Any, received_on: date) -> Any:
    """'+N' means about N working days after receipt (for future dates, counted plainly)."""
    if isinstance(value, str) and value.startswith("+"):
        return (received_on + timedelta(days=round(int(value[1:]) * 7 / 5))).isoformat()
    if isinstance(value, list):
        return [_resolve(item, received_on) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, received_on) for key, item in value.items()}
    return value


#: Who each demo incident was reported to: every relevant body appears, and one complaint to
#: the victim's MP that is shown to the panel but never counts towards the Act's floor.
REPORTED_TO = {
    16: ("police", "council"),
    10: ("health", "other"),
    4: ("housing_provider",),
}


def _application(
    name: str, victim_type: str, received_on: date, hate: bool, calendar: Any, incidents: int
) -> dict[str, Any]:
    happened = (
        (4, "Car tyres let down on the drive"),
        (10, "Rubbish thrown into the garden"),
        (16, "Shouting and swearing outside the house late at night"),
    )
    recorded = []
    for weeks_before, text in reversed(happened[:incidents]):
        occurred_on = calendar.subtract_working_days(received_on, weeks_before * 5)
        reported_on = calendar.add_working_days(occurred_on, 2)
        recorded.append(
            {
                "occurred_on": occurred_on.isoformat(),
                "description": text,
                "hate_related": hate and weeks_before == 4,
                "complaints": [
                    {
                        "reported_on": reported_on.isoformat(),
                        "reported_to": body,
                        "reporter": name,
                        "reference": f"REF-{weeks_before:02d}",
                    }
                    for body in REPORTED_TO[weeks_before]
                ],
            }
        )
    return {
        "received_on": received_on.isoformat(),
        "channel": "online" if name in ONLINE else "phone",
        "victim": {
            "type": victim_type,
            "name": name,
            "contact_preference": "letter" if name in BY_POST else "email",
            # Each victim their own address: subject access matches a person by it.
            "email": re.sub(r"[^a-z]+", ".", name.lower()).strip(".") + "@example.org",
            "address": "1 Example Street, Loughborough",
        },
        "incidents": recorded,
        "dissatisfaction": "I reported this many times and nothing changed.",
        "single_point_of_contact": "Sam Carter, Community Safety Officer",
        "agencies": ["Leicestershire Police", "Charnwood Borough Council"],
    }


#: Wards of the demo partnership, for the published breakdown by area.
WARDS = ("Loughborough Lemyngton", "Loughborough Hastings", "Shepshed East", "Syston West")


def load_demo_history(
    session: Session, partnership: Partnership, policy: Policy, now: datetime
) -> int:
    """Import five past years of cases, as a partnership's spreadsheet would hold them."""
    today = policy.today(now)
    plan = check_file(io.StringIO(demo_history(today, policy)), session, policy, today, partnership)
    import_cases(session, plan, policy, now, "demo history")
    return len(plan.new)


def demo_history(today: date, policy: Policy) -> str:
    """The last five performance years as CSV: dates and counts only, no personal data."""
    rng = random.Random(104)  # the same history every time
    calendar, config = policy.calendar, policy.config
    month = config.statistics.year_start_month
    current = year_containing(today, month)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c for c in COLUMNS if c != "partnership"])
    writer.writeheader()
    numbers: dict[int, int] = {}
    for back in range(5, 0, -1):
        year = performance_year(current.start_year - back, month)
        for _ in range(rng.randint(4, 9)):
            received = year.start + timedelta(days=rng.randrange((year.end - year.start).days))
            numbers[received.year] = numbers.get(received.year, 0) + 1
            row = history_row(rng, received, calendar, config.theme_keys())
            # "H" keeps the live demo's references (CT-2026-001...) as the README shows them.
            number = numbers[received.year]
            row["reference"] = f"{config.partnership.code}-{received.year}-H{number:02d}"
            row["ward"] = rng.choice(WARDS)
            writer.writerow(_as_of(row, today))
    return buffer.getvalue()


def history_row(rng: random.Random, received: date, calendar: Any, themes: list[str]) -> dict:
    def later(start: date, low: int, high: int) -> date:
        return calendar.add_working_days(start, rng.randint(low, high))

    row: dict[str, Any] = {"received_on": received, "hate_related": "no", "youth_asb": "no"}
    row["hate_related"] = "yes" if rng.random() < 0.15 else "no"
    row["youth_asb"] = "yes" if rng.random() < 0.25 else "no"
    row["acknowledged_on"] = acknowledged = later(received, 1, 6)
    if rng.random() < 0.05:
        row["withdrawn_on"] = later(acknowledged, 2, 8)
        return row
    row["threshold_decided_on"] = decided = later(acknowledged, 4, 10)

    def appeal_or_close(after: date, chance: float, close_low: int, close_high: int) -> None:
        if rng.random() < chance:
            row["appeal_received_on"] = appealed = later(after, 5, 18)
            row["appeal_outcome"] = "not_upheld"
            row["closed_on"] = later(appealed, 10, 20)
        else:
            row["closed_on"] = later(after, close_low, close_high)

    if rng.random() < 0.15:
        row["threshold_decision"] = "not_met"
        appeal_or_close(decided, 0.4, 21, 30)
        return row
    row["threshold_decision"] = "met"
    row["panel_held_on"] = held = later(decided, 14, 32)
    row["recommendations"] = rng.choice((0, 2, 3, 3, 4, 5, 6))
    row["themes"] = ";".join(rng.sample(themes, k=min(len(themes), rng.randint(1, 3))))
    row["findings_sent_on"] = sent = later(held, 2, 6)
    appeal_or_close(sent, 0.15, 30, 70)
    return row


def _as_of(row: dict[str, Any], today: date) -> dict[str, Any]:
    """Steps still to come are left out, with what depends on them: the case is open."""
    kept = {k: v for k, v in row.items() if not (isinstance(v, date) and v > today)}
    for needed, dependants in (
        ("threshold_decided_on", ("threshold_decision",)),
        ("panel_held_on", ("recommendations", "themes")),
        ("appeal_received_on", ("appeal_outcome",)),
    ):
        if needed not in kept:
            for name in dependants:
                kept.pop(name, None)
    return kept
