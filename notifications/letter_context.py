"""What the letters say beyond the case's own dates: the privacy notice, the threshold that
was applied and why it was not met, the routes to challenge a decision, the support
services, and what an agency needs to find its records.

A letter a partnership sends unedited must carry these (UK GDPR Art. 13 on the first letter;
the 2025 statutory guidance on the "not met" letter; Schedule 4 paragraph 7 of the 2014 Act
for the request to an agency), so they are worked out here from the case and the config
rather than left for someone to type.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from triggers.config import Config, ThresholdConfig
from triggers.models import Agency, CaseReview
from triggers.notices import privacy_notice
from triggers.policy import Policy
from triggers.threshold import (
    ACT_CITATION,
    HATE_RULE,
    SAME_INCIDENT_RULE,
    STATUTORY_RULE,
    ComplaintFacts,
    IncidentFacts,
    suggest,
)


def notice_context(config: Config, partnership_name: str) -> dict[str, Any]:
    """What every letter may use: the privacy notice and the support services."""
    settings = config.partnership
    return {
        "privacy": [
            asdict(section)
            for section in privacy_notice(
                config.privacy,
                partnership_name,
                settings.contact_email,
                config.retention.years_after_closure,
            )
        ],
        "support": {
            "victim_support": config.support.victim_support.rstrip("."),
            "local_service": config.support.local_service.rstrip("."),
        },
    }


def threshold_applied(rules: ThresholdConfig) -> list[str]:
    """The routes to "met" this partnership applies, as a letter says them."""
    routes = [
        f"complaints were made about at least {rules.statutory_minimum_incidents} separate "
        "incidents of anti-social behaviour, each to the council, the police, the health "
        "service or a registered housing provider within "
        f"{_months(rules.complaint_within_months)} beginning with the day of the behaviour, "
        f"and the application was made within {_months(rules.application_within_months)} "
        f"beginning with the day of the complaint ({ACT_CITATION})"
    ]
    same = rules.same_incident_reporters
    if same.enabled:
        routes.append(
            f"at least {same.minimum_reporters} different people complained about the same "
            "incident (our local policy)"
        )
    hate = rules.hate_incident
    if hate.enabled:
        what = _count(
            hate.minimum_incidents,
            "hate crime or hate incident was",
            "hate crimes or incidents were",
        )
        routes.append(f"at least {what} complained about (our local policy)")
    return routes


def threshold_findings(case: CaseReview, rules: ThresholdConfig) -> list[str]:
    """What the rules found for each route, from the same count the decision saw, in the
    words of a letter."""
    facts = [
        IncidentFacts(
            occurred_on=incident.occurred_on,
            hate_related=incident.is_hate_related,
            complaints=[
                ComplaintFacts(c.reported_on, c.reporter, c.reported_to, c.is_registered_provider)
                for c in incident.complaints
            ],
        )
        for incident in case.incidents
    ]
    findings = []
    for rule in suggest(facts, case.received_on, rules).rules:
        if rule.name == STATUTORY_RULE:
            incidents = _count(rule.found, "separate incident", "separate incidents")
            text = (
                f"The Act's threshold: {incidents} had a complaint that counts; "
                f"{rule.needed} are needed."
            )
            if rule.not_counted:
                text += f" Not counted: {'; '.join(rule.not_counted)}."
        elif rule.name == SAME_INCIDENT_RULE:
            text = (
                "Several people about one incident: the most people who complained about one "
                f"incident is {rule.found}; {rule.needed} are needed."
            )
        elif rule.name == HATE_RULE:
            hate = _count(rule.found, "hate crime or incident", "hate crimes or incidents")
            text = (
                f"Hate incidents: {hate} with a complaint that counts; {rule.needed} "
                f"{'is' if rule.needed == 1 else 'are'} needed."
            )
        else:  # a route added to the rules: its own explanation says it
            text = f"{rule.explanation}."
        findings.append(text)
    return findings


def policing_body(config: Config, decided_on: date | None) -> dict[str, str] | None:
    """The local policing body's review (Crime and Policing Act 2026), where the partnership
    has turned it on and it applies to a decision of that date.

    Read defensively: the ``[review_routes.local_policing_body]`` table comes with the
    policing body's review; without it (or off, or not yet in force) there is no such route."""
    body = getattr(getattr(config, "review_routes", None), "local_policing_body", None)
    if body is None or getattr(body, "enabled", False) is not True:
        return None
    applies_from = getattr(body, "applies_from", None)
    if isinstance(applies_from, date) and decided_on is not None and decided_on < applies_from:
        return None
    return {
        "name": str(getattr(body, "name", "") or "the local policing body"),
        "email": str(getattr(body, "email", "") or ""),
        "address": str(getattr(body, "address", "") or ""),
    }


def chronology_context(case: CaseReview, agency: Agency, config: Config) -> dict[str, Any]:
    """What an agency searches its records on, and the date its chronology is due back."""
    victim = case.victim
    lines = [" ".join(line.split()) for line in victim.address.splitlines() if line.strip()]
    if victim.postcode and victim.postcode.replace(" ", "") not in victim.address.replace(" ", ""):
        lines.append(victim.postcode)
    address = ", ".join(lines)
    incidents = [
        {
            "occurred_on": incident.occurred_on,
            "location": incident.location,
            "references": [
                {"reported_on": c.reported_on, "reference": c.reference}
                for c in incident.complaints
                if c.reported_to == agency.kind
            ],
        }
        for incident in case.incidents
    ]
    link = next((link for link in case.agencies if link.agency_id == agency.id), None)
    requested_on = (link and link.chronology_requested_on) or case.acknowledged_on
    return_by = None
    if requested_on is not None:
        calendar = Policy.from_config(config).calendar
        return_by = calendar.add_working_days(requested_on, config.letters.chronology_return_days)
        decision_due = next(
            (d.due_on for d in case.deadlines if d.step == "threshold_decision"), None
        )
        if decision_due is not None and return_by > decision_due:
            return_by = decision_due
    return {
        "victim_address": address,
        "incidents": incidents,
        "return_by": return_by,
        "agency_references": [
            ref for incident in incidents for ref in incident["references"] if ref["reference"]
        ],
    }


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _months(count: int) -> str:
    return "one month" if count == 1 else f"{count} months"
