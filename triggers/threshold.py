"""The ASB case review threshold: the Act's floor and the partnership's local routes.

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014: a complaint
*qualifies* when made to a relevant body (s.105 and Schedule 4: the council, the police, the
integrated care board or Welsh local health board, a co-opted registered housing provider)
within the period of one month beginning with the day of the behaviour, and the application is
made within six months beginning with the day of the complaint (``triggers.periods``); at
least three qualifying complaints about separate incidents (one incident reported to several
bodies counts once) mean the threshold *is* met, whatever local policy says. Complaints to
anyone else are kept for the panel but never count towards the floor. Local rules (the LLR
defaults: three people about the same incident, or one hate incident) only add routes to
"met". The rules suggest; a person decides, with a rationale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from triggers.calendar import english_date
from triggers.config import ThresholdConfig
from triggers.periods import last_day_of_months_beginning_with

STATUTORY_RULE = "statutory_three_incidents"
SAME_INCIDENT_RULE = "same_incident_reporters"
HATE_RULE = "hate_incident"

ACT_CITATION = "section 104 of the Anti-social Behaviour, Crime and Policing Act 2014"


@dataclass(frozen=True)
class ComplaintFacts:
    reported_on: date
    reporter: str = ""
    #: council, police, health, housing_provider or other (an MP, a private landlord).
    reported_to: str = "other"
    #: For a housing provider: whether it is a registered provider (England) or registered
    #: social landlord (Wales), so a relevant body once co-opted under Schedule 4.
    is_registered_provider: bool = True


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
    #: What was counted and how many the route needs, for a letter to say in its own words.
    found: int = 0
    needed: int = 0
    #: Why each complaint left out of the count was left out (phrases, for the Act's floor).
    not_counted: tuple[str, ...] = ()


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


#: The bodies a complaint must be made to for the Act's floor (s.104(13) "relevant bodies",
#: s.105 and Schedule 4; in two-tier England the district council).
RELEVANT_BODIES = ("council", "police", "health")
HOUSING_PROVIDER = "housing_provider"


def is_relevant_body(complaint: ComplaintFacts) -> bool:
    """Whether the complaint was made to a relevant body, so it can count towards the floor."""
    if complaint.reported_to == HOUSING_PROVIDER:
        return complaint.is_registered_provider
    return complaint.reported_to in RELEVANT_BODIES


def why_not_counted(
    complaint: ComplaintFacts,
    occurred_on: date,
    received_on: date,
    *,
    complaint_within_months: int,
    application_within_months: int,
    counts_any_body: bool = False,
) -> str | None:
    """Why one complaint does not count (a phrase for the explanation), or None if it does."""
    on = english_date(complaint.reported_on)
    if not counts_any_body and not is_relevant_body(complaint):
        if complaint.reported_to == HOUSING_PROVIDER:
            return f"the complaint of {on} went to a housing provider that is not registered"
        return f"the complaint of {on} did not go to a relevant body"
    if complaint.reported_on < occurred_on:
        return f"the complaint of {on} is dated before the behaviour"
    if complaint.reported_on > received_on:
        return f"the complaint of {on} is dated after the application"
    complain_by = last_day_of_months_beginning_with(occurred_on, complaint_within_months)
    if complaint.reported_on > complain_by:
        return (
            f"the complaint of {on} was made after {english_date(complain_by)}, the last day of "
            f"{_months(complaint_within_months)} beginning with the behaviour"
        )
    apply_by = last_day_of_months_beginning_with(complaint.reported_on, application_within_months)
    if received_on > apply_by:
        return (
            f"the complaint of {on} could support an application until "
            f"{english_date(apply_by)} ({_months(application_within_months)} beginning with it)"
        )
    return None


def qualifies(
    complaint: ComplaintFacts,
    occurred_on: date,
    received_on: date,
    *,
    complaint_within_months: int,
    application_within_months: int,
    counts_any_body: bool = False,
) -> bool:
    """Whether one complaint counts: to a relevant body, in time, and recent enough."""
    return (
        why_not_counted(
            complaint,
            occurred_on,
            received_on,
            complaint_within_months=complaint_within_months,
            application_within_months=application_within_months,
            counts_any_body=counts_any_body,
        )
        is None
    )


def suggest(
    incidents: Sequence[IncidentFacts], received_on: date, rules: ThresholdConfig
) -> ThresholdSuggestion:
    """Count the recorded incidents and complaints against every configured route to "met"."""

    def qualifying(
        incident: IncidentFacts, application_months: int, *, counts_any_body: bool = False
    ) -> list[ComplaintFacts]:
        return [
            complaint
            for complaint in incident.complaints
            if qualifies(
                complaint,
                incident.occurred_on,
                received_on,
                complaint_within_months=rules.complaint_within_months,
                application_within_months=application_months,
                counts_any_body=counts_any_body,
            )
        ]

    counted = [i for i in incidents if qualifying(i, rules.application_within_months)]
    not_counted = [
        reason
        for incident in incidents
        for complaint in incident.complaints
        if (
            reason := why_not_counted(
                complaint,
                incident.occurred_on,
                received_on,
                complaint_within_months=rules.complaint_within_months,
                application_within_months=rules.application_within_months,
            )
        )
    ]
    needed = rules.statutory_minimum_incidents
    results = [
        RuleResult(
            name=STATUTORY_RULE,
            held=len(counted) >= needed,
            statutory=True,
            found=len(counted),
            needed=needed,
            not_counted=tuple(not_counted),
            explanation=(
                f"{len(counted)} separate incident(s) with a qualifying complaint "
                f"({needed} needed): a complaint qualifies when made to a relevant body (the "
                "council, the police, the health board or a registered housing provider) within "
                f"{_months(rules.complaint_within_months)} beginning with the day of the "
                f"behaviour, and the application within {_months(rules.application_within_months)}"
                " beginning with the day of the complaint"
                + (f"; not counted: {'; '.join(not_counted)}" if not_counted else "")
            ),
        )
    ]
    any_body = rules.local_routes_count_any_body
    any_body_note = " (complaints to any body count for this local route)" if any_body else ""

    same = rules.same_incident_reporters
    if same.enabled:
        most = max(
            (
                len(
                    {
                        _person(c.reporter)
                        for c in qualifying(
                            i, rules.application_within_months, counts_any_body=any_body
                        )
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
                found=most,
                needed=same.minimum_reporters,
                explanation=(
                    f"the most people complaining about one incident is {most} "
                    f"({same.minimum_reporters} needed){any_body_note}"
                ),
            )
        )

    hate = rules.hate_incident
    if hate.enabled:
        hate_incidents = [
            i
            for i in incidents
            if i.hate_related
            and qualifying(i, hate.application_within_months, counts_any_body=any_body)
        ]
        results.append(
            RuleResult(
                name=HATE_RULE,
                held=len(hate_incidents) >= hate.minimum_incidents,
                found=len(hate_incidents),
                needed=hate.minimum_incidents,
                explanation=(
                    f"{len(hate_incidents)} hate-related incident(s) with a qualifying complaint "
                    f"({hate.minimum_incidents} needed){any_body_note}"
                ),
            )
        )
    return ThresholdSuggestion(results)


def _person(name: str) -> str:
    """Reporters are compared by name, ignoring case and spacing."""
    return " ".join(name.lower().split())


def _months(count: int) -> str:
    return "one month" if count == 1 else f"{count} months"
