"""A case in a state only a newer version of the process has is listed, described and
filtered by like any other (issue 17): the API, its OpenAPI document and retention read
every declared version, not version 1's names."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import update

from triggers.db import write_transaction
from triggers.models import CaseReview
from web.api.openapi import openapi_document
from workflows.case_review import CASE_REVIEW, PROCESSES, all_final_states, all_states
from workflows.process import Clock, Move, State

STRUCK_OUT = "struck_out"
#: Version 2 lets the manager strike out an open case (a final state of its own), with a
#: clock of its own for an appeal against it.
VERSION_2 = dataclasses.replace(
    CASE_REVIEW,
    version=2,
    states=(*CASE_REVIEW.states, State(STRUCK_OUT, "Struck out", final=True)),
    clocks=(
        *CASE_REVIEW.clocks,
        Clock("strike_out_appeal", 10, "Strike-out appeal", "appeal against the strike-out"),
    ),
    steps=(
        *CASE_REVIEW.steps,
        dataclasses.replace(
            CASE_REVIEW.step["close"],
            event="strike_out",
            title="Strike out the application",
            moves=(Move(tuple(CASE_REVIEW.open_states), STRUCK_OUT, stops_all=True),),
        ),
    ),
)


@pytest.fixture
def newer_version(monkeypatch):
    """Version 2 declared beside version 1; the OpenAPI document built afresh."""
    monkeypatch.setitem(PROCESSES, 2, VERSION_2)
    openapi_document.cache_clear()
    yield VERSION_2
    openapi_document.cache_clear()


def strike_out(sessions, reference: str, **values) -> None:  # type: ignore[no-untyped-def]
    """Put the case in version 2's own final state (as its step would)."""
    with write_transaction(sessions) as session:
        session.execute(
            update(CaseReview)
            .where(CaseReview.reference == reference)
            .values(state=STRUCK_OUT, workflow_version=2, **values)
        )


def test_every_version_s_states_are_known(newer_version):
    assert all_states() == [*CASE_REVIEW.state_names, STRUCK_OUT]
    assert all_final_states() == CASE_REVIEW.final_states | {STRUCK_OUT}


def test_the_list_filters_by_a_state_only_a_newer_version_has(
    client, auth, sessions, newer_version
):
    from tests.web.test_api import create

    reference = create(client, auth)["reference"]
    create(client, auth)
    strike_out(sessions, reference)
    response = client.get(f"/api/v1/cases?state={STRUCK_OUT}", headers=auth)
    assert response.status_code == 200, response.json
    assert [(c["reference"], c["state"]) for c in response.json["cases"]] == [
        (reference, STRUCK_OUT)
    ]
    assert client.get("/api/v1/cases?state=lost", headers=auth).status_code == 422


def test_the_openapi_document_names_every_version_s_states_events_and_clocks(client, newer_version):
    document = client.get("/api/v1/openapi.json").json
    case = document["components"]["schemas"]["Case"]["properties"]
    assert STRUCK_OUT in case["state"]["enum"]
    assert "strike_out" in case["allowed_events"]["items"]["enum"]
    assert "strike_out_appeal" in case["deadlines"]["properties"]
    listing = document["paths"]["/api/v1/cases"]["get"]["parameters"][0]["schema"]
    assert STRUCK_OUT in listing["enum"]
    assert "StrikeOutEvent" in document["components"]["schemas"]
