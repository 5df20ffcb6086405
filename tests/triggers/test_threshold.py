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
    ("occurred", "reported_on", "received", "counts"),
    [
        # Reported exactly one calendar month after the behaviour: still in time.
        (date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 1), True),
        (date(2025, 1, 15), date(2025, 2, 16), date(2025, 3, 1), False),
        # 31 January + one month is 28 February.
        (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 1), True),
        # The application exactly six calendar months after the complaint: in time.
        (date(2025, 1, 1), date(2025, 1, 10), date(2025, 7, 10), True),
        (date(2025, 1, 1), date(2025, 1, 10), date(2025, 7, 11), False),
        # A report before the behaviour or after the application is nonsense: not counted.
        (date(2025, 1, 10), date(2025, 1, 9), date(2025, 3, 1), False),
        (date(2025, 1, 10), date(2025, 3, 2), date(2025, 3, 1), False),
    ],
)
def test_complaint_windows(occurred, reported_on, received, counts):
    complaint = ComplaintFacts(reported_on, "Ann")
    assert (
        qualifies(
            complaint, occurred, received, complaint_within_months=1, application_within_months=6
        )
        is counts
    )


def test_six_month_window_edge_decides_the_floor():
    incidents = [
        reported(date(2025, 1, 1), (date(2025, 1, 10), "Ann")),
        reported(date(2025, 3, 1), (date(2025, 3, 2), "Ann")),
        reported(date(2025, 5, 1), (date(2025, 5, 2), "Ann")),
    ]
    assert suggest(incidents, date(2025, 7, 10), LLR).statutory_floor_met
    assert not suggest(incidents, date(2025, 7, 11), LLR).statutory_floor_met


def test_every_rule_explains_itself():
    result = suggest([], RECEIVED, LLR)
    assert not result.met
    assert all(rule.explanation for rule in result.rules)
    assert "0 separate incident(s)" in result.rules[0].explanation
