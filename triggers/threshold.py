"""The ASB case review threshold: the Act's floor and the partnership's local routes.

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014: a complaint
*qualifies* when made within one calendar month of the behaviour it reports and the
application is made within six calendar months of the complaint; at least three qualifying
complaints about separate incidents (one incident reported to several bodies counts once)
mean the threshold *is* met, whatever local policy says. Local rules (the LLR defaults:
three people about the same incident, or one hate incident) only add routes to "met".
The rules suggest; a person decides, with a rationale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from triggers.config import ThresholdConfig

STATUTORY_RULE = "statutory_three_incidents"
SAME_INCIDENT_RULE = "same_incident_reporters"
HATE_RULE = "hate_incident"

ACT_CITATION = "section 104 of the Anti-social Behaviour, Crime and Policing Act 2014"


@dataclass(frozen=True)
class ComplaintFacts:
    reported_on: date
    reporter: str = ""
    reported_to: str = "other"


@dataclass(frozen=True)
class IncidentFacts:
    occurred_on: date
    hate_related: bool = False
    complaints: Sequence[ComplaintFacts] = ()


@dataclass(frozen=True)
class RuleResult:
    name: str
    held: bool
    #: A sentence a manager can read and copy into a letter.
    explanation: str
    statutory: bool = False


@dataclass(frozen=True)
class ThresholdSuggestion:
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return any(rule.held for rule in self.rules)

    @property
    def statutory_floor_met(self) -> bool:
        return any(rule.held and rule.statutory for rule in self.rules)

    @property
    def rules_held(self) -> list[str]:
        return [rule.name for rule in self.rules if rule.held]


def qualifies(
    complaint: ComplaintFacts,
    occurred_on: date,
    received_on: date,
    *,
    complaint_within_months: int,
    application_within_months: int,
) -> bool:
    """Whether one complaint counts: made in time after the behaviour, and recent enough."""
    if complaint.reported_on < occurred_on or complaint.reported_on > received_on:
        return False
    made_in_time = complaint.reported_on <= occurred_on + relativedelta(
        months=complaint_within_months
    )
    still_recent = received_on <= complaint.reported_on + relativedelta(
        months=application_within_months
    )
    return made_in_time and still_recent


def suggest(
    incidents: Sequence[IncidentFacts], received_on: date, rules: ThresholdConfig
) -> ThresholdSuggestion:
    """Count the recorded incidents and complaints against every configured route to "met"."""

    def qualifying(incident: IncidentFacts, application_months: int) -> list[ComplaintFacts]:
        return [
            complaint
            for complaint in incident.complaints
            if qualifies(
                complaint,
                incident.occurred_on,
                received_on,
                complaint_within_months=rules.complaint_within_months,
                application_within_months=application_months,
            )
        ]

    counted = [i for i in incidents if qualifying(i, rules.application_within_months)]
    needed = rules.statutory_minimum_incidents
    results = [
        RuleResult(
            name=STATUTORY_RULE,
            held=len(counted) >= needed,
            statutory=True,
            explanation=(
                f"{len(counted)} separate incident(s) with a qualifying complaint "
                f"({needed} needed): a complaint qualifies when made within "
                f"{_months(rules.complaint_within_months)} of the behaviour and the application "
                f"within {_months(rules.application_within_months)} of the complaint"
            ),
        )
    ]

    same = rules.same_incident_reporters
    if same.enabled:
        most = max(
            (
                len(
                    {
                        _person(c.reporter)
                        for c in qualifying(i, rules.application_within_months)
                        if _person(c.reporter)
                    }
                )
                for i in incidents
            ),
            default=0,
        )
        results.append(
            RuleResult(
                name=SAME_INCIDENT_RULE,
                held=most >= same.minimum_reporters,
                explanation=(
                    f"the most people complaining about one incident is {most} "
                    f"({same.minimum_reporters} needed)"
                ),
            )
        )

    hate = rules.hate_incident
    if hate.enabled:
        hate_incidents = [
            i for i in incidents if i.hate_related and qualifying(i, hate.application_within_months)
        ]
        results.append(
            RuleResult(
                name=HATE_RULE,
                held=len(hate_incidents) >= hate.minimum_incidents,
                explanation=(
                    f"{len(hate_incidents)} hate-related incident(s) with a qualifying complaint "
                    f"({hate.minimum_incidents} needed)"
                ),
            )
        )
    return ThresholdSuggestion(results)


def _person(name: str) -> str:
    """Reporters are compared by name, ignoring case and spacing."""
    return " ".join(name.lower().split())


def _months(count: int) -> str:
    return "one calendar month" if count == 1 else f"{count} calendar months"
