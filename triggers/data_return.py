"""The data return: one row per application, for the local policing body and the Home Office.

The Crime and Policing Act 2026 requires the relevant bodies to supply ASB case review data
to the local policing body and the Secretary of State. Until a national format is published
this is the interim one (README, "The data return"): no personal data (no names, addresses,
contact details, free text or dates of birth), only the dates of each step, the decision and
the routes that held, the outcomes, the appeal and review outcomes, timeliness, the agencies
involved counted by kind, the hate and youth flags and the ward. Steps that later versions of
the process add (the local policing body's review) are read generically from the audit
events, so their columns fill in without this module knowing their code.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from triggers.figures import PerformanceYear
from triggers.models import AuditEvent, CaseAgency, CaseReview
from triggers.statuses import DeadlineStatus

#: The kinds of agency counted (s.105 relevant bodies, and "other").
AGENCY_KINDS = ("council", "police", "health", "housing_provider", "other")
#: Events read generically: each gives its date and, where it has one, its outcome.
REVIEW_EVENTS = {
    "request_policing_body_review": "policing_body_review_requested_on",
    "decide_policing_body_review": "policing_body_review_decided_on",
}
#: Outcomes other than "met"/"not met" that a step may record (issue 19: ineligible,
#: vexatious), found in any event's ``outcome`` or ``decision``.
OTHER_OUTCOMES = ("ineligible", "vexatious")

COLUMNS = (
    "partnership",
    "reference",
    "year",
    "received_on",
    "channel",
    "acknowledged_on",
    "acknowledged_within_limit",
    "threshold_decided_on",
    "threshold_decision",
    "routes_held",
    "other_outcome",
    "panel_held_on",
    "panel_within_limit",
    "within_agreed_extension",
    "recommendations",
    "findings_sent_on",
    "appeal_received_on",
    "appeal_decided_on",
    "appeal_outcome",
    "policing_body_review_requested_on",
    "policing_body_review_decided_on",
    "policing_body_review_outcome",
    "state",
    "ended_on",
    "ended_as",
    *(f"agencies_{kind}" for kind in AGENCY_KINDS),
    "hate_related",
    "youth_asb",
    "ward",
)


def return_rows(
    session: Session, year: PerformanceYear, partnership_id: int | None = None
) -> list[dict[str, Any]]:
    """One row per application received in ``year`` (of one partnership, or all)."""
    query = (
        select(CaseReview)
        .where(CaseReview.received_on.between(year.start, year.end))
        .options(
            selectinload(CaseReview.partnership),
            selectinload(CaseReview.threshold_decisions),
            selectinload(CaseReview.panels),
            selectinload(CaseReview.appeals),
            selectinload(CaseReview.deadlines),
            selectinload(CaseReview.agencies).selectinload(CaseAgency.agency),
        )
        .order_by(CaseReview.partnership_id, CaseReview.received_on, CaseReview.id)
    )
    if partnership_id is not None:
        query = query.where(CaseReview.partnership_id == partnership_id)
    cases = list(session.scalars(query))
    events = _events(session, [case.id for case in cases])
    return [_row(case, year, events.get(case.id, [])) for case in cases]


def _events(session: Session, case_ids: list[int]) -> dict[int, list[AuditEvent]]:
    found: dict[int, list[AuditEvent]] = {}
    for start in range(0, len(case_ids), 500):
        rows = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.case_id.in_(case_ids[start : start + 500]),
                AuditEvent.event.not_in(("viewed", "message_sent")),
            )
            .order_by(AuditEvent.id)
        )
        for event in rows:
            found.setdefault(event.case_id or 0, []).append(event)
    return found


def _row(case: CaseReview, year: PerformanceYear, events: list[AuditEvent]) -> dict[str, Any]:
    decision = case.threshold_decisions[-1] if case.threshold_decisions else None
    held = [panel for panel in case.panels if panel.held_on is not None]
    appeal = case.appeals[-1] if case.appeals else None
    deadlines = {d.step: d for d in case.deadlines}
    kinds = Counter(link.agency.kind for link in case.agencies)
    row: dict[str, Any] = {
        "partnership": case.partnership.code,
        "reference": case.reference,
        "year": year.label,
        "received_on": _day(case.received_on),
        "channel": case.channel,
        "acknowledged_on": _day(case.acknowledged_on),
        "acknowledged_within_limit": _on_time(deadlines.get("acknowledge")),
        "threshold_decided_on": _day(case.threshold_decided_on),
        "threshold_decision": decision.decision if decision else "",
        "routes_held": ";".join(decision.rules_held) if decision else "",
        "other_outcome": "",
        "panel_held_on": _day(held[-1].held_on) if held else "",
        "panel_within_limit": _on_time(deadlines.get("panel")),
        "within_agreed_extension": ";".join(
            d.step
            for d in case.deadlines
            if d.original_due_on and d.ended_on and d.original_due_on < d.ended_on <= d.due_on
        ),
        "recommendations": sum(panel.recommendation_count for panel in held),
        "findings_sent_on": _day(case.findings_sent_on),
        "appeal_received_on": _day(appeal.received_on) if appeal else "",
        "appeal_decided_on": _day(appeal.decided_on) if appeal else "",
        "appeal_outcome": appeal.outcome if appeal else "",
        "policing_body_review_requested_on": "",
        "policing_body_review_decided_on": "",
        "policing_body_review_outcome": "",
        "state": case.state,
        "ended_on": _day(case.ended_on),
        "ended_as": case.state if case.ended_on else "",
        **{f"agencies_{kind}": kinds.get(kind, 0) for kind in AGENCY_KINDS},
        "hate_related": case.is_hate_related,
        "youth_asb": case.is_youth_asb,
        "ward": case.ward,
    }
    for event in events:
        data = event.data or {}
        if event.event in REVIEW_EVENTS:
            row[REVIEW_EVENTS[event.event]] = _day(event.step_on)
            if event.event == "decide_policing_body_review":
                row["policing_body_review_outcome"] = str(data.get("outcome", ""))
        for key in ("outcome", "decision"):
            if data.get(key) in OTHER_OUTCOMES:
                row["other_outcome"] = data[key]
        if event.to_state in OTHER_OUTCOMES:
            row["other_outcome"] = event.to_state
    if case.refusal_ground:  # refuse_application records its ground on the case
        row["other_outcome"] = "vexatious" if case.refusal_ground == "vexatious" else "ineligible"
    return row


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _on_time(deadline: Any) -> str:
    """yes / no for a limit that was met; "" for one not (yet) met."""
    if deadline is None or deadline.status != DeadlineStatus.MET or deadline.ended_on is None:
        return ""
    return "yes" if deadline.ended_on <= deadline.due_on else "no"


def as_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    # A ward typed as "=..." must not become a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_json(rows: list[dict[str, Any]], year: PerformanceYear) -> str:
    document = {
        "format": "casereview interim ASB case review data return, version 1",
        "year": year.label,
        "period_start": year.start.isoformat(),
        "period_end": year.end.isoformat(),
        "columns": list(COLUMNS),
        "applications": rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
