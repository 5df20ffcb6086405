"""Historical cases from a spreadsheet export, so that past years' figures can be published.

Partnerships have kept their ASB case reviews in spreadsheets since the duty began (October
2014). Each row becomes a case in the state its dates imply: its steps are replayed through
the same state machine and the same working-day limits as a live case (so "acknowledged
within 5 working days" means the same thing for an imported year), and each step is recorded
in the audit trail as imported. Letters are never sent for the past.

The whole file is checked before anything is written: one bad row stops the import with every
problem listed by line and column, and nothing is written. A reference already imported is
left as it is, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.audit import append_events
from triggers.calendar import english_date
from triggers.db import refresh_statistics
from triggers.models import (
    Appeal,
    Applicant,
    CaseReview,
    CaseTheme,
    Panel,
    Partnership,
    PolicingBodyReview,
    ReferenceCounter,
    ThresholdDecision,
    Victim,
)
from triggers.partnerships import partnership_by_name
from triggers.policy import Policy
from triggers.text import one_line_problem, whole_number
from workflows import deadlines
from workflows.case_review import CASE_REVIEW, RECEIVED
from workflows.errors import InvalidData
from workflows.service import advance
from workflows.steps import REFUSAL_GROUNDS as REFUSAL_WORDS

#: The grounds of refusal a row may give (workflows.schemas.RefusalGround).
REFUSAL_GROUNDS = tuple(REFUSAL_WORDS)

#: The columns read; any other column is ignored.
COLUMNS = (
    "reference",
    "received_on",
    "acknowledged_on",
    "threshold_decision",
    "threshold_decided_on",
    "panel_held_on",
    "recommendations",
    "findings_sent_on",
    "appeal_received_on",
    "appeal_outcome",
    "appeal_decided_on",
    "policing_body_review_requested_on",
    "policing_body_review_outcome",
    "policing_body_review_decided_on",
    "refused_on",
    "refusal_ground",
    "closed_on",
    "withdrawn_on",
    "hate_related",
    "youth_asb",
    "themes",
    "ward",
    "partnership",
)
REQUIRED = ("reference", "received_on")
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
    appeal_decided_on: date | None
    policing_body_decided_on: date | None
    #: The case's date of closing, when the row gives one beside a final appeal.
    closed_on: date | None


@dataclass
class ImportPlan:
    """What a checked file would do: the new cases, and the references already imported."""

    new: list[HistoricalCase]
    unchanged: list[str]


class ImportRefused(InvalidData):
    """The file has problems; ``fields`` maps "line N, column" to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems, f"The file was not imported: {len(problems)} problem(s).")


def check_file(
    stream: IO[str], session: Session, policy: Policy, today: date, default: Partnership
) -> ImportPlan:
    """Read and check every row; raise ImportRefused listing every problem, or return the plan."""
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
            if name is not None and header.get(name) in COLUMNS and isinstance(value, str)
        }
        if not any(values.values()):
            continue
        checker = _RowChecker(line, values, policy, today)
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
    return ImportPlan([case for case in cases if case.reference not in existing], unchanged)


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
    for index, found in enumerate(plan.new, start=1):
        written.append(_write(session, found, policy, now, actor))
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

    def __init__(self, line: int, values: dict[str, str], policy: Policy, today: date) -> None:
        self.line, self.values, self.policy, self.today = line, values, policy, today
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
            for name in COLUMNS
            if name.endswith("_on") and self.values.get(name)
        }
        received_on = dates.get("received_on")
        if "received_on" not in self.values or not self.values["received_on"]:
            self.problem("received_on", "is empty: every case needs the date it was received")
        decision = self.choice("threshold_decision", ("met", "not_met"))
        outcome = self.choice("appeal_outcome", ("upheld", "not_upheld"))
        body_outcome = self.choice("policing_body_review_outcome", ("upheld", "not_upheld"))
        ground = self.choice("refusal_ground", REFUSAL_GROUNDS)
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
        steps = self.steps(dates, decision, outcome, recommendations, themes, body_outcome, ground)
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
            appeal_decided_on=dates.get("appeal_decided_on"),
            policing_body_decided_on=dates.get("policing_body_review_decided_on"),
            closed_on=dates.get("closed_on"),
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

    def steps(
        self,
        dates: dict[str, date | None],
        decision: str,
        outcome: str,
        recommendations: int,
        themes: list[str],
        body_outcome: str = "",
        ground: str = "",
    ) -> list[Step]:
        """The steps the row's dates imply, replayed through the state machine to check them."""
        if decision and not dates.get("threshold_decided_on"):
            self.problem("threshold_decided_on", "is needed with a threshold decision")
        if dates.get("threshold_decided_on") and not decision:
            self.problem("threshold_decision", "is needed when threshold_decided_on is given")
        if outcome and not dates.get("appeal_received_on"):
            self.problem("appeal_received_on", "is needed with an appeal outcome")
        if body_outcome and not dates.get("policing_body_review_requested_on"):
            self.problem(
                "policing_body_review_requested_on",
                "is needed with the local policing body's decision",
            )
        if dates.get("refused_on") and not ground:
            self.problem("refusal_ground", "is needed when refused_on is given")
        if ground and not dates.get("refused_on"):
            self.problem("refused_on", "is needed with a refusal ground")
        if (recommendations or themes) and not dates.get("panel_held_on"):
            column = "recommendations" if recommendations else "themes"
            self.problem(column, "needs panel_held_on: only a review makes them")
        if dates.get("closed_on") and dates.get("withdrawn_on"):
            self.problem("withdrawn_on", "a case is either closed or withdrawn, not both")
        if self.problems:
            return []

        steps: list[Step] = []

        def add(column: str, event: str, **data: Any) -> None:
            if (on := dates.get(column)) is not None:
                steps.append(Step(event, on, column, data))

        def add_appeal() -> None:
            add("appeal_received_on", "appeal", grounds="")
            if outcome and dates.get("appeal_received_on"):
                on = dates.get("appeal_decided_on") or dates["appeal_received_on"]
                if outcome == "not_upheld" and not dates.get("appeal_decided_on"):
                    on = dates.get("closed_on") or on
                steps.append(Step("decide_appeal", on, "appeal_outcome", {"outcome": outcome}))

        def add_body_review() -> None:
            requested = "policing_body_review_requested_on"
            add(requested, "request_policing_body_review", grounds="")
            if body_outcome and dates.get(requested):
                on = dates.get("policing_body_review_decided_on") or dates[requested]
                if body_outcome == "not_upheld" and not dates.get(
                    "policing_body_review_decided_on"
                ):
                    on = dates.get("closed_on") or on
                steps.append(
                    Step(
                        "decide_policing_body_review",
                        on,
                        "policing_body_review_outcome",
                        {"outcome": body_outcome},
                    )
                )

        add("acknowledged_on", "acknowledge")
        add("refused_on", "refuse_application", ground=ground, reason="")
        add("threshold_decided_on", "decide_threshold", decision=decision)
        if decision == "not_met":
            add_appeal()
            add_body_review()
        add("panel_held_on", "schedule_panel", panel_on=dates.get("panel_held_on"))
        add("panel_held_on", "record_review")
        add("findings_sent_on", "send_findings")
        if decision != "not_met":
            add_appeal()
            add_body_review()
        if "not_upheld" not in (outcome, body_outcome) and not ground:
            add("closed_on", "close", reason="")
        add("withdrawn_on", "withdraw", reason="")
        self.replay(dates["received_on"], steps)
        return steps

    def replay(self, received_on: date | None, steps: list[Step]) -> None:
        """Fire each step on a stand-in case: the machine's table says what may follow what."""
        probe = _Probe()
        previous_on, previous_column = received_on, "received_on"
        for step in steps:
            if previous_on is not None and step.on < previous_on:
                self.problem(
                    step.column,
                    f"{step.on.isoformat()} is before {previous_column} "
                    f"({previous_on.isoformat()}): the steps must follow each other in time",
                )
                return
            state = probe.state
            if step.event not in CASE_REVIEW.allowed_events(state) or not CASE_REVIEW.fire(
                probe, step.event, **step.data
            ):
                self.problem(step.column, _not_possible(step, state))
                return
            previous_on, previous_column = step.on, step.column


class _Probe:
    state = RECEIVED


def _not_possible(step: Step, state: str) -> str:
    needs = CASE_REVIEW.step[step.event].import_hint
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
    session: Session, found: HistoricalCase, policy: Policy, now: datetime, actor: str
) -> tuple[CaseReview, list[dict[str, Any]]]:
    """The case in its implied state, and its audit events (written once it has its id)."""
    case = CaseReview(
        partnership_id=found.partnership_id,
        reference=found.reference,
        state=RECEIVED,
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
    deadlines.start(case, CASE_REVIEW.clock[CASE_REVIEW.first_clock], found.received_on, policy)
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
    for step in found.steps:
        before = case.state
        _record(case, found, step)
        advance(case, CASE_REVIEW, step.event, step.data, step.on, policy)
        audit.append(event(step.event, before, step.on))
    return case, audit


def _audit_chunk(session: Session, written: list[tuple[CaseReview, list[dict[str, Any]]]]) -> None:
    """The audit events of a chunk of cases, once the flush has given the cases their ids:
    one append for the chunk, as one step appends its one event."""
    session.flush()
    append_events(session, [{**row, "case_id": case.id} for case, rows in written for row in rows])


def _record(case: CaseReview, found: HistoricalCase, step: Step) -> None:
    """The facts each step leaves on the case, as the live service records them."""
    if step.event == "acknowledge":
        case.acknowledged_on = step.on
    elif step.event == "decide_threshold":
        case.threshold_decided_on = step.on
        case.threshold_decisions.append(
            ThresholdDecision(
                decision=step.data["decision"],
                suggested_met=step.data["decision"] == "met",
                rules_held=[],
                rationale="Decided before casereview; the reasons are in the original records.",
                decided_on=step.on,
                decided_by="imported",
            )
        )
    elif step.event == "schedule_panel":
        case.panels.append(Panel(panel_on=step.on, attendees=[]))
    elif step.event == "record_review":
        panel = case.panels[-1]
        panel.held_on, panel.recommendation_count = step.on, found.recommendations
        case.themes.extend(CaseTheme(panel=panel, theme=theme) for theme in found.themes)
    elif step.event == "send_findings":
        case.findings_sent_on = step.on
    elif step.event == "appeal":
        case.appeals.append(Appeal(received_on=step.on, grounds=""))
    elif step.event == "decide_appeal":
        appeal = case.appeals[-1]
        appeal.outcome, appeal.decided_on = step.data["outcome"], found.appeal_decided_on
        appeal.decided_by = "imported" if found.appeal_decided_on else ""
        if step.data["outcome"] == "not_upheld":
            case.ended_on = found.closed_on or step.on
            case.end_reason = "Appeal not upheld (imported)."
    elif step.event == "request_policing_body_review":
        case.policing_body_reviews.append(PolicingBodyReview(requested_on=step.on, grounds=""))
    elif step.event == "decide_policing_body_review":
        review = case.policing_body_reviews[-1]
        review.outcome, review.decided_on = step.data["outcome"], found.policing_body_decided_on
        review.decided_by = "imported" if found.policing_body_decided_on else ""
        if step.data["outcome"] == "not_upheld":
            case.ended_on = found.closed_on or step.on
            case.end_reason = "Review by the local policing body not upheld (imported)."
    elif step.event == "refuse_application":
        case.refusal_ground = step.data["ground"]
        case.ended_on = step.on
        case.end_reason = f"Application {REFUSAL_WORDS[step.data['ground']]} (imported)."
    elif step.event in ("close", "withdraw"):
        case.ended_on = step.on
        case.end_reason = f"{'Closed' if step.event == 'close' else 'Withdrawn'} (imported)."


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
