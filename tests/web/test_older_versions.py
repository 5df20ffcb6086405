"""A case opened under an older version of the process may sit in a state, and be sent a
letter, that the newest version no longer has: the pages, the API and the command line still
list it, label it, filter by it and show its letter (issue 17)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import update

from notifications.outbox import APPLICANT
from tests.factories import SAMPLE_NOW, case_in_state
from tests.web.test_access import csrf, sign_in
from triggers.db import write_transaction
from triggers.models import CaseReview
from web.api.openapi import openapi_document
from workflows.case_review import CASE_REVIEW, PROCESSES, states_of_every_version
from workflows.process import Letter, Operation, State
from workflows.retention import run_retention

#: A state version 1 had and version 2 dropped (the agencies' chronologies awaited as a
#: stage of its own), open in version 1.
RETIRED = State("chronologies_awaited", "Waiting for the agencies' chronologies")
#: A final state only version 1 had (the application lapsed, unanswered).
RETIRED_FINAL = State("lapsed", "Lapsed", final=True)
#: A letter only version 1 sends (a receipt to the applicant); its template is shipped.
RETIRED_LETTER = Letter("application_received", APPLICANT)

OLDER = dataclasses.replace(
    CASE_REVIEW,
    version=1,
    states=(
        *(
            new
            for state in CASE_REVIEW.states
            for new in ((state, RETIRED) if state.name == "acknowledged" else (state,))
        ),
        RETIRED_FINAL,
    ),
    operations=(
        *CASE_REVIEW.operations,
        Operation("send_receipt", (RETIRED_LETTER,), allowed_in=("received",)),
    ),
)
#: Long enough ago for any retention period.
LONG_AGO = date(2010, 1, 4)
#: The newest version: production's declaration, without what version 1 alone had.
NEWEST = dataclasses.replace(CASE_REVIEW, version=2)


@pytest.fixture
def older_case(monkeypatch, sessions, partnership, policy):  # type: ignore[no-untyped-def]
    """A case on version 1 in the state only version 1 has; the newest is version 2."""
    monkeypatch.setitem(PROCESSES, OLDER.version, OLDER)
    monkeypatch.setitem(PROCESSES, NEWEST.version, NEWEST)
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        session.execute(
            update(CaseReview)
            .where(CaseReview.id == case.id)
            .values(workflow_version=OLDER.version, state=RETIRED.name)
        )
        return case.reference


def test_every_version_s_states_in_the_newest_order_with_older_ones_where_they_stood(
    monkeypatch,
):
    monkeypatch.setitem(PROCESSES, OLDER.version, OLDER)
    monkeypatch.setitem(PROCESSES, NEWEST.version, NEWEST)
    names = [state.name for state in states_of_every_version()]
    assert names[:4] == ["received", "acknowledged", "chronologies_awaited", "threshold_met"]
    assert sorted(names) == sorted([*CASE_REVIEW.state_names, RETIRED.name, RETIRED_FINAL.name])
    assert names[-1] == RETIRED_FINAL.name


def test_the_dashboard_lists_labels_and_filters_a_state_only_an_older_version_has(
    app, world, older_case
):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    every = client.get("/").get_data(as_text=True)
    table = every.split('id="cases"')[1].split("</table>")[0]
    assert f'href="/cases/{older_case}"' in table
    assert "Waiting for the agencies&#39; chronologies" in table
    assert '<option value="chronologies_awaited">' in every
    assert 'href="/?state=chronologies_awaited"' in every  # its count, by state
    only = client.get("/?state=chronologies_awaited").get_data(as_text=True)
    assert "1 case" in only and f'href="/cases/{older_case}"' in only
    assert world["case"] not in only.split('id="cases"')[1]


def test_a_letter_only_an_older_version_sends_is_worded_and_previewed_to_its_audience(
    app, world, older_case
):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert 'href="/letters/application_received"' in client.get("/letters").get_data(as_text=True)
    page = "/letters/application_received"
    assert client.get(page).status_code == 200
    text = "Subject: Received {{ reference }}\nDear {{ recipient_name }},\nWe have it.\n"
    answer = client.post(
        page,
        data={
            "text": text,
            "case": older_case,
            "preview": "Preview",
            "csrf_token": csrf(client, page),
        },
    )
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200, shown
    # To the applicant (the letter's audience in version 1), by name.
    assert f"Received {older_case}" in shown and "Dear Alex Morgan," in shown


def test_the_api_filters_by_a_state_only_an_older_version_has_and_describes_it(
    client, auth, older_case
):
    answer = client.get("/api/v1/cases?state=chronologies_awaited", headers=auth)
    assert answer.status_code == 200, answer.get_json()
    assert [c["reference"] for c in answer.get_json()["cases"]] == [older_case]
    openapi_document.cache_clear()  # built once per process: here with version 1 added
    try:
        document = client.get("/api/v1/openapi.json").get_json()
    finally:
        openapi_document.cache_clear()
    assert RETIRED.name in document["components"]["schemas"]["Case"]["properties"]["state"]["enum"]


def test_the_command_line_lists_an_open_case_in_a_state_only_an_older_version_has(run, older_case):
    listed = run("case", "list")
    assert listed.exit_code == 0, listed.output
    assert older_case in listed.output and "Waiting for the agencies' chronologies" in listed.output


def test_retention_anonymises_a_case_that_ended_in_a_final_state_only_an_older_version_has(
    monkeypatch, sessions, partnership, policy
):
    monkeypatch.setitem(PROCESSES, OLDER.version, OLDER)
    monkeypatch.setitem(PROCESSES, NEWEST.version, NEWEST)
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "closed")
        session.execute(
            update(CaseReview)
            .where(CaseReview.id == case.id)
            .values(workflow_version=OLDER.version, state=RETIRED_FINAL.name, ended_on=LONG_AGO)
        )
        reference = case.reference
    with write_transaction(sessions) as session:
        due = run_retention(session, policy, SAMPLE_NOW, dry_run=True)
    assert due.references == [reference]
