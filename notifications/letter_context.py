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

from notifications.letters import welsh_date
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
    NotCounted,
    RuleResult,
    suggest,
)
from triggers.welsh import in_welsh

#: The Act as a Welsh letter cites it.
ACT_CITATION_CY = "adran 104 o Ddeddf Ymddygiad Gwrthgymdeithasol, Troseddu a Phlismona 2014"


def notice_context(config: Config, partnership_name: str, language: str = "en") -> dict[str, Any]:
    """What every letter may use: the privacy notice and the support services, in English
    or (``language="cy"``) in Welsh."""
    settings = config.partnership
    support = in_welsh(config.support) if language == "cy" else config.support
    return {
        "privacy": [
            asdict(section)
            for section in privacy_notice(
                config.privacy,
                partnership_name,
                settings.contact_email,
                config.retention.years_after_closure,
                language,
            )
        ],
        "support": {
            "victim_support": support.victim_support.rstrip("."),
            "local_service": support.local_service.rstrip("."),
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
    findings = []
    for rule in _rules_applied(case, rules):
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


def _rules_applied(case: CaseReview, rules: ThresholdConfig) -> list[RuleResult]:
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
    return suggest(facts, case.received_on, rules).rules


def threshold_applied_cy(rules: ThresholdConfig) -> list[str]:
    """``threshold_applied`` in Welsh (fuzzy-for-review)."""
    routes = [
        f"gwnaed cwynion am o leiaf {rules.statutory_minimum_incidents} digwyddiad ar wahân o "
        "ymddygiad gwrthgymdeithasol, pob un i’r cyngor, yr heddlu, y gwasanaeth iechyd neu "
        f"ddarparwr tai cofrestredig o fewn {_mis(rules.complaint_within_months)} yn dechrau "
        "â diwrnod yr ymddygiad, a gwnaed y cais o fewn "
        f"{_mis(rules.application_within_months)} yn dechrau â diwrnod y gŵyn "
        f"({ACT_CITATION_CY})"
    ]
    same = rules.same_incident_reporters
    if same.enabled:
        routes.append(
            f"cwynodd o leiaf {same.minimum_reporters} o bobl wahanol am yr un digwyddiad "
            "(ein polisi lleol)"
        )
    hate = rules.hate_incident
    if hate.enabled:
        routes.append(
            "cafwyd cwyn am o leiaf "
            + (
                "un drosedd casineb neu un digwyddiad casineb"
                if hate.minimum_incidents == 1
                else f"{hate.minimum_incidents} o droseddau neu ddigwyddiadau casineb"
            )
            + " (ein polisi lleol)"
        )
    return routes


def threshold_findings_cy(case: CaseReview, rules: ThresholdConfig) -> list[str]:
    """``threshold_findings`` in Welsh, from the same count (fuzzy-for-review). A route a
    partnership added itself says its own explanation, in the words it was given."""
    findings = []
    for rule in _rules_applied(case, rules):
        if rule.name == STATUTORY_RULE:
            text = (
                "Trothwy’r Ddeddf: nifer y digwyddiadau ar wahân â chŵyn sy’n cyfrif yw "
                f"{rule.found}; mae angen {rule.needed}."
            )
            if rule.not_counted_facts:
                reasons = "; ".join(_not_counted_cy(r) for r in rule.not_counted_facts)
                text += f" Heb eu cyfrif: {reasons}."
        elif rule.name == SAME_INCIDENT_RULE:
            text = (
                "Sawl person am un digwyddiad: y nifer fwyaf o bobl a gwynodd am un digwyddiad "
                f"yw {rule.found}; mae angen {rule.needed}."
            )
        elif rule.name == HATE_RULE:
            text = (
                "Digwyddiadau casineb: nifer y troseddau neu’r digwyddiadau casineb â chŵyn "
                f"sy’n cyfrif yw {rule.found}; mae angen {rule.needed}."
            )
        else:
            text = f"{rule.explanation}."
        findings.append(text)
    return findings


def _not_counted_cy(reason: NotCounted) -> str:
    on = welsh_date(reason.reported_on)
    if reason.why == "unregistered_provider":
        return f"aeth y gŵyn dyddiedig {on} at ddarparwr tai nad yw wedi’i gofrestru"
    if reason.why == "not_relevant_body":
        return f"nid aeth y gŵyn dyddiedig {on} at gorff perthnasol"
    if reason.why == "before_behaviour":
        return f"mae’r gŵyn dyddiedig {on} wedi’i dyddio cyn yr ymddygiad"
    if reason.why == "after_application":
        return f"mae’r gŵyn dyddiedig {on} wedi’i dyddio ar ôl y cais"
    limit = welsh_date(reason.limit_on)
    if reason.why == "too_late":
        return (
            f"gwnaed y gŵyn dyddiedig {on} ar ôl {limit}, diwrnod olaf "
            f"{_mis(reason.months)} yn dechrau â’r ymddygiad"
        )
    return (
        f"gallai’r gŵyn dyddiedig {on} gefnogi cais hyd at {limit} "
        f"({_mis(reason.months)} yn dechrau â hi)"
    )


def end_reason_cy(case: CaseReview) -> str:
    """Why the case ended, for a Welsh letter: the words casereview put before the reason
    in Welsh, the reason as the person recorded it (``workflows.steps`` writes
    ``end_reason`` in English: "Appeal not upheld: ...")."""
    appeal = case.appeals[-1] if case.appeals else None
    review = case.policing_body_reviews[-1] if case.policing_body_reviews else None
    if appeal is not None and appeal.outcome == "not_upheld" and appeal.decided_on == case.ended_on:
        return f"Ni chafodd yr apêl ei chadarnhau: {appeal.reason}"
    if review is not None and review.outcome == "not_upheld" and review.decided_on == case.ended_on:
        return (
            "Ni chafodd y cais am adolygiad gan y corff plismona lleol ei gadarnhau: "
            f"{review.reason}"
        )
    if case.refusal_ground:
        # "Application <ground>. <reason>": the reason after the first full stop.
        reason = case.end_reason.partition(". ")[2]
        return f"{REFUSAL_GROUNDS_CY[case.refusal_ground]}. {reason}".strip()
    return case.end_reason


#: ``workflows.steps.REFUSAL_GROUNDS`` in Welsh (a test keeps the keys the same).
REFUSAL_GROUNDS_CY = {
    "anonymous": "Nid yw’r cais yn gymwys: mae’n ddienw",
    "not_asb": "Nid yw’r cais yn gymwys: nid yw’n ymwneud ag ymddygiad gwrthgymdeithasol",
    "already_reviewed": "Nid yw’r cais yn gymwys: mae’r un mater eisoes wedi’i adolygu",
    "vexatious": "Gwrthodwyd y cais fel cais blinderus",
}


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


def _mis(count: int) -> str:
    """Months in Welsh: "mis" does not change after a number ("6 mis")."""
    return "mis" if count == 1 else f"{count} mis"
