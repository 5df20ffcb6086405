"""A second process, declared in the test suite only: the case review with a step "local
policing body review" between ``threshold_not_met`` and ``closed`` (as the Crime and
Policing Act 2026 brings it), a 20-working-day limit and one letter.

It is built from the production declaration without touching any production module: the
proof that adding a step is a change of the declaration (and a letter's template) alone.
Production now declares its own review by the local policing body (with its config and
letters); this one is added to the production process with that review taken out, so that
the proof still adds a step nobody declared.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from notifications.outbox import APPLICANT
from workflows.case_review import (
    CASE_REVIEW,
    CLOSED,
    CLOSURE,
    MANAGER_ONLY,
    THRESHOLD_MET,
    THRESHOLD_NOT_MET,
)
from workflows.process import Clock, Letter, Move, State, Step
from workflows.schemas import EventIn, RequiredText

POLICING_BODY_REVIEW = "policing_body_review"
#: Where the new letter's template lives (config.toml's [mail] templates_folder).
TEMPLATES = Path(__file__).parent.parent / "data" / "templates"


class RequestReviewIn(EventIn):
    grounds: RequiredText


class DecideReviewIn(EventIn):
    outcome: Literal["upheld", "not_upheld"]
    reason: RequiredText


REVIEW_DECISION = Clock(
    "policing_body_decision",
    20,
    "Local policing body decision",
    "local policing body's decision",
)

REQUEST = Step(
    "request_policing_body_review",
    "Record a request for the local policing body's review",
    RequestReviewIn,
    "AppealForm",
    MANAGER_ONLY,
    (
        Move(
            (THRESHOLD_NOT_MET,),
            POLICING_BODY_REVIEW,
            meets=("appeal_window",),
            starts=(REVIEW_DECISION.key,),
            letters=(Letter("policing_body_review_requested", APPLICANT),),
        ),
    ),
)
DECIDE = Step(
    "decide_policing_body_review",
    "Record the local policing body's decision",
    DecideReviewIn,
    "DecideAppealForm",
    MANAGER_ONLY,
    (
        Move(
            (POLICING_BODY_REVIEW,),
            THRESHOLD_MET,
            when=("outcome", "upheld"),
            condition_label="review upheld",
            meets=(REVIEW_DECISION.key,),
            starts=("panel",),
        ),
        Move(
            (POLICING_BODY_REVIEW,),
            CLOSED,
            when=("outcome", "not_upheld"),
            condition_label="review not upheld",
            meets=(REVIEW_DECISION.key,),
            stops_all=True,
            letters=(CLOSURE,),
        ),
    ),
)


def _insert_after(items: tuple, after: object, *new: object) -> tuple:  # type: ignore[type-arg]
    at = items.index(after) + 1
    return (*items[:at], *new, *items[at:])


#: The production process without its own local policing body review.
WITHOUT_REVIEW = dataclasses.replace(
    CASE_REVIEW,
    states=tuple(s for s in CASE_REVIEW.states if s.name != POLICING_BODY_REVIEW),
    clocks=tuple(c for c in CASE_REVIEW.clocks if c.key != REVIEW_DECISION.key),
    steps=tuple(s for s in CASE_REVIEW.steps if "policing_body" not in s.event),
)

WITH_POLICING_BODY_REVIEW = dataclasses.replace(
    WITHOUT_REVIEW,
    version=2,
    states=_insert_after(
        WITHOUT_REVIEW.states,
        next(s for s in WITHOUT_REVIEW.states if s.name == "appeal"),
        State(POLICING_BODY_REVIEW, "Local policing body review"),
    ),
    clocks=(*WITHOUT_REVIEW.clocks, REVIEW_DECISION),
    steps=_insert_after(
        WITHOUT_REVIEW.steps, WITHOUT_REVIEW.step["decide_appeal"], REQUEST, DECIDE
    ),
)
