"""The history import replays each step through the same path as a live step
(``workflows.service.advance``), proven against the declaration: every path through the
process that a spreadsheet row can express is imported, and the same steps on the same days
are taken through the service; both cases must end alike (state, clocks, history)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tests.factories import (
    EVENT_DATA,
    MANAGER,
    SAMPLE_NOW,
    new_case,
    one_incident,
    with_policing_body_review,
)
from tests.workflows.second_process import ASK, VERDICT, WITH_OMBUDSMAN_REVIEW
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview
from triggers.policy import Policy
from workflows.case_review import CASE_REVIEW
from workflows.history_import import ImportRefused, check_file, choices, columns, import_cases
from workflows.process import Process
from workflows.service import apply


def step_columns(process: Process) -> dict[str, str]:
    """Each step's date column, as its declaration gives it (``Imported``)."""
    return {step.event: step.imported.dated_by[0] for step in process.steps if step.imported}


#: Each spreadsheet column a step's date fills, read from the declaration: a step added to
#: it is found here too (a table kept by hand failed with a KeyError on a new event).
STEP_COLUMNS = step_columns(CASE_REVIEW)
FIRST_DAY = date(2025, 3, 3)
Path = tuple[tuple[str, str], ...]  # (event, the move's key: "met", "upheld", "")


def every_path(process: Process) -> list[Path]:
    """Every path from the first state that takes each step at most once (the spreadsheet
    has one column per step): the declaration's moves, each outcome of a step apart."""
    found: list[Path] = []

    def walk(state: str, path: Path) -> None:
        found.append(path)
        taken = {event for event, _ in path}
        for step in process.steps:
            if step.event in taken:
                continue
            for move in step.moves:
                if state in process.sources(move):
                    walk(move.dest, (*path, (step.event, move.key)))

    walk(process.initial, ())
    return found


def row_for(number: int, path: Path, process: Process = CASE_REVIEW) -> dict[str, str]:
    """The spreadsheet row that records ``path``: one step a week after the one before, each
    in the columns its declaration names (the value a move's condition reads is the move's;
    any other word column gets its first word)."""
    row = {column: "" for column in columns(process) if column != "partnership"}
    row["reference"], row["received_on"] = f"CT-2025-{number:03d}", FIRST_DAY.isoformat()
    words = choices(process)
    for index, (event, key) in enumerate(path, start=1):
        on = (FIRST_DAY + timedelta(weeks=index)).isoformat()
        imported = process.step[event].imported
        assert imported is not None, f"{event} declares no columns for the import"
        date_column = imported.dated_by[0]
        row[date_column] = row[date_column] or on
        for name, column in imported.values.items():
            if column in words:
                moves = process.step[event].moves
                conditions = {m.when[1] for m in moves if m.when and m.when[0] == name}
                row[column] = key if key and key in conditions else words[column][0]
        if event == "record_review":
            row["recommendations"] = "1"
    return row


def as_csv(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    return "\n".join([",".join(header), *(",".join(r[c] for c in header) for r in rows)]) + "\n"


def ending(session, reference: str) -> dict[str, Any]:
    case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
    history = session.execute(
        select(AuditEvent.event, AuditEvent.from_state, AuditEvent.to_state, AuditEvent.step_on)
        .where(AuditEvent.case_id == case.id, AuditEvent.event.not_in(("open", "import")))
        .order_by(AuditEvent.id)
    ).all()
    return {
        "state": case.state,
        "last_step_on": case.last_step_on,
        "clocks": sorted(
            (d.step, d.started_on, d.due_on, d.status, d.ended_on) for d in case.deadlines
        ),
        "history": [tuple(event) for event in history],
    }


def live_data(event: str, step_data: dict[str, Any], on: date) -> dict[str, Any]:
    data = {**EVENT_DATA[event], **{k: v for k, v in step_data.items() if v not in ("", None)}}
    if event == "decide_threshold":  # the rules suggest "not met" for one complaint
        data["against_suggestion"] = "Recorded before casereview."
    if event == "schedule_panel":
        data["panel_on"] = on.isoformat()
    if event == "record_review":
        data["recommendations"] = [
            {**data["recommendations"][0], "due_on": (on + timedelta(days=60)).isoformat()}
        ]
    return {**data, "on": on.isoformat()}


def test_every_path_a_spreadsheet_can_record_replays_as_the_service_steps_it(
    sessions, policy, partnership
):
    # Every step on, the local policing body's review included (off in config.toml).
    policy = Policy.from_config(with_policing_body_review(policy.config, FIRST_DAY))
    paths = every_path(CASE_REVIEW)
    rows = [row_for(number, path) for number, path in enumerate(paths, start=1)]
    # A row records a path when the import accepts it and finds the path's steps in it (a
    # panel scheduled but not yet held, for one, has no column of its own).
    expressed = []
    with write_transaction(sessions) as session:
        for row, path in zip(rows, paths, strict=True):
            try:
                plan = check_file(
                    io.StringIO(as_csv([row])),
                    session,
                    policy,
                    SAMPLE_NOW.date(),
                    session.merge(partnership),
                )
            except ImportRefused:
                continue
            replayed = plan.new[0].steps
            if [step.event for step in replayed] == [event for event, _ in path]:
                expressed.append((row, path, replayed))
    ends = {row["reference"]: path for row, path, _ in expressed}
    reached = {CASE_REVIEW.initial} | {
        move.dest
        for path in ends.values()
        for event, key in path[-1:]
        for move in CASE_REVIEW.step[event].moves
        if move.key == key
    }
    assert set(CASE_REVIEW.state_names) - reached == {"panel_scheduled"}
    assert len(expressed) >= 20

    with write_transaction(sessions) as session:
        text = as_csv([row for row, _, _ in expressed])
        plan = check_file(
            io.StringIO(text), session, policy, SAMPLE_NOW.date(), session.merge(partnership)
        )
        import_cases(session, plan, policy, SAMPLE_NOW, "every-path.csv")
        live = {}
        for row, _path, replayed in expressed:
            case = new_case(
                session,
                partnership,
                policy,
                received_on=FIRST_DAY,
                incidents=one_incident(FIRST_DAY - timedelta(days=10)),
            )
            for step in replayed:
                data = live_data(step.event, step.data, step.on)
                if step.event == "close":  # the closing rule of the 2026 Act, for a live case
                    data["applicant_agreed_on"] = step.on.isoformat()
                    data["recommendations"] = [
                        {"id": rec.id, "status": "done", "reason": "Done."}
                        for rec in case.recommendations
                    ]
                apply(session, case, step.event, data, MANAGER, SAMPLE_NOW, policy)
            live[row["reference"]] = case.reference
    with read_session(sessions) as session:
        for imported, reference in live.items():
            assert ending(session, imported) == ending(session, reference), imported


def test_a_step_added_to_the_declaration_brings_its_own_columns():
    """The test-only process's new steps are written into a row from their declaration."""
    process = WITH_OMBUDSMAN_REVIEW
    path = next(p for p in every_path(process) if (VERDICT, "not_upheld") in p)
    row = row_for(1, path, process)
    assert row["ombudsman_asked_on"] and row["ombudsman_outcome"] == "not_upheld"
    assert {ASK: "ombudsman_asked_on", VERDICT: "ombudsman_verdict_on"}.items() <= (
        step_columns(process).items()
    )
