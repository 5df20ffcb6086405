"""Historical cases from a spreadsheet export, so that past years' figures can be published.

Partnerships have kept their ASB case reviews in spreadsheets since the duty began (October
2014). Each row becomes a case in the state its dates imply: its steps are replayed through
the same state machine and the same working-day limits as a live case (so "acknowledged
within 5 working days" means the same thing for an imported year), and each step is recorded
in the audit trail as imported. Letters are never sent for the past.

What a row can say is read from the process declaration: each step declares its columns,
why it may be refused, and how it is recorded (``workflows.process.Imported``: its own live
recorder, or one of ``workflows.step_imports`` where the row lacks what that one needs). A
row is replayed on the newest version of the process (or the one the caller names), in the
order the process allows its steps, and its case is on that version.

The whole file is checked before anything is written: one bad row stops the import with every
problem listed by line and column, and nothing is written. A reference already imported is
left as it is, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Literal, get_args, get_origin

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.audit import append_events
from triggers.calendar import english_date
from triggers.db import refresh_statistics
from triggers.models import Applicant, CaseReview, Partnership, ReferenceCounter, Victim
from triggers.partnerships import partnership_by_name
from triggers.policy import Policy
from triggers.text import one_line_problem, whole_number
from workflows import deadlines
from workflows.case_review import newest
from workflows.errors import InvalidData
from workflows.process import Imported, Process
from workflows.process import Step as Declared
from workflows.service import Actor, Outcome, advance
from workflows.step_imports import CLOSED_ON

REQUIRED = ("reference", "received_on")
#: The case's own columns beside its steps': its figures and where it belongs.
CASE_COLUMNS = ("recommendations", "hate_related", "youth_asb", "themes", "ward", "partnership")


@functools.cache  # a process is hashed by identity, and read for every row
def columns(process: Process) -> tuple[str, ...]:
    """The columns read for ``process``: the case's and each step's (its declaration's
    ``Imported``); any other column is ignored."""
    of_steps = (
        column for step in process.steps if step.imported for column in step.imported.columns
    )
    return tuple(dict.fromkeys((*REQUIRED, *of_steps, *CASE_COLUMNS)))


@functools.cache
def choices(process: Process) -> dict[str, tuple[str, ...]]:
    """column → the words a row may write in it: the values of the step's input field it
    fills, where that field takes one of a few (a decision, an outcome, a ground)."""
    found: dict[str, tuple[str, ...]] = {}
    for step in process.steps:
        for name, column in (step.imported.values if step.imported else {}).items():
            annotation = step.schema.model_fields[name].annotation
            if get_origin(annotation) is Literal:
                found[column] = tuple(str(value) for value in get_args(annotation))
    return found


#: The columns the newest process reads (a spreadsheet's header, for the demo and the bench).
COLUMNS = columns(newest())
CHANNEL = "import"
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: CT-2021-007 (or CT-2021-H07: a letter marks a series casereview never gives itself).
_NUMBERED = re.compile(
    r"(?P<code>[A-Z0-9-]{1,10})-(?P<year>[0-9]{4})-(?P<series>[A-Z]?)(?P<number>[0-9]{1,6})"
)
#: The first year a reference may carry: the Community Trigger began in October 2014, but
#: pilots and older local schemes came before it.
FIRST_REFERENCE_YEAR = 2000


@dataclass(frozen=True)
class Step:
    """One step of the process as the spreadsheet records it."""

    event: str
    on: date
    column: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class HistoricalCase:
    line: int
    reference: str
    partnership_id: int
    received_on: date
    steps: list[Step]
    recommendations: int
    themes: list[str]
    ward: str
    hate_related: bool
    youth_asb: bool
    #: The row's values by column, read (dates, words, numbers): what a step records.
    row: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What a checked file would do: the new cases, and the references already imported."""

    new: list[HistoricalCase]
    unchanged: list[str]
    #: The version of the process the rows were replayed on, which the cases are on.
    process: Process = field(default_factory=newest)


class ImportRefused(InvalidData):
    """The file has problems; ``fields`` maps "line N, column" to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems, f"The file was not imported: {len(problems)} problem(s).")


def check_file(
    stream: IO[str],
    session: Session,
    policy: Policy,
    today: date,
    default: Partnership,
    process: Process | None = None,
) -> ImportPlan:
    """Read and check every row against ``process`` (the newest version unless named); raise
    ImportRefused listing every problem, or return the plan."""
    process = process or newest()
    read = columns(process)
    reader = csv.DictReader(stream)
    if reader.fieldnames is None:
        raise ImportRefused({"line 1": "the file is empty: it needs a header row"})
    header = {name: (name or "").strip().lower() for name in reader.fieldnames}
    missing = [name for name in REQUIRED if name not in header.values()]
    if missing:
        raise ImportRefused(
            {"line 1": f"the header row has no column {', '.join(repr(m) for m in missing)}"}
        )
    problems: dict[str, str] = {}
    partnerships: dict[str, Partnership | None] = {}
    first_line: dict[str, int] = {}
    cases: list[HistoricalCase] = []
    for row in reader:
        line = reader.line_num
        values = {
            header[name]: (value or "").strip()
            for name, value in row.items()
            if name is not None and header.get(name) in read and isinstance(value, str)
        }
        if not any(values.values()):
            continue
        checker = _RowChecker(line, values, policy, today, process)
        found = checker.case(partnerships, session, default)
        problems.update(checker.problems)
        if found is None:
            continue
        if found.reference in first_line:
            problems[f"line {line}, reference"] = (
                f"'{found.reference}' is also on line {first_line[found.reference]}: each case once"
            )
            continue
        first_line[found.reference] = line
        cases.append(found)
    if not cases and not problems:
        raise ImportRefused({"line 2": "the file has a header row but no cases"})
    existing = _existing(session, [case.reference for case in cases])
    unchanged = []
    for found in cases:
        channel = existing.get(found.reference)
        if channel == CHANNEL:
            unchanged.append(found.reference)
        elif channel is not None:
            problems[f"line {found.line}, reference"] = (
                f"'{found.reference}' is already a case logged in casereview, not an imported one"
            )
    if problems:
        raise ImportRefused(problems)
    return ImportPlan(
        [case for case in cases if case.reference not in existing], unchanged, process
    )


def import_cases(
    session: Session,
    plan: ImportPlan,
    policy: Policy,
    now: datetime,
    source: str,
    progress: Callable[[int], None] = lambda _done: None,
    chunk: int = 500,
) -> int:
    """Write the plan's cases in the caller's transaction, each in its implied state.

    Written in chunks and not kept: once flushed, a chunk's rows can leave memory, so a
    100,000-row spreadsheet costs what one chunk costs.
    """
    actor = f"import from {source}"
    written: list[tuple[CaseReview, list[dict[str, Any]]]] = []
    inputs: dict[str, Any] = {}
    for index, found in enumerate(plan.new, start=1):
        written.append(_write(session, found, plan.process, policy, now, actor, inputs))
        if index % chunk == 0:
            _audit_chunk(session, written)
            written = []
            progress(chunk)
    _audit_chunk(session, written)
    progress(len(plan.new) % chunk)
    _advance_reference_counters(session, plan.new)
    refresh_statistics(session)
    return len(plan.new)


# --- checking one row -------------------------------------------------------------------


class _RowChecker:
    """Turns one row into a HistoricalCase, collecting every problem on the way."""

    def __init__(
        self, line: int, values: dict[str, str], policy: Policy, today: date, process: Process
    ) -> None:
        self.line, self.values, self.policy, self.today = line, values, policy, today
        self.process = process
        self.problems: dict[str, str] = {}

    def problem(self, column: str, message: str) -> None:
        key = f"line {self.line}, {column}"
        self.problems[key] = f"{self.problems[key]}; {message}" if key in self.problems else message

    def case(
        self,
        partnerships: dict[str, Partnership | None],
        session: Session,
        default: Partnership,
    ) -> HistoricalCase | None:
        for column, text in self.values.items():
            if problem := one_line_problem(text):
                self.problem(column, problem)
        reference = self.values.get("reference", "").upper()
        if not reference:
            self.problem("reference", "is empty: every case needs its reference")
        dates = {
            name: self.date(name)
            for name in columns(self.process)
            if name.endswith("_on") and self.values.get(name)
        }
        received_on = dates.get("received_on")
        if "received_on" not in self.values or not self.values["received_on"]:
            self.problem("received_on", "is empty: every case needs the date it was received")
        words = {
            column: self.choice(column, allowed)
            for column, allowed in choices(self.process).items()
        }
        recommendations = self.count("recommendations")
        themes = self.themes()
        hate, youth = self.flag("hate_related"), self.flag("youth_asb")
        ward = self.values.get("ward", "")
        if len(ward) > 100:
            self.problem("ward", "is longer than 100 characters")
        partnership = self.partnership(partnerships, session, default)
        if reference and partnership is not None:
            self.reference(reference, partnership)
        if self.problems or received_on is None or partnership is None:
            return None
        row = {**dates, **words, "recommendations": recommendations, "themes": themes}
        steps = self.steps(row)
        if self.problems:
            return None
        return HistoricalCase(
            line=self.line,
            reference=reference,
            partnership_id=partnership.id,
            received_on=received_on,
            steps=steps,
            recommendations=recommendations,
            themes=themes,
            ward=ward,
            hate_related=hate,
            youth_asb=youth,
            row=row,
        )

    def date(self, column: str) -> date | None:
        text = self.values[column]
        day = None
        try:
            if _ISO_DATE.fullmatch(text):
                day = date.fromisoformat(text)
            elif match := _UK_DATE.fullmatch(text):
                day_number, month, year = (int(part) for part in match.groups())
                day = date(year, month, day_number)
        except ValueError:
            self.problem(column, f"'{text}' is not a real date")
            return None
        if day is None:
            self.problem(column, f"'{text}' is not a date written YYYY-MM-DD or DD/MM/YYYY")
            return None
        if day > self.today:
            self.problem(column, f"{english_date(day)} is in the future")
            return None
        try:
            self.policy.calendar.add_working_days(day, 250)
        except (ValueError, IndexError):
            self.problem(column, f"{day.isoformat()} is outside the years this service counts in")
            return None
        return day

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        text = self.values.get(column, "").lower().replace(" ", "_").replace("-", "_")
        if text and text not in allowed:
            words = ", ".join(f"'{word}'" for word in allowed)
            self.problem(column, f"'{self.values[column]}' is not one of {words} (or empty)")
            return ""
        return text

    def count(self, column: str) -> int:
        text = self.values.get(column, "")
        if not text:
            return 0
        number = whole_number(text, 0, 1000)
        if number is None:
            self.problem(column, f"'{text}' is not a whole number from 0 to 1000")
            return 0
        return number

    def flag(self, column: str) -> bool:
        text = self.values.get(column, "").lower()
        if text not in YES | NO:
            self.problem(column, f"'{self.values[column]}' is not yes or no")
            return False
        return text in YES

    def themes(self) -> list[str]:
        themes = self.policy.config.themes
        known = {theme.key.casefold(): theme.key for theme in themes}
        known |= {theme.label.casefold(): theme.key for theme in themes}
        result = []
        parts = (part.strip() for part in self.values.get("themes", "").split(";"))
        for text in filter(None, parts):
            key = known.get(text.casefold())
            if key is None:
                keys = ", ".join(theme.key for theme in themes) or "none configured"
                self.problem("themes", f"'{text}' is not a configured theme ({keys})")
            elif key not in result:
                result.append(key)
        return result

    def reference(self, reference: str, partnership: Partnership) -> None:
        """A reference is the partnership's own numbering, or a new case would later be
        given one already taken (another partnership's code), or a counter would overflow
        (a number past 6 digits); nor can a formula or a path pass for one."""
        match = _NUMBERED.fullmatch(reference)
        example = f"{partnership.code}-2021-007"
        if match is None or match["code"] != partnership.code.upper():
            self.problem(
                "reference",
                f"'{reference[:40]}' is not a reference of {partnership.name}: write it like "
                f"{example} (the code {partnership.code}, the year and a number of up to "
                "6 digits)",
            )
        elif not FIRST_REFERENCE_YEAR <= int(match["year"]) <= self.today.year:
            self.problem(
                "reference",
                f"'{reference}' has the year {match['year']}: a year from "
                f"{FIRST_REFERENCE_YEAR} to {self.today.year} is expected",
            )
        elif int(match["number"]) == 0:
            self.problem("reference", f"'{reference}' has the number 0: numbers start at 1")

    def partnership(
        self,
        partnerships: dict[str, Partnership | None],
        session: Session,
        default: Partnership,
    ) -> Partnership | None:
        name = self.values.get("partnership", "")
        if not name:
            return default
        if name not in partnerships:
            partnerships[name] = partnership_by_name(session, name)
        if partnerships[name] is None:
            self.problem("partnership", f"'{name}' is not a partnership of this installation")
        return partnerships[name]

    def steps(self, row: dict[str, Any]) -> list[Step]:
        """The steps the row's values imply, replayed through the state machine to check them.
        First the rules between the production process's own columns (their words are those
        the partnerships were given); a column a step adds is checked by its replay."""
        decision, outcome = row.get("threshold_decision"), row.get("appeal_outcome")
        body_outcome, ground = row.get("policing_body_review_outcome"), row.get("refusal_ground")
        if decision and not row.get("threshold_decided_on"):
            self.problem("threshold_decided_on", "is needed with a threshold decision")
        if row.get("threshold_decided_on") and not decision:
            self.problem("threshold_decision", "is needed when threshold_decided_on is given")
        if outcome and not row.get("appeal_received_on"):
            self.problem("appeal_received_on", "is needed with an appeal outcome")
        if body_outcome and not row.get("policing_body_review_requested_on"):
            self.problem(
                "policing_body_review_requested_on",
                "is needed with the local policing body's decision",
            )
        if row.get("refused_on") and not ground:
            self.problem("refusal_ground", "is needed when refused_on is given")
        if ground and not row.get("refused_on"):
            self.problem("refused_on", "is needed with a refusal ground")
        if (row["recommendations"] or row["themes"]) and not row.get("panel_held_on"):
            column = "recommendations" if row["recommendations"] else "themes"
            self.problem(column, "needs panel_held_on: only a review makes them")
        if row.get("closed_on") and row.get("withdrawn_on"):
            self.problem("withdrawn_on", "a case is either closed or withdrawn, not both")
        if self.problems:
            return []
        taken = []
        for declared in self.process.steps:
            imported = declared.imported
            if imported is not None and row.get(imported.column):
                data = {name: row.get(column) for name, column in imported.values.items()}
                taken.append(_Taken.of(self.process, declared, data))
        return self.replay(row, taken)

    def replay(self, row: dict[str, Any], taken: list[_Taken]) -> list[Step]:
        """Fire the row's steps on a stand-in case in the order the process allows them (the
        machine's table says what may follow what), each on its date; a step the process
        refuses, or one dated before the step it follows, is the row's problem."""
        process = self.process
        probe = _Probe(process.initial)
        steps: list[Step] = []
        previous_on, previous_column = row.get("received_on"), "received_on"
        remaining = list(taken)
        while remaining:
            if probe.state in process.final_states:
                # An ending the row also dates (closed_on beside a final appeal) is done.
                remaining = [item for item in remaining if item.leads_to != {probe.state}]
                if not remaining:
                    break
            chosen = _next_step(process, probe.state, remaining)
            item = chosen or remaining[0]
            imported = item.imported
            if chosen is None:
                self.problem(imported.column, _not_possible(item.declared, probe.state))
                return steps
            remaining.remove(item)
            on = item.date(row)
            if on is None:
                self.problem(imported.dated_by[0], f"is needed when {imported.column} is given")
                return steps
            if previous_on is not None and on < previous_on:
                self.problem(
                    imported.column,
                    f"{on.isoformat()} is before {previous_column} "
                    f"({previous_on.isoformat()}): the steps must follow each other in time",
                )
                return steps
            process.fire(probe, item.declared.event, **item.data)
            steps.append(Step(item.declared.event, on, imported.column, item.data))
            previous_on, previous_column = on, imported.column
        return steps


@dataclass
class _Probe:
    state: str


@dataclass(eq=False)  # found in a row's list by identity
class _Taken:
    """A step a row records, with its input from the row."""

    declared: Declared
    imported: Imported
    data: dict[str, Any]
    #: The states it may lead to with this input (its moves' conditions read).
    leads_to: frozenset[str]
    #: It ends the case whatever state it is taken in.
    ends: bool

    @classmethod
    def of(cls, process: Process, declared: Declared, data: dict[str, Any]) -> _Taken:
        assert declared.imported is not None
        leads_to = frozenset(
            move.dest
            for move in declared.moves
            if move.when is None or data.get(move.when[0]) == move.when[1]
        )
        return cls(declared, declared.imported, data, leads_to, leads_to <= process.final_states)

    def date(self, row: dict[str, Any]) -> date | None:
        """The step's date: the first its declaration's columns give; a decision that ends
        the case without a date of its own ends it on the day the row says it closed."""
        dated_by = self.imported.dated_by
        if self.ends and not row.get(dated_by[0]) and row.get(CLOSED_ON):
            return row[CLOSED_ON]
        return next((row[column] for column in dated_by if row.get(column)), None)


def _next_step(process: Process, state: str, remaining: list[_Taken]) -> _Taken | None:
    """The row's step the case in ``state`` takes next: the first (in the declaration's
    order) the process allows that does not end the case; else one that ends it, unless a
    step that would not comes before it in the declaration (the case cannot end first: that
    step is refused where it is). None: the process allows none of them here."""
    offered = process.allowed_events(state)
    allowed = []
    for item in remaining:
        if item.declared.event not in offered:
            continue
        try:
            process.move_for(item.declared.event, item.data, state)
        except LookupError:
            continue
        if not item.ends:
            return item
        allowed.append(item)
    if not allowed:
        return None
    ending = allowed[0]
    waiting = next((index for index, item in enumerate(remaining) if not item.ends), None)
    if waiting is not None and waiting < remaining.index(ending):
        return None
    return ending


def _not_possible(declared: Declared, state: str) -> str:
    needs = declared.imported.hint if declared.imported else ""
    return f"not possible here: the case would be '{state}'" + (f"; {needs}" if needs else "")


def _existing(session: Session, references: list[str]) -> dict[str, str]:
    """reference → channel, for the references already in the database."""
    found: dict[str, str] = {}
    for start in range(0, len(references), 500):
        batch = references[start : start + 500]
        rows = session.execute(
            select(CaseReview.reference, CaseReview.channel).where(CaseReview.reference.in_(batch))
        )
        found.update({reference: channel for reference, channel in rows})
    return found


# --- writing ------------------------------------------------------------------------------


def _write(
    session: Session,
    found: HistoricalCase,
    process: Process,
    policy: Policy,
    now: datetime,
    actor: str,
    inputs: dict[str, Any],
) -> tuple[CaseReview, list[dict[str, Any]]]:
    """The case in its implied state on ``process``, and its audit events (written once it
    has its id). ``inputs``: each step's input as no row changes it, built once an import."""
    case = CaseReview(
        partnership_id=found.partnership_id,
        reference=found.reference,
        state=process.initial,
        workflow_version=process.version,
        received_on=found.received_on,
        channel=CHANNEL,
        is_hate_related=found.hate_related,
        is_youth_asb=found.youth_asb,
        ward=found.ward,
        last_step_on=found.received_on,
        created_at=now,
        updated_at=now,
    )
    # No personal data comes with a historical row: the figures need none.
    case.victim = Victim(type="individual", name="", contact_preference="letter")
    case.applicant = Applicant(on_behalf=False)
    deadlines.start(case, process.clock[process.first_clock], found.received_on, policy)
    session.add(case)
    imported = {"imported": True, "line": found.line}

    def event(name: str, before: str, on: date) -> dict[str, Any]:
        return {
            "partnership_id": case.partnership_id,
            "at": now,
            "actor": actor,
            "event": name,
            "from_state": before,
            "to_state": case.state,
            "step_on": on,
            "data": imported,
        }

    audit = [event("import", "", found.received_on)]
    recorded_by = Actor(label=actor)
    for step in found.steps:
        before = case.state
        _record(session, case, found, step, process, policy, recorded_by, inputs)
        advance(case, process, step.event, step.data, step.on, policy)
        audit.append(event(step.event, before, step.on))
    return case, audit


def _audit_chunk(session: Session, written: list[tuple[CaseReview, list[dict[str, Any]]]]) -> None:
    """The audit events of a chunk of cases, once the flush has given the cases their ids:
    one append for the chunk, as one step appends its one event."""
    session.flush()
    append_events(session, [{**row, "case_id": case.id} for case, rows in written for row in rows])


def _record(
    session: Session,
    case: CaseReview,
    found: HistoricalCase,
    step: Step,
    process: Process,
    policy: Policy,
    actor: Actor,
    inputs: dict[str, Any],
) -> None:
    """The facts the step leaves on the case: by its declaration's import recorder where the
    row lacks what the live one needs, else by the step's own recorder, as a live step is
    (its warnings are about the past, and nobody is there to read them)."""
    declared = process.step[step.event]
    imported = declared.imported
    assert imported is not None  # only a declared column makes a step
    if imported.record is not None:
        imported.record(case, step.on, step.data, found.row)
        return
    # The input as the row gives it, unchecked (the row was): a copy of the step's input
    # with its fixed values, built once (pydantic inspects each default's factory anew on
    # every model_construct, a millisecond a case).
    if step.event not in inputs:
        inputs[step.event] = declared.schema.model_construct(**imported.fixed)
    event_in = inputs[step.event].model_copy(update=step.data)
    declared.record(session, case, event_in, step.on, actor, policy, Outcome(case))


def _advance_reference_counters(session: Session, cases: Iterable[HistoricalCase]) -> None:
    """A new case must never be given a reference an imported one already has."""
    highest: dict[tuple[int, int], int] = {}
    codes = {row.id: row.code.upper() for row in session.scalars(select(Partnership))}
    for found in cases:
        match = _NUMBERED.fullmatch(found.reference)
        # A lettered series (CT-2021-H07) never meets the numbers casereview gives.
        if match and match["code"] == codes.get(found.partnership_id) and not match["series"]:
            key = (found.partnership_id, int(match["year"]))
            highest[key] = max(highest.get(key, 0), int(match["number"]))
    for (partnership_id, year), number in highest.items():
        counter = session.get(ReferenceCounter, (partnership_id, year))
        if counter is None:
            counter = ReferenceCounter(partnership_id=partnership_id, year=year, last_number=0)
            session.add(counter)
        counter.last_number = max(counter.last_number, number)
    session.flush()
