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
class NotCounted:
    """Why one complaint does not count, as facts a letter words in its own language."""

    #: "not_relevant_body", "unregistered_provider", "before_behaviour", "after_application",
    #: "too_late" (after the month beginning with the behaviour), "too_old" (the application
    #: came after the months the complaint could support).
    why: str
    reported_on: date
    #: The last day that mattered (too_late, too_old) and its period in months.
    limit_on: date | None = None
    months: int = 0


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
    #: The same, as facts (``NotCounted``), for a letter in another language.
    not_counted_facts: tuple[NotCounted, ...] = ()


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


def not_counted_reason(
    complaint: ComplaintFacts,
    occurred_on: date,
    received_on: date,
    *,
    complaint_within_months: int,
    application_within_months: int,
    counts_any_body: bool = False,
) -> NotCounted | None:
    """Why one complaint does not count towards the floor, or None if it does: the rule,
    once; ``why_not_counted`` words it in English, the Welsh letters in Welsh."""
    on = complaint.reported_on
    if not counts_any_body and not is_relevant_body(complaint):
        if complaint.reported_to == HOUSING_PROVIDER:
            return NotCounted("unregistered_provider", on)
        return NotCounted("not_relevant_body", on)
    if on < occurred_on:
        return NotCounted("before_behaviour", on)
    if on > received_on:
        return NotCounted("after_application", on)
    complain_by = last_day_of_months_beginning_with(occurred_on, complaint_within_months)
    if on > complain_by:
        return NotCounted("too_late", on, complain_by, complaint_within_months)
    apply_by = last_day_of_months_beginning_with(on, application_within_months)
    if received_on > apply_by:
        return NotCounted("too_old", on, apply_by, application_within_months)
    return None


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
    reason = not_counted_reason(
        complaint,
        occurred_on,
        received_on,
        complaint_within_months=complaint_within_months,
        application_within_months=application_within_months,
        counts_any_body=counts_any_body,
    )
    return None if reason is None else english_reason(reason)


def english_reason(reason: NotCounted) -> str:
    on = english_date(reason.reported_on)
    if reason.why == "unregistered_provider":
        return f"the complaint of {on} went to a housing provider that is not registered"
    if reason.why == "not_relevant_body":
        return f"the complaint of {on} did not go to a relevant body"
    if reason.why == "before_behaviour":
        return f"the complaint of {on} is dated before the behaviour"
    if reason.why == "after_application":
        return f"the complaint of {on} is dated after the application"
    assert reason.limit_on is not None
    if reason.why == "too_late":
        return (
            f"the complaint of {on} was made after {english_date(reason.limit_on)}, the last "
            f"day of {_months(reason.months)} beginning with the behaviour"
        )
    return (
        f"the complaint of {on} could support an application until "
        f"{english_date(reason.limit_on)} ({_months(reason.months)} beginning with it)"
    )


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
    not_counted_facts = [
        reason
        for incident in incidents
        for complaint in incident.complaints
        if (
            reason := not_counted_reason(
                complaint,
                incident.occurred_on,
                received_on,
                complaint_within_months=rules.complaint_within_months,
                application_within_months=rules.application_within_months,
            )
        )
    ]
    not_counted = [english_reason(reason) for reason in not_counted_facts]
    needed = rules.statutory_minimum_incidents
    results = [
        RuleResult(
            name=STATUTORY_RULE,
            held=len(counted) >= needed,
            statutory=True,
            found=len(counted),
            needed=needed,
            not_counted=tuple(not_counted),
            not_counted_facts=tuple(not_counted_facts),
            explanation=(
                f"{_incidents(len(counted), 'separate')} with a qualifying complaint "
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
                    f"{_incidents(len(hate_incidents), 'hate-related')} with a qualifying "
                    "complaint "
                    f"({hate.minimum_incidents} needed){any_body_note}"
                ),
            )
        )
    return ThresholdSuggestion(results)


def _person(name: str) -> str:
    """Reporters are compared by name, ignoring case and spacing."""
    return " ".join(name.lower().split())


def _incidents(count: int, kind: str) -> str:
    """ "1 separate incident", "3 separate incidents": never "incident(s)"."""
    return f"{count} {kind} incident{'' if count == 1 else 's'}"


def _months(count: int) -> str:
    return "one month" if count == 1 else f"{count} months"
