"""The demo must load whatever day `make run` is typed on."""

from datetime import datetime

import pytest
from sqlalchemy import select

from triggers.db import write_transaction
from triggers.models import CaseReview
from web.demo import load_demo
from workflows.machine import STATES


@pytest.mark.parametrize(
    "now",
    [
        datetime.fromisoformat("2025-12-27T09:00:00+00:00"),  # a Saturday between Christmases
        datetime.fromisoformat("2026-04-06T23:30:00+00:00"),  # Easter Monday, late evening
        datetime.fromisoformat("2026-11-23T10:00:00+00:00"),
    ],
)
def test_the_demo_loads_a_case_in_every_state(sessions, partnership, policy, now):
    with write_transaction(sessions) as session:
        assert load_demo(session, session.merge(partnership), policy, now) == 10
        states = set(session.scalars(select(CaseReview.state)))
        assert states == set(STATES)
        assert load_demo(session, session.merge(partnership), policy, now) == 0
