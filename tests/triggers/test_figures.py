"""The yearly figures: each counting rule, at the boundary of the performance year."""

import itertools
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, application, new_case, one_incident
from triggers.config import ConfigError, StatisticsConfig, config_from_dict
from triggers.db import read_session, write_transaction
from triggers.figures import (
    ALL_PARTNERSHIPS,
    SUPPRESSED,
    area_of,
    performance_year,
    recent_years,
    report,
    suppressed,
    year_containing,
    years_with_cases,
)
from triggers.partnerships import sync_partnership
from workflows.service import apply, open_case

S = SUPPRESSED
LAST_DAY_2024_25 = date(2025, 3, 31)
FIRST_DAY_2025_26 = date(2025, 4, 1)


def walk(session, case, policy, *steps: tuple[str, date, dict[str, Any]]) -> None:
    """Apply each (event, date, data) to ``case`` through the service, as a manager would."""
    for event, on, data in steps:
        apply(
            session,
            case,
            event,
            {**EVENT_DATA[event], **data, "on": on.isoformat()},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )


def figures(sessions, config, start_year: int, partnership=None) -> dict[str, Any]:
    with read_session(sessions) as session:
        return report(session, performance_year(start_year), config, partnership).as_dict()


def test_the_performance_year_runs_from_1_april_to_31_march():
    year = performance_year(2021)
    assert (year.start, year.end, year.label) == (date(2021, 4, 1), date(2022, 3, 31), "2021/22")
    assert year_containing(date(2022, 3, 31)).label == "2021/22"
    assert year_containing(date(2022, 4, 1)).label == "2022/23"


def test_a_partnership_may_report_by_calendar_year():
    year = performance_year(2021, start_month=1)
    assert (year.start, year.end, year.label) == (date(2021, 1, 1), date(2021, 12, 31), "2021")
    assert year_containing(date(2021, 12, 31), 1).label == "2021"


def test_five_years_for_the_chart_end_with_the_year_asked_for():
    labels = [year.label for year in recent_years(performance_year(2021))]
    assert labels == ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]


def test_an_application_counts_in_the_year_it_was_received(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy, received_on=LAST_DAY_2024_25)
        new_case(session, partnership, policy, received_on=FIRST_DAY_2025_26)
        new_case(session, partnership, policy, received_on=FIRST_DAY_2025_26)
    assert figures(sessions, config, 2024)["applications_received"] == 1
    assert figures(sessions, config, 2025)["applications_received"] == 2


def test_a_decision_after_the_year_counts_with_the_application_and_it_was_awaiting_at_year_end(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=date(2025, 3, 25))
        walk(
            session,
            case,
            policy,
            ("acknowledge", date(2025, 3, 27), {}),
            ("decide_threshold", FIRST_DAY_2025_26, {}),
        )
    last_year, this_year = figures(sessions, config, 2024), figures(sessions, config, 2025)
    assert last_year["threshold_met"] == 1
    assert last_year["awaiting_decision"] == 1
    assert this_year["threshold_met"] == 0 and this_year["applications_received"] == 0


def test_a_decision_on_the_last_day_of_the_year_is_not_awaiting(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case = new_case(
            session,
            partnership,
            policy,
            received_on=date(2025, 3, 20),
            incidents=one_incident(date(2025, 3, 20)),
        )
        walk(
            session,
            case,
            policy,
            ("acknowledge", date(2025, 3, 21), {}),
            ("decide_threshold", LAST_DAY_2024_25, {"decision": "not_met"}),
        )
    result = figures(sessions, config, 2024)
    assert result["threshold_not_met"] == 1
    assert result["threshold_met"] == 0
    assert result["awaiting_decision"] == 0


def test_an_application_withdrawn_before_year_end_is_not_awaiting_a_decision(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        kept = new_case(session, partnership, policy, received_on=date(2025, 3, 3))
        gone = new_case(session, partnership, policy, received_on=date(2025, 3, 3))
        walk(session, gone, policy, ("withdraw", LAST_DAY_2024_25, {}))
        walk(session, kept, policy, ("withdraw", FIRST_DAY_2025_26, {}))
    result = figures(sessions, config, 2024)
    assert result["withdrawn"] == 2
    assert result["awaiting_decision"] == 1


def test_reviews_and_those_with_recommendations_are_counted_separately(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        for recommendations in ([], EVENT_DATA["record_review"]["recommendations"]):
            case = new_case(session, partnership, policy, received_on=date(2025, 6, 2))
            walk(
                session,
                case,
                policy,
                ("acknowledge", date(2025, 6, 3), {}),
                ("decide_threshold", date(2025, 6, 10), {}),
                ("schedule_panel", date(2025, 6, 11), {"panel_on": "2025-07-01"}),
                ("record_review", date(2025, 7, 1), {"recommendations": recommendations}),
            )
        new_case(session, partnership, policy, received_on=date(2025, 6, 2))
    result = figures(sessions, config, 2025)
    assert result["applications_received"] == 3
    assert result["reviews_carried_out"] == 2
    assert result["reviews_with_recommendations"] == 1
    assert result["panels_held"] == 2
    assert result["themes"]["inconsistent_recording"] == 2
    assert result["themes"]["harm_not_assessed"] == 0


def test_limits_met_on_time_and_late(sessions, partnership, policy, config):
    """Received Monday 2 June 2025: acknowledge by Monday 9 June; panel 28 working days on."""
    with write_transaction(sessions) as session:
        on_time = new_case(session, partnership, policy, received_on=date(2025, 6, 2))
        late = new_case(session, partnership, policy, received_on=date(2025, 6, 2))
        walk(
            session,
            on_time,
            policy,
            ("acknowledge", date(2025, 6, 9), {}),
            ("decide_threshold", date(2025, 6, 10), {}),
            ("schedule_panel", date(2025, 6, 11), {"panel_on": "2025-07-18"}),
            ("record_review", date(2025, 7, 18), {}),
        )
        walk(
            session,
            late,
            policy,
            ("acknowledge", date(2025, 6, 10), {}),
            ("decide_threshold", date(2025, 6, 10), {}),
            ("schedule_panel", date(2025, 6, 11), {"panel_on": "2025-07-21"}),
            ("record_review", date(2025, 7, 21), {}),
        )
    result = figures(sessions, config, 2025)
    assert result["acknowledged"] == 2
    assert result["acknowledged_within_limit"] == 1
    assert result["panels_held"] == 2
    assert result["panels_within_limit"] == 1


def test_appeals_and_those_upheld(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        for outcome in ("upheld", "not_upheld"):
            case = new_case(
                session,
                partnership,
                policy,
                received_on=date(2025, 5, 1),
                incidents=one_incident(date(2025, 5, 1)),
            )
            walk(
                session,
                case,
                policy,
                ("acknowledge", date(2025, 5, 2), {}),
                ("decide_threshold", date(2025, 5, 9), {"decision": "not_met"}),
                ("appeal", date(2025, 5, 20), {}),
                ("decide_appeal", date(2025, 6, 2), {"outcome": outcome}),
            )
    result = figures(sessions, config, 2025)
    assert result["threshold_not_met"] == 2
    assert result["appeals_received"] == 2
    assert result["appeals_upheld"] == 1


def test_hate_youth_and_areas(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        received = date(2025, 5, 1)
        hate = one_incident(received)
        hate[0]["hate_related"] = True
        data = application(received, incidents=hate, youth_asb=True, ward="Shepshed East")
        open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
        new_case(session, partnership, policy, received_on=received, ward="Shepshed East")
        new_case(session, partnership, policy, received_on=received)
    result = figures(sessions, config, 2025)
    assert (result["hate_related"], result["youth_asb"]) == (1, 1)
    assert result["areas"] == {"Not recorded": 1, "Shepshed East": 2}


def test_every_partnership_together_and_each_on_its_own(sessions, partnership, policy, config):
    other_config = config_from_dict(
        {"partnership": {"name": "Melton CSP", "code": "ML"}, "agencies": []}
    )
    with write_transaction(sessions) as session:
        melton = sync_partnership(session, other_config, SAMPLE_NOW)
        new_case(session, partnership, policy, received_on=date(2025, 5, 1))
        new_case(session, partnership, policy, received_on=date(2025, 5, 2))
        open_case(session, melton, _without_agencies(date(2025, 5, 1)), MANAGER, SAMPLE_NOW, policy)
    together = figures(sessions, config, 2025)
    assert together["partnership"] == ALL_PARTNERSHIPS
    assert together["applications_received"] == 3
    each = {row["partnership"]: row["applications_received"] for row in together["partnerships"]}
    assert each == {"Charnwood Community Safety Partnership": 2, "Melton CSP": 1}
    with read_session(sessions) as session:
        alone = report(session, performance_year(2025), config, session.merge(melton)).as_dict()
    assert alone["applications_received"] == 1 and "partnerships" not in alone


def test_an_empty_year_is_all_zeros(sessions, partnership, config):
    result = figures(sessions, config, 2019)
    assert result["applications_received"] == 0 and result["themes"]["hate_not_recorded"] == 0
    with read_session(sessions) as session:
        assert years_with_cases(session, 4) == []


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ({"Syston": 0}, {"Syston": 0}),
        ({"Syston": 3}, {"Syston": 3}),
        # one small area alone would be the total less the others: the next smallest goes too
        ({"Syston": 1, "Shepshed": 4, "Hastings": 9}, {"Syston": S, "Shepshed": S, "Hastings": 9}),
        ({"Syston": 2, "Shepshed": 3, "Hastings": 3}, {"Syston": S, "Shepshed": 3, "Hastings": S}),
        # two small areas whose sum (2) says each is 1: a third is hidden
        (
            {"Syston": 1, "Shepshed": 1, "Hastings": 5, "Other area": 7},
            {"Syston": S, "Shepshed": S, "Hastings": S, "Other area": 7},
        ),
        # two small areas of 1 and 2: the sum 3 does not say which is which
        ({"Syston": 1, "Shepshed": 2, "Hastings": 5}, {"Syston": S, "Shepshed": S, "Hastings": 5}),
        ({"Syston": 2, "Shepshed": 0, "Hastings": 5}, {"Syston": S, "Shepshed": 0, "Hastings": S}),
        # nothing left to hide it with: no breakdown at all
        ({"Syston": 1}, {}),
        ({"Syston": 1, "Shepshed": 1}, {}),
    ],
)
def test_small_counts_by_area_are_suppressed_so_the_total_cannot_undo_it(counts, shown):
    assert suppressed(counts.items(), 3) == shown
    assert not derivable(sum(counts.values()), shown, 3)


def derivable(total: int, shown: dict[str, int | str], below: int) -> dict[str, int]:
    """Every hidden count someone could work out from the published total and areas: they
    know the hidden counts add up to the rest of the total, that each is at least 1 (a 0 is
    shown), that at least one is below the limit (else none would be hidden) and that none is
    above the smallest count shown (the next smallest are the ones hidden)."""
    hidden = [name for name, value in shown.items() if value == S]
    if not hidden:
        return {}
    rest = total - sum(value for value in shown.values() if value != S)
    highest = min([value for value in shown.values() if value != S and value > 0] or [rest])
    possible: dict[str, set[int]] = {name: set() for name in hidden}
    # every way of writing ``rest`` as len(hidden) counts of 1 or more: cut it in places
    for cuts in itertools.combinations(range(1, rest), len(hidden) - 1):
        bounds = (0, *cuts, rest)
        values = [high - low for low, high in itertools.pairwise(bounds)]
        if min(values) < below and max(values) <= highest:
            for name, value in zip(hidden, values, strict=True):
                possible[name].add(value)
    return {name: next(iter(values)) for name, values in possible.items() if len(values) == 1}


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=7),
    below=st.integers(min_value=2, max_value=5),
)
def test_no_hidden_count_can_be_worked_out_from_the_total(counts, below):
    areas = {f"Ward {index}": number for index, number in enumerate(counts)}
    shown = suppressed(areas.items(), below)
    assert not derivable(sum(counts), shown, below)
    for name, value in shown.items():  # nothing small is shown, nothing is made up
        assert value == S or (value == areas[name] and not 0 < value < below)


@pytest.mark.parametrize(
    ("typed", "published"),
    [
        ("Syston West", "Syston West"),
        ("  syston   WEST ", "Syston West"),
        ("SHEPSHED\tEAST", "Shepshed East"),
        ("12 Brook Street, Margaret Ellis", "Other area"),
        ("Syston", "Other area"),
        ("", "Not recorded"),
        ("   ", "Not recorded"),
        (None, "Not recorded"),
    ],
)
def test_a_ward_is_published_only_as_a_listed_area(typed, published):
    listed = {"syston west": "Syston West", "shepshed east": "Shepshed East"}
    assert area_of(typed, listed) == published


def test_statistics_config_is_checked():
    with pytest.raises(ConfigError, match="year_start_month"):
        config_from_dict({"statistics": {"year_start_month": 13}})
    assert config_from_dict({}).statistics == StatisticsConfig(4, 3)


def _without_agencies(received_on: date) -> dict[str, Any]:
    data = application(received_on)
    data["agencies"] = []
    return data


def test_the_figures_follow_a_corrected_date_of_receipt_and_a_reversed_decision(
    sessions, partnership, policy, config
):
    """Issue 18: a correction changes the rows the figures are derived from, so they follow;
    no withdrawal and no second application is counted."""
    from sqlalchemy import select

    from triggers.models import CaseReview
    from workflows.corrections import correct
    from workflows.service import reverse_step

    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=FIRST_DAY_2025_26)
        walk(
            session,
            case,
            policy,
            ("acknowledge", FIRST_DAY_2025_26, {}),
            ("decide_threshold", FIRST_DAY_2025_26, {}),
        )
    assert figures(sessions, config, 2025)["threshold_met"] == 1
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview))
        reverse_step(
            session,
            case,
            {"event": "decide_threshold", "reason": "Wrong case."},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        correct(
            session,
            case,
            {
                "changes": {"received_on": LAST_DAY_2024_25.isoformat()},
                "reason": "The letter was date-stamped the day before.",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    this_year, last_year = figures(sessions, config, 2025), figures(sessions, config, 2024)
    assert this_year["applications_received"] == 0 and this_year["threshold_met"] == 0
    assert last_year["applications_received"] == 1 and last_year["threshold_met"] == 0
    assert last_year["awaiting_decision"] == 1
