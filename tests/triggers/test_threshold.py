from datetime import date

import pytest

from triggers.config import HateIncidentRule, SameIncidentReportersRule, ThresholdConfig
from triggers.threshold import (
    HATE_RULE,
    SAME_INCIDENT_RULE,
    STATUTORY_RULE,
    ComplaintFacts,
    IncidentFacts,
    qualifies,
    suggest,
)

LLR = ThresholdConfig()
RECEIVED = date(2025, 6, 30)


def reported(occurred: date, *on_and_by: tuple[date, str], hate: bool = False) -> IncidentFacts:
    return IncidentFacts(
        occurred_on=occurred,
        hate_related=hate,
        complaints=[ComplaintFacts(on, by, "police") for on, by in on_and_by],
    )


def test_three_separate_incidents_meet_the_statutory_floor():
    incidents = [
        reported(date(2025, 3, 1), (date(2025, 3, 2), "Ann")),
        reported(date(2025, 4, 1), (date(2025, 4, 3), "Ann")),
        reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann")),
    ]
    result = suggest(incidents, RECEIVED, LLR)
    assert result.met and result.statutory_floor_met
    assert result.rules_held == [STATUTORY_RULE]


def test_two_incidents_do_not_meet_it():
    incidents = [
        reported(date(2025, 3, 1), (date(2025, 3, 2), "Ann")),
        reported(date(2025, 4, 1), (date(2025, 4, 3), "Ann")),
    ]
    assert not suggest(incidents, RECEIVED, LLR).met


def test_one_incident_reported_to_several_bodies_counts_once():
    one = IncidentFacts(
        date(2025, 5, 1),
        complaints=[
            ComplaintFacts(date(2025, 5, 2), "Ann", body)
            for body in ("police", "council", "housing_provider")
        ],
    )
    result = suggest([one], RECEIVED, LLR)
    assert not result.statutory_floor_met
    assert not result.met


def test_three_reporters_same_incident_meets_threshold():
    incident = reported(
        date(2025, 5, 1),
        (date(2025, 5, 2), "Ann Lee"),
        (date(2025, 5, 3), "Bob Hart"),
        (date(2025, 5, 4), "Cat Ng"),
    )
    result = suggest([incident], RECEIVED, LLR)
    assert result.met and not result.statutory_floor_met
    assert result.rules_held == [SAME_INCIDENT_RULE]


def test_the_same_reporter_twice_is_one_person():
    incident = reported(
        date(2025, 5, 1),
        (date(2025, 5, 2), "Ann Lee"),
        (date(2025, 5, 3), " ann  LEE "),
        (date(2025, 5, 4), "Bob Hart"),
    )
    assert not suggest([incident], RECEIVED, LLR).met


def test_a_single_hate_incident_meets_threshold():
    result = suggest(
        [reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann"), hate=True)], RECEIVED, LLR
    )
    assert result.met and result.rules_held == [HATE_RULE]


def test_local_routes_can_be_switched_off():
    rules = ThresholdConfig(
        same_incident_reporters=SameIncidentReportersRule(enabled=False),
        hate_incident=HateIncidentRule(enabled=False),
    )
    result = suggest(
        [reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann"), hate=True)], RECEIVED, rules
    )
    assert not result.met
    assert [rule.name for rule in result.rules] == [STATUTORY_RULE]


def test_a_lower_local_number_meets_sooner():
    incidents = [
        reported(date(2025, 4, 1), (date(2025, 4, 3), "Ann")),
        reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann")),
    ]
    assert suggest(incidents, RECEIVED, ThresholdConfig(statutory_minimum_incidents=2)).met


@pytest.mark.parametrize(
    ("occurred", "reported_on", "counts"),
    [
        # One month *beginning with* the day of the behaviour: the first day counts, so the
        # last day is the day before the corresponding date (worked out by hand).
        (date(2026, 1, 10), date(2026, 2, 9), True),
        (date(2026, 1, 10), date(2026, 2, 10), False),
        (date(2026, 1, 31), date(2026, 2, 28), True),
        (date(2026, 1, 31), date(2026, 3, 1), False),
        (date(2028, 1, 31), date(2028, 2, 29), True),
        (date(2028, 1, 31), date(2028, 3, 1), False),
        (date(2028, 2, 29), date(2028, 3, 28), True),
        (date(2028, 2, 29), date(2028, 3, 29), False),
        (date(2025, 11, 30), date(2025, 12, 29), True),
        (date(2025, 11, 30), date(2025, 12, 30), False),
        (date(2025, 12, 31), date(2026, 1, 30), True),
        (date(2025, 12, 31), date(2026, 1, 31), False),
        # A report before the behaviour is nonsense: not counted.
        (date(2026, 1, 10), date(2026, 1, 9), False),
    ],
)
def test_complaint_within_one_month_beginning_with_the_behaviour(occurred, reported_on, counts):
    complaint = ComplaintFacts(reported_on, "Ann", "police")
    assert (
        qualifies(
            complaint,
            occurred,
            reported_on,
            complaint_within_months=1,
            application_within_months=6,
        )
        is counts
    )


@pytest.mark.parametrize(
    ("reported_on", "received", "counts"),
    [
        # Six months *beginning with* the day of the complaint (worked out by hand).
        (date(2026, 2, 10), date(2026, 8, 9), True),
        (date(2026, 2, 10), date(2026, 8, 10), False),
        (date(2025, 8, 31), date(2026, 2, 28), True),
        (date(2025, 8, 31), date(2026, 3, 1), False),
        (date(2027, 8, 31), date(2028, 2, 29), True),
        (date(2027, 8, 31), date(2028, 3, 1), False),
        # A report after the application is nonsense: not counted.
        (date(2026, 3, 2), date(2026, 3, 1), False),
    ],
)
def test_application_within_six_months_beginning_with_the_complaint(reported_on, received, counts):
    complaint = ComplaintFacts(reported_on, "Ann", "council")
    assert (
        qualifies(
            complaint,
            reported_on,
            received,
            complaint_within_months=1,
            application_within_months=6,
        )
        is counts
    )


@pytest.mark.parametrize(
    ("received", "held"), [(date(2026, 4, 9), True), (date(2026, 4, 10), False)]
)
def test_a_local_routes_months_begin_with_the_complaint_too(received, held):
    """Three months for hate incidents (as in Oxford): from 10 January, the last day is 9 April."""
    rules = ThresholdConfig(
        same_incident_reporters=SameIncidentReportersRule(enabled=False),
        hate_incident=HateIncidentRule(application_within_months=3),
    )
    incident = IncidentFacts(
        date(2026, 1, 10),
        hate_related=True,
        complaints=[ComplaintFacts(date(2026, 1, 10), "Ann", "police")],
    )
    assert suggest([incident], received, rules).met is held


def test_six_month_window_edge_decides_the_floor():
    incidents = [
        reported(date(2025, 1, 1), (date(2025, 1, 10), "Ann")),
        reported(date(2025, 3, 1), (date(2025, 3, 2), "Ann")),
        reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann")),
    ]
    # The complaint of 10 January supports an application until 9 July (six months
    # beginning with 10 January).
    assert suggest(incidents, date(2025, 7, 9), LLR).statutory_floor_met
    assert not suggest(incidents, date(2025, 7, 10), LLR).statutory_floor_met


def test_every_rule_explains_itself():
    result = suggest([], RECEIVED, LLR)
    assert not result.met
    assert all(rule.explanation for rule in result.rules)
    assert "0 separate incidents" in result.rules[0].explanation


def incidents_reported_to(body: str, *, is_registered_provider: bool = True) -> list[IncidentFacts]:
    return [
        IncidentFacts(
            occurred,
            complaints=[ComplaintFacts(occurred, "Ann", body, is_registered_provider)],
        )
        for occurred in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1))
    ]


@pytest.mark.parametrize(
    ("body", "is_registered_provider", "counts"),
    [
        ("police", True, True),
        ("council", True, True),
        ("health", True, True),
        ("housing_provider", True, True),
        # A housing provider that is not a registered provider is not a relevant body.
        ("housing_provider", False, False),
        # An MP, a private landlord, a neighbourhood group: kept for the panel, not counted.
        ("other", True, False),
    ],
)
def test_only_complaints_to_a_relevant_body_count_towards_the_floor(
    body, is_registered_provider, counts
):
    incidents = incidents_reported_to(body, is_registered_provider=is_registered_provider)
    result = suggest(incidents, RECEIVED, LLR)
    assert result.statutory_floor_met is counts
    assert result.met is counts


def test_the_floor_explains_which_complaints_did_not_count_and_why():
    incidents = [
        *incidents_reported_to("other")[:1],
        *incidents_reported_to("housing_provider", is_registered_provider=False)[1:2],
        IncidentFacts(
            date(2025, 5, 1), complaints=[ComplaintFacts(date(2025, 6, 1), "Ann", "police")]
        ),
    ]
    explanation = suggest(incidents, RECEIVED, LLR).rules[0].explanation
    assert explanation.startswith("0 separate incidents")
    assert "the complaint of Saturday 1 March 2025 did not go to a relevant body" in explanation
    assert (
        "the complaint of Tuesday 1 April 2025 went to a housing provider that is not registered"
        in explanation
    )
    assert (
        "the complaint of Sunday 1 June 2025 was made after Saturday 31 May 2025, the last day of "
        "one month beginning with the behaviour" in explanation
    )


def three_people_tell_their_mp() -> list[IncidentFacts]:
    return [
        IncidentFacts(
            date(2025, 5, 1),
            complaints=[
                ComplaintFacts(date(2025, 5, 2), person, "other")
                for person in ("Ann Lee", "Bob Hart", "Cat Ng")
            ],
        )
    ]


def test_local_routes_count_only_relevant_bodies_unless_configured():
    assert not suggest(three_people_tell_their_mp(), RECEIVED, LLR).met


def test_a_partnership_may_let_its_local_routes_count_any_body():
    rules = ThresholdConfig(local_routes_count_any_body=True)
    result = suggest(three_people_tell_their_mp(), RECEIVED, rules)
    assert result.rules_held == [SAME_INCIDENT_RULE]
    assert not result.statutory_floor_met
    assert "complaints to any body count for this local route" in result.rules[1].explanation
