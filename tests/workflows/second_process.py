"""A second process, declared in the test suite only: the case review with a step nobody
declared in production, a review by the housing ombudsman between ``threshold_not_met`` and
``closed`` (shaped as the Crime and Policing Act 2026 shapes the local policing body's),
with a 20-working-day limit, one letter and its columns in a spreadsheet of past cases.

It is built from the production declaration without touching any production module: the
proof that adding a step is a change of the declaration (and a letter's template) alone.
Every name it adds (its state, events, clock, letter, titles, labels and columns) is one
production never uses, so nothing in production keyed by a name can make the proof pass:
only reading this declaration can. Production's own review by the local policing body is
taken out, so that the new step stands where that one stood.
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
from workflows.process import Clock, Imported, Letter, Move, State, Step
from workflows.schemas import EventIn, RequiredText

OMBUDSMAN_REVIEW = "ombudsman_review"
ASK = "ask_ombudsman"
VERDICT = "record_ombudsman_verdict"
#: Where the new letter's template lives (config.toml's [mail] templates_folder).
TEMPLATES = Path(__file__).parent.parent / "data" / "templates"


class AskOmbudsmanIn(EventIn):
    grounds: RequiredText


class OmbudsmanVerdictIn(EventIn):
    outcome: Literal["upheld", "not_upheld"]
    reason: RequiredText


OMBUDSMAN_VERDICT = Clock(
    "ombudsman_verdict",
    20,
    "Ombudsman's verdict",
    "housing ombudsman's verdict",
    # Its limit is the law's: no config.toml key to add for it.
    configurable=False,
)

REQUEST = Step(
    ASK,
    "Ask the housing ombudsman for a review",
    AskOmbudsmanIn,
    "AppealForm",
    MANAGER_ONLY,
    (
        Move(
            (THRESHOLD_NOT_MET,),
            OMBUDSMAN_REVIEW,
            meets=("appeal_window",),
            starts=(OMBUDSMAN_VERDICT.key,),
            letters=(Letter("ombudsman_review_asked", APPLICANT),),
        ),
    ),
    imported=Imported(
        "ombudsman_asked_on",
        fixed={"grounds": ""},
        hint="the ombudsman reviews a 'not met' decision",
    ),
)
DECIDE = Step(
    VERDICT,
    "Record the housing ombudsman's verdict",
    OmbudsmanVerdictIn,
    # A production form fits its input (outcome, reason): the step names it.
    "DecideAppealForm",
    MANAGER_ONLY,
    (
        Move(
            (OMBUDSMAN_REVIEW,),
            THRESHOLD_MET,
            when=("outcome", "upheld"),
            condition_label="verdict upheld",
            meets=(OMBUDSMAN_VERDICT.key,),
            starts=("panel",),
        ),
        Move(
            (OMBUDSMAN_REVIEW,),
            CLOSED,
            when=("outcome", "not_upheld"),
            condition_label="verdict not upheld",
            meets=(OMBUDSMAN_VERDICT.key,),
            stops_all=True,
            letters=(CLOSURE,),
        ),
    ),
    imported=Imported(
        "ombudsman_outcome",
        dates=("ombudsman_verdict_on", "ombudsman_asked_on"),
        values={"outcome": "ombudsman_outcome"},
        fixed={"reason": "Decided before casereview."},
        hint="a verdict needs the ombudsman to be asked",
    ),
)


def _insert_after(items: tuple, after: object, *new: object) -> tuple:  # type: ignore[type-arg]
    at = items.index(after) + 1
    return (*items[:at], *new, *items[at:])


#: The production process without its own local policing body review.
WITHOUT_REVIEW = dataclasses.replace(
    CASE_REVIEW,
    states=tuple(s for s in CASE_REVIEW.states if s.name != "policing_body_review"),
    clocks=tuple(c for c in CASE_REVIEW.clocks if c.key != "policing_body_decision"),
    steps=tuple(s for s in CASE_REVIEW.steps if "policing_body" not in s.event),
)

WITH_OMBUDSMAN_REVIEW = dataclasses.replace(
    WITHOUT_REVIEW,
    version=2,
    states=_insert_after(
        WITHOUT_REVIEW.states,
        next(s for s in WITHOUT_REVIEW.states if s.name == "appeal"),
        State(OMBUDSMAN_REVIEW, "With the housing ombudsman"),
    ),
    clocks=(*WITHOUT_REVIEW.clocks, OMBUDSMAN_VERDICT),
    steps=_insert_after(
        WITHOUT_REVIEW.steps, WITHOUT_REVIEW.step["decide_appeal"], REQUEST, DECIDE
    ),
)
