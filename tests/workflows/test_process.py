"""The process declaration is complete: every state, clock, letter, label, form and role a
step needs is declared, and every place that reads the process finds what it looks for.

``gaps`` is the check; it is run on the production process and on the test-only process
of ``tests/workflows/second_process.py`` (and on broken copies, to show it notices).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from notifications.letters import environment
from notifications.outbox import APPLICANT
from triggers.accounts import ROLES
from triggers.config import Config, DeadlinesConfig
from triggers.models import CaseReview
from triggers.statuses import Audience
from web.step_forms import StepForm, form_class
from workflows.case_review import CASE_REVIEW
from workflows.process import ANY_OPEN_STATE, Clock, Imported, Letter, Move, Process, Step
from workflows.schemas import EventIn

#: Who a declared letter may go to: the one list of them (triggers.statuses).
AUDIENCES = set(Audience)


def gaps(process: Process, templates: Path | None = None) -> list[str]:
    """Everything missing or inconsistent in ``process``, in words; [] when it is whole."""
    found: list[str] = []
    states = set(process.state_names)
    clocks = set(process.clock)
    env = environment(templates)

    def letters_ok(where: str, letters: tuple[Letter, ...]) -> None:
        for letter in letters:
            if letter.to not in AUDIENCES:
                found.append(f"{where}: letter {letter.kind} goes to unknown '{letter.to}'")
            if f"{letter.kind}.txt" not in env.list_templates():
                found.append(f"{where}: no template {letter.kind}.txt")

    if process.initial not in states:
        found.append(f"initial state {process.initial} is not declared")
    if process.first_clock not in clocks:
        found.append(f"first clock {process.first_clock} is not declared")
    for state in process.states:
        if not state.label:
            found.append(f"state {state.name} has no label")
    for clock in process.clocks:
        if not (clock.label and clock.letter_label and clock.days > 0):
            found.append(f"clock {clock.key} needs both labels and a limit")
    started = {process.first_clock}
    ended: set[str] = set()
    reached = {process.initial}
    for step in process.steps:
        where = f"step {step.event}"
        if not step.title:
            found.append(f"{where} has no title")
        if not step.roles or not step.roles <= set(ROLES):
            found.append(f"{where}: roles {sorted(step.roles)} are not among {ROLES}")
        if not (isinstance(step.schema, type) and issubclass(step.schema, EventIn)):
            found.append(f"{where}: schema is not an EventIn")
        try:
            if not issubclass(form_class(step.event, process), StepForm):
                found.append(f"{where}: form {step.form} is not a StepForm")
        except KeyError:
            found.append(f"{where}: no form class named {step.form}")
        for name in step.reads:
            if not hasattr(CaseReview, name):
                found.append(f"{where} reads {name}, which a case does not have")
        if not step.moves:
            found.append(f"{where} has no transition")
        if step.imported is not None:
            fields = step.schema.model_fields
            for name in step.imported.values:
                if name not in fields:
                    found.append(f"{where}: the import fills {name}, which its input lacks")
            # Replayed by the step's own recorder, its input must be whole without a form.
            given = {*step.imported.values, *step.imported.fixed}
            needed = {name for name, hint in fields.items() if hint.is_required()} - given
            if step.imported.record is None and needed:
                found.append(f"{where}: the import gives no {', '.join(sorted(needed))}")
        conditions = [move for move in step.moves if move.when is not None]
        for move in conditions:
            assert move.when is not None
            hint = step.schema.model_fields.get(move.when[0])
            values = typing.get_args(hint.annotation) if hint else ()
            if move.when[1] not in values:
                found.append(f"{where}: its input has no {move.when[0]} = {move.when[1]!r}")
            if not move.condition_label:
                found.append(f"{where}: the condition {move.when} has no label")
        for move in step.moves:
            sources = process.sources(move)
            for state in [*sources, move.dest]:
                if state not in states:
                    found.append(f"{where}: state {state} is not declared")
            if move.source != (ANY_OPEN_STATE,) and set(sources) & process.final_states:
                found.append(f"{where} leaves a final state")
            for key in (*move.meets, *move.starts):
                if key not in clocks:
                    found.append(f"{where}: clock {key} is not declared")
            started.update(move.starts)
            ended.update(move.meets)
            if move.stops_all:
                ended.update(clocks)
            if move.dest in process.final_states and not move.stops_all:
                found.append(f"{where} ends the case without stopping its clocks")
            reached.add(move.dest)
            letters_ok(where, move.letters)
        # Two moves from one state need conditions that tell them apart.
        for state in states:
            from_here = [m for m in step.moves if state in process.sources(m)]
            if len(from_here) > 1 and len({m.when for m in from_here}) < len(from_here):
                found.append(f"{where}: two moves from {state} with the same condition")
    for operation in process.operations:
        letters_ok(f"operation {operation.name}", operation.letters)
        if not operation.allowed_in:
            found.append(f"operation {operation.name} is allowed in no state")
        for state in process.allowed_in(operation):
            if state not in states:
                found.append(f"operation {operation.name}: state {state} is not declared")
    for state in states - reached:
        found.append(f"state {state} cannot be reached")
    for state in process.open_states:
        if not process.allowed_events(state):
            found.append(f"open state {state} has no way on")
    for key in clocks - started:
        found.append(f"clock {key} is never started")
    for key in clocks - ended:
        found.append(f"clock {key} is never met or stopped")
    if not set(process.letter_labels) >= clocks:
        found.append("a clock has no label for the letters")
    return found


def test_the_case_review_process_is_whole():
    assert gaps(CASE_REVIEW) == []


def _operation_names_in_source() -> set[str]:
    """The names production passes to ``change_beside`` and ``require_allowed``."""
    called = re.compile(
        r"(?:change_beside\(\s*session,\s*case,|require_allowed\(case,)\s*\"(\w+)\""
    )
    root = Path(__file__).parent.parent.parent
    names: set[str] = set()
    for package in ("workflows", "web", "notifications", "triggers"):
        for path in (root / package).rglob("*.py"):
            names.update(called.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_change_beside_a_step_is_a_declared_operation():
    """A change that does not move the case is refused or allowed by its declaration
    (``service.require_allowed``): an undeclared one would fail at run time."""
    names = _operation_names_in_source()
    assert {"add_note", "share_action_plan", "add_agency", "extend_deadline"} <= names
    assert names - set(CASE_REVIEW.operation) == set()


def configurable_in_deadlines(process: Process) -> dict[str, int]:
    """The clocks config.toml's [deadlines] may set, with their defaults: the configurable
    ones not set elsewhere (a limit fixed by law is no config key)."""
    return {
        clock.key: clock.days
        for clock in process.clocks
        if clock.configurable and not clock.config_key
    }


def test_each_configurable_limit_is_a_clock_of_the_process_with_the_same_default():
    """config.toml's [deadlines] names clocks; a key that is none would never be read."""
    configured = {f.name: f.default for f in dataclasses.fields(DeadlinesConfig)}
    assert configured == configurable_in_deadlines(CASE_REVIEW)


def test_a_clock_fixed_by_law_needs_no_key_in_deadlines():
    """A new clock declared not configurable asks nothing of triggers/config.py."""
    fixed = Clock("fixed_by_law", 15, "Fixed by law", "fixed limit", configurable=False)
    process = dataclasses.replace(CASE_REVIEW, clocks=(*CASE_REVIEW.clocks, fixed))
    assert configurable_in_deadlines(process) == configurable_in_deadlines(CASE_REVIEW)


def test_a_limit_set_elsewhere_in_config_names_a_key_with_the_same_default():
    """A clock whose limit lives outside [deadlines] (the local policing body's
    ``decision_days``) names a key that exists, with the declared default."""
    elsewhere = [clock for clock in CASE_REVIEW.clocks if clock.config_key]
    assert [clock.key for clock in elsewhere] == ["policing_body_decision"]
    for clock in elsewhere:
        value: object = Config()
        for part in clock.config_key.split("."):
            value = getattr(value, part)
        assert value == clock.days


def _broken(process: Process, step_event: str, **changes: object) -> Process:
    steps = tuple(
        dataclasses.replace(step, **changes) if step.event == step_event else step
        for step in process.steps
    )
    return dataclasses.replace(process, steps=steps)


def _move(step: Step, **changes: object) -> tuple[Move, ...]:
    return (dataclasses.replace(step.moves[0], **changes), *step.moves[1:])


ACKNOWLEDGE = CASE_REVIEW.step["acknowledge"]


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (
            _broken(CASE_REVIEW, "acknowledge", moves=_move(ACKNOWLEDGE, dest="acknowledgd")),
            "step acknowledge: state acknowledgd is not declared",
        ),
        (
            _broken(CASE_REVIEW, "appeal", imported=Imported("appeal_received_on")),
            "step appeal: the import gives no grounds",
        ),
        (
            _broken(
                CASE_REVIEW,
                "decide_appeal",
                imported=Imported("appeal_outcome", values={"verdict": "appeal_outcome"}),
            ),
            "step decide_appeal: the import fills verdict, which its input lacks",
        ),
        (
            _broken(CASE_REVIEW, "acknowledge", moves=_move(ACKNOWLEDGE, starts=("threshold",))),
            "step acknowledge: clock threshold is not declared",
        ),
        (
            _broken(
                CASE_REVIEW,
                "acknowledge",
                moves=_move(ACKNOWLEDGE, letters=(Letter("acknowledgment", APPLICANT),)),
            ),
            "step acknowledge: no template acknowledgment.txt",
        ),
        (
            _broken(
                CASE_REVIEW,
                "acknowledge",
                moves=_move(ACKNOWLEDGE, letters=(Letter("acknowledgement", "victim"),)),
            ),
            "step acknowledge: letter acknowledgement goes to unknown 'victim'",
        ),
        (
            _broken(CASE_REVIEW, "acknowledge", form="AcknowledgementForm"),
            "step acknowledge: no form class named AcknowledgementForm",
        ),
        (
            _broken(CASE_REVIEW, "acknowledge", roles=frozenset({"clerk"})),
            "step acknowledge: roles ['clerk'] are not among "
            "('manager', 'panel', 'chair', 'agency', 'viewer')",
        ),
        (
            _broken(CASE_REVIEW, "acknowledge", reads=("agency_links",)),
            "step acknowledge reads agency_links, which a case does not have",
        ),
        (
            _broken(CASE_REVIEW, "acknowledge", title=""),
            "step acknowledge has no title",
        ),
        (
            dataclasses.replace(
                CASE_REVIEW, clocks=(*CASE_REVIEW.clocks, Clock("spare", 5, "Spare", "spare"))
            ),
            "clock spare is never started",
        ),
        (
            _broken(
                CASE_REVIEW,
                "decide_threshold",
                moves=_move(CASE_REVIEW.step["decide_threshold"], when=("decision", "maybe")),
            ),
            "step decide_threshold: its input has no decision = 'maybe'",
        ),
        (
            _broken(
                CASE_REVIEW,
                "close",
                moves=_move(CASE_REVIEW.step["close"], stops_all=False),
            ),
            "step close ends the case without stopping its clocks",
        ),
    ],
)
def test_the_check_notices_what_is_missing(broken, said):
    assert said in gaps(broken)


def test_the_case_page_names_everyone_a_letter_of_a_case_can_go_to():
    """A letter's outbox row names its recipient by the audience's own word (a group names
    each agency: "agency:<id>"), or by the managers' role words; the case page says each in
    words and has no fallback that would show a raw word."""
    from triggers.statuses import ROLE_WORDS, agency_recipient
    from workflows.describe import RECIPIENT_LABELS, recipient_label

    groups = {Audience.ALL_AGENCIES, Audience.RECOMMENDATION_OWNERS, Audience.PANEL_INVITEES}
    one_each = {letter.to for op in CASE_REVIEW.operations for letter in op.letters} - groups
    assert one_each, "the process declares letters"
    assert sorted(set(Audience) - groups - set(RECIPIENT_LABELS)) == []
    assert sorted(set(ROLE_WORDS) - set(RECIPIENT_LABELS) - {"manager", "chair"}) == []
    assert recipient_label("managers,chairs", {}) == "the managers and the CSP chair"
    assert recipient_label(agency_recipient(3), {3: "Police"}) == "Police"
    with pytest.raises(KeyError):
        recipient_label("someone_new", {})
