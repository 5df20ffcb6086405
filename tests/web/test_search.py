"""Finding a case: the search box and the closed cases, over what each person may see."""

from datetime import date

import pytest

from tests.factories import MANAGER, SAMPLE_NOW, application, case_in_state, event_data
from tests.web.test_access import sign_in
from triggers.db import write_transaction
from web.search import highlight
from workflows.service import apply, open_case


@pytest.fixture
def priya(world, sessions, partnership, policy):
    """A second case, with the housing provider only: the police do not see it."""
    data = application(
        date(2025, 11, 24),
        agencies=["Example Housing Association"],
        victim={
            "type": "individual",
            "name": "Priya Shah",
            "address": "14 Ashby Road\nLoughborough",
            "postcode": "LE11 2TX",
            "phone": "01509 634 567",
            "email": "priya.shah@example.net",
            "contact_preference": "letter",
        },
        applicant={
            "on_behalf": True,
            "name": "Sam Carter",
            "relationship": "Neighbour",
            "consent_given_on": "2025-11-21",
            "email": "sam.carter@example.net",
            "contact_preference": "email",
        },
    )
    with write_transaction(sessions) as session:
        case = open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
        return case.reference


def found(client, who, words):
    sign_in(client, f"{who}@example.org")
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "words",
    [
        *("le112tx", "LE11 2TX", "Priya", "shah", "Ashby Road", "Sam Carter"),
        *("01509634567", "0150963", "priya.shah@example", "sam.carter@example.net"),
    ],
)
def test_the_manager_finds_a_case_by_any_of_its_facts(client, priya, words):
    page = found(client, "manager", words)
    assert f">{priya}</a>" in page or f"{priya[:3]}" in page
    assert "1 case found" in page
    assert "<mark>" in page


def test_a_postcode_typed_without_its_space_is_marked_in_the_result(client, priya):
    page = found(client, "manager", "le112tx")
    assert "<mark>LE11 2TX</mark>" in page
    assert "Victim&#39;s postcode" in page or "Victim's postcode" in page


def test_a_reference_finds_its_case_and_shows_its_state(client, world):
    page = found(client, "manager", world["case"])
    assert "1 case found" in page
    assert "Appeal" in page


def test_a_name_the_person_may_not_see_finds_nothing(client, priya):
    for who in ("agency-in", "panel-in", "chair"):
        client.post("/sign-out", data={})
        page = found(client, who, "Priya")
        assert "0 cases found" in page, who
        assert priya not in page


def test_the_agency_on_the_case_finds_it(client, priya):
    page = found(client, "agency-out", "Priya Shah")
    assert "1 case found" in page


def test_another_partnership_finds_nothing(client, priya):
    page = found(client, "other-manager", "Priya")
    assert "0 cases found" in page


def test_the_wildcards_of_like_are_only_characters(client, priya):
    assert "0 cases found" in found(client, "manager", "%%")
    assert "0 cases found" in found(client, "manager", "__")


def test_too_short_a_search_is_refused_with_a_message(client, world):
    sign_in(client, "manager@example.org")
    response = client.get("/search", query_string={"q": " x "})
    assert response.status_code == 400
    assert "Enter at least 2 characters" in response.get_data(as_text=True)


def test_the_search_box_is_on_every_staff_page(client, world):
    sign_in(client, "viewer@example.org")
    for path in ("/", f"/cases/{world['case']}", "/statistics", "/cases/closed"):
        assert 'id="app-search-q"' in client.get(path).get_data(as_text=True), path


def test_the_marking_escapes_what_it_shows():
    assert (
        str(highlight("<b>LE11 2TX</b>", "le112tx")) == "&lt;b&gt;<mark>LE11 2TX</mark>&lt;/b&gt;"
    )
    assert str(highlight("<i>", "")) == "&lt;i&gt;"


@pytest.fixture
def ended(world, sessions, partnership, policy):
    """A closed case (reviewed) and a withdrawn one, beside the shared case in appeal."""
    with write_transaction(sessions) as session:
        closed = case_in_state(session, partnership, policy, "closed").reference
        withdrawn = case_in_state(session, partnership, policy, "withdrawn").reference
        not_met = case_in_state(session, partnership, policy, "threshold_not_met")
        close = event_data(not_met, "close")
        apply(session, not_met, "close", close, MANAGER, SAMPLE_NOW, policy)
    return {"closed": closed, "withdrawn": withdrawn, "not_met": not_met.reference}


def test_the_closed_cases_are_listed_with_their_outcome(client, ended, world):
    sign_in(client, "manager@example.org")
    page = client.get("/cases/closed").get_data(as_text=True)
    assert "3 cases" in page
    for reference in ended.values():
        assert reference in page
    assert world["case"] not in page  # still open
    assert "Closed after a review" in page and "Withdrawn" in page
    assert "Closed without a review" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"outcome": "withdrawn"}, {"withdrawn"}),
        ({"outcome": "reviewed"}, {"closed"}),
        ({"outcome": "not_reviewed"}, {"not_met"}),
        ({"year": "2025"}, {"closed", "withdrawn", "not_met"}),
        ({"year": "2024"}, set()),
        ({"year": "not a year", "outcome": "nonsense"}, {"closed", "withdrawn", "not_met"}),
    ],
)
def test_the_closed_cases_filter_by_year_and_outcome(client, ended, query, shown):
    sign_in(client, "manager@example.org")
    response = client.get("/cases/closed", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name, reference in ended.items():
        assert (reference in page) == (name in shown), (name, query)


def test_search_finds_closed_cases_too(client, ended):
    page = found(client, "manager", ended["withdrawn"])
    assert "1 case found" in page and "Withdrawn" in page


def test_the_closed_cases_hold_only_what_the_person_may_see(client, ended):
    sign_in(client, "other-manager@example.org")
    page = client.get("/cases/closed").get_data(as_text=True)
    assert "0 cases" in page


@pytest.mark.parametrize(
    ("table", "column"),
    [("victims", "name"), ("victims", "address"), ("applicants", "name"), ("victims", "email")],
)
def test_postgresql_answers_a_substring_search_from_the_trigram_index(engine, table, column):
    """What keeps the search fast at 100,000 cases: ILIKE '%text%' read from the index."""
    from sqlalchemy import inspect, text

    if engine.dialect.name != "postgresql":
        # SQLite scans for LIKE '%text%' whatever the index; the column's plain index is there
        # for prefix searches and for the day the database moves to PostgreSQL.
        indexes = inspect(engine).get_indexes(table)
        assert [column] in [index["column_names"] for index in indexes]
        return
    with engine.connect() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = connection.execute(
            text(f"EXPLAIN SELECT id FROM {table} WHERE {column} ILIKE '%shah%'")
        ).scalars()
        assert f"ix_{table}_{column}_search" in "\n".join(plan)


def test_a_search_is_audited_as_a_view_and_its_text_stays_off_the_cases_trails(
    client, priya, sessions
):
    from sqlalchemy import select

    from triggers.models import AuditEvent, CaseReview

    found(client, "manager", "Sam Carter")
    found(client, "manager", "Nobody Known")
    with write_transaction(sessions) as session:
        views = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "viewed").order_by(AuditEvent.id)
        ).all()
        case_id = session.scalar(select(CaseReview.id).where(CaseReview.reference == priya))
        searches = [(e.data, e.actor, e.case_id) for e in views if e.case_id is None]
        assert searches == [
            (
                {"what": "search", "results": 1},
                "manager@example.org",
                None,
            ),
            (
                {"what": "search", "results": 0},
                "manager@example.org",
                None,
            ),
        ]
        # The words are kept nowhere (test_attack_search_retention); the case shown is
        # accounted for on its own trail.
        [shown] = [e for e in views if e.case_id is not None]
        assert (shown.case_id, shown.data) == (case_id, {"what": "search results"})


def test_a_refused_search_records_nothing(client, world, sessions):
    from sqlalchemy import func, select

    from triggers.models import AuditEvent

    with write_transaction(sessions) as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    sign_in(client, "manager@example.org")
    assert client.get("/search", query_string={"q": "x"}).status_code == 400
    with write_transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
