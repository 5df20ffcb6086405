"""The kinds of thing a process is declared with: states, clocks, letters and steps.

A ``Process`` is the whole procedure in one value: every state with its label, every
working-day clock (deadline) with its default limit and labels, and every step (event)
with its transitions and their conditions, its input schema, the roles that may take it,
what it reads, which clocks it starts and stops, the letters it queues and to whom, its
title and its form. The state machine, the deadlines, the outbox, the reminders, the
staff pages, the step forms, the history import and the README diagram all read one
``Process``; ``tests/workflows/test_process.py`` checks that nothing is missing anywhere.
The procedure itself (the Act's and the partnership's) is declared in
``workflows/case_review.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

# transitions is imported when a step is fired: the states, clocks and labels are read
# without it (`casereview case show`).
if TYPE_CHECKING:
    from transitions import EventData, Machine

#: A transition's source that stands for every state that is not final (e.g. withdraw).
ANY_OPEN_STATE = "*"
#: An operation's ``allowed_in`` for "in every state, the final ones too" (a note, the
#: chronology: the file of a closed case still grows).
ANY_STATE = "**"


def N_(words: str) -> str:
    """Marks a staff page's words where the process declares them, for the staff catalog
    (gettext's no-op marker: this package knows nothing of Flask); the pages translate them
    where they show them (web.staff.labels)."""
    return words


@dataclass(frozen=True)
class State:
    name: str
    #: What the staff pages call it ("Threshold met").
    label: str
    #: A closed or withdrawn case: no clock runs, no reminder is sent.
    final: bool = False


@dataclass(frozen=True)
class Clock:
    """A limit in working days, started by one step and met by another."""

    key: str
    #: The limit when config.toml's [deadlines] does not name this clock.
    days: int
    #: The staff pages' words ("Panel meeting").
    label: str
    #: The letters' and reminders' words ("case review panel").
    letter_label: str
    #: Whether staff are reminded of it (the appeal window is the applicant's, not theirs).
    reminded: bool = True
    #: Whether config.toml's [deadlines] may change it. A version of the process that
    #: changes a limit by law declares it not configurable, so that the cases on the
    #: earlier version keep theirs.
    configurable: bool = True
    #: Where config.toml sets the limit when it is not in [deadlines]: a dotted path
    #: ("review_routes.local_policing_body.decision_days").
    config_key: str = ""


@dataclass(frozen=True)
class Letter:
    #: The template's name (notifications/templates/<kind>.txt, .html).
    kind: str
    #: An audience of notifications.outbox (APPLICANT, ALL_AGENCIES, CHAIR...).
    to: str


@dataclass(frozen=True)
class Move:
    """One transition of a step, and what it does to the clocks and who is told."""

    source: tuple[str, ...]
    dest: str
    #: The input field and the value it must have for this move (None: always).
    when: tuple[str, str] | None = None
    #: The README diagram's words for the condition ("decision is met").
    condition_label: str = ""
    meets: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    #: The case ends here: every clock still running stops.
    stops_all: bool = False
    letters: tuple[Letter, ...] = ()
    #: What the staff page says was done, where the step's title would mislead (a panel
    #: moved is not "Schedule the panel: done"); "" for the step's title.
    done: str = ""

    @property
    def key(self) -> str:
        """The name of this outcome within its step ("met", "not_upheld"); "" if only one."""
        return self.when[1] if self.when else ""


#: What a step does with the case beyond the machine: check what the schema cannot and
#: record the step's own rows. (session, case, event_in, on, actor, policy, outcome)
#: → details for the audit event.
Recorder = Callable[..., dict[str, Any]]


def _records_nothing(*_: Any) -> dict[str, Any]:
    return {}


#: What an imported step records where its live recorder needs what a spreadsheet row lacks
#: (a rationale, the agencies, each recommendation's action): (case, the step's date, its
#: input, the row's values by column).
ImportRecorder = Callable[[Any, date, Mapping[str, Any], Mapping[str, Any]], None]


@dataclass(frozen=True)
class Imported:
    """How a spreadsheet of past cases records a step (``workflows.history_import``): the
    import reads its columns, replays it through the machine and records it from here."""

    #: The cell that says the step was taken (a date, or an outcome); the row's problems
    #: with the step are reported against it.
    column: str
    #: The date columns, the first one given being the step's date (default: ``column``).
    dates: tuple[str, ...] = ()
    #: The step's input read from the row: its field → the column ("decision":
    #: "threshold_decision"); a field a move's condition reads lets the row choose the move.
    values: Mapping[str, str] = field(default_factory=dict)
    #: Input no row gives, the same for every imported step ("reason": "Withdrawn
    #: (imported).").
    fixed: Mapping[str, Any] = field(default_factory=dict)
    #: Why the import cannot replay the step where the process refuses it.
    hint: str = ""
    #: None: the step's own ``record`` records it, with ``fixed`` and ``values`` as input.
    record: ImportRecorder | None = None

    @property
    def dated_by(self) -> tuple[str, ...]:
        return self.dates or (self.column,)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the step reads, its own first."""
        return tuple(dict.fromkeys((self.column, *self.dated_by, *self.values.values())))


@dataclass(frozen=True)
class Step:
    event: str
    #: The staff page's heading and button ("Decide the threshold").
    title: str
    #: The pydantic model of its input (workflows.schemas.EventIn or a subclass), or its name
    #: in workflows.schemas: the declaration is then read without importing pydantic and
    #: building the schemas (``casereview case show`` reads states and clocks, not input),
    #: and ``schema`` imports them when a step is applied or described.
    input_schema: type | str
    #: The class name of its form in web.step_forms.
    form: str
    roles: frozenset[str]
    moves: tuple[Move, ...]
    #: Relationships of CaseReview loaded with the case for this step.
    reads: tuple[str, ...] = ()
    record: Recorder = _records_nothing
    #: How a spreadsheet of past cases records it (None: the history import cannot).
    imported: Imported | None = None
    #: For a step the partnership turns on in config.toml: (config, the step's date) → why
    #: it cannot be taken ("" when it can). The pages offer it only when it can.
    unavailable: Callable[[Any, date], str] | None = None

    @property
    def schema(self) -> Any:
        """The pydantic model of the step's input."""
        if isinstance(self.input_schema, str):
            from workflows import schemas

            return getattr(schemas, self.input_schema)
        return self.input_schema

    def offered(self, config: Any, on: date) -> bool:
        """Whether the partnership's ``config`` lets this step be taken on ``on``."""
        return self.unavailable is None or not self.unavailable(config, on)


@dataclass(frozen=True)
class StepCorrection:
    """How a step taken in error is put right (``workflows.corrections``): ``redate``
    (case, old date, new date) moves its date columns; ``undo`` (session, case, its audit
    event) takes back the rows it wrote and returns what it took back, for the audit."""

    redate: Callable[..., None]
    undo: Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    """A change of a case outside the state machine that still sends letters."""

    name: str
    letters: tuple[Letter, ...] = ()
    #: The states in which it may be done (or ``(ANY_OPEN_STATE,)``, ``(ANY_STATE,)``).
    allowed_in: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap, and cacheable
class Process:
    version: int
    states: tuple[State, ...]
    clocks: tuple[Clock, ...]
    steps: tuple[Step, ...]
    initial: str
    #: The clock that starts when a case is opened.
    first_clock: str
    operations: tuple[Operation, ...] = ()
    #: Clocks that are not working-day limits of a step but still get a letter label.
    extra_letter_labels: Mapping[str, str] = field(default_factory=dict)
    #: event → how a step taken in error is re-dated or reversed; a step not named here
    #: cannot be (the correction says so).
    corrections: Mapping[str, StepCorrection] = field(default_factory=dict)

    # --- derived once, read on every step ---------------------------------------------

    @functools.cached_property
    def state_names(self) -> list[str]:
        return [state.name for state in self.states]

    @functools.cached_property
    def final_states(self) -> frozenset[str]:
        return frozenset(state.name for state in self.states if state.final)

    @functools.cached_property
    def open_states(self) -> list[str]:
        return [state.name for state in self.states if not state.final]

    @functools.cached_property
    def events(self) -> list[str]:
        return [step.event for step in self.steps]

    @functools.cached_property
    def step(self) -> dict[str, Step]:
        return {step.event: step for step in self.steps}

    @functools.cached_property
    def clock(self) -> dict[str, Clock]:
        return {clock.key: clock for clock in self.clocks}

    @functools.cached_property
    def state_labels(self) -> dict[str, str]:
        return {state.name: state.label for state in self.states}

    @functools.cached_property
    def clock_labels(self) -> dict[str, str]:
        return {clock.key: clock.label for clock in self.clocks}

    @functools.cached_property
    def letter_labels(self) -> dict[str, str]:
        labels = {clock.key: clock.letter_label for clock in self.clocks}
        return {**labels, **self.extra_letter_labels}

    @functools.cached_property
    def reminded_clocks(self) -> tuple[str, ...]:
        return tuple(clock.key for clock in self.clocks if clock.reminded)

    @functools.cached_property
    def titles(self) -> dict[str, str]:
        return {step.event: step.title for step in self.steps}

    @functools.cached_property
    def event_roles(self) -> dict[str, set[str]]:
        return {step.event: set(step.roles) for step in self.steps}

    @functools.cached_property
    def operation(self) -> dict[str, Operation]:
        return {operation.name: operation for operation in self.operations}

    def allowed_in(self, operation: Operation) -> list[str]:
        """The states of this version in which ``operation`` may be done."""
        if operation.allowed_in == (ANY_STATE,):
            return self.state_names
        if operation.allowed_in == (ANY_OPEN_STATE,):
            return self.open_states
        return list(operation.allowed_in)

    def sources(self, move: Move) -> list[str]:
        return self.open_states if move.source == (ANY_OPEN_STATE,) else list(move.source)

    @functools.cached_property
    def transitions(self) -> list[dict[str, Any]]:
        """The table the ``transitions`` library takes, one row per move."""
        rows = []
        for step in self.steps:
            for move in step.moves:
                row: dict[str, Any] = {
                    "trigger": step.event,
                    "source": self.sources(move),
                    "dest": move.dest,
                }
                if move.when is not None:
                    row["conditions"] = [_condition(*move.when)]
                rows.append(row)
        return rows

    @functools.cached_property
    def machine(self) -> Machine:
        """One machine for the process; rows are never bound to it (binding leaks and slows
        down past thousands of rows): ``fire`` triggers the event on the row directly."""
        from transitions import Machine

        return Machine(
            model=None,
            states=self.state_names,
            transitions=self.transitions,
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )

    @functools.cached_property
    def _allowed(self) -> dict[str, list[str]]:
        allowed: dict[str, list[str]] = {state: [] for state in self.state_names}
        for step in self.steps:
            for move in step.moves:
                for source in self.sources(move):
                    if step.event not in allowed[source]:
                        allowed[source].append(step.event)
        return {state: sorted(events, key=self.events.index) for state, events in allowed.items()}

    def step_for_clock(self, state: str, clock: str, role: str | None) -> str | None:
        """The step a person in ``role`` takes for a running ``clock`` in ``state``: one that
        meets it, else the first the state allows that does not only end the case (a panel
        is scheduled before it is held). None when the role may take no such step. What
        My tasks lists and what a reminder links to (workflows.tasks)."""
        allowed = [
            event
            for event in self.allowed_events(state)
            if role is None or role in self.event_roles[event]
        ]
        for event in allowed:
            if any(clock in move.meets for move in self.step[event].moves):
                return event
        for event in allowed:
            if not all(move.stops_all for move in self.step[event].moves):
                return event
        return None

    def allowed_events(self, state: str) -> list[str]:
        """The events a case in ``state`` accepts, in the order of the procedure."""
        return list(self._allowed[state])

    def offered_events(self, state: str, config: Any, on: date) -> list[str]:
        """The events a case in ``state`` accepts on ``on`` under the partnership's ``config``
        (a step turned off in config.toml is not offered)."""
        return [event for event in self._allowed[state] if self.step[event].offered(config, on)]

    def fire(self, case: Any, event: str, **data: Any) -> bool:
        """Move ``case`` (anything with a ``state``) by ``event``; False if no condition held."""
        return bool(self.machine.events[event].trigger(case, **data))

    def move_for(self, event: str, data: Mapping[str, Any], source: str) -> Move:
        """The move ``event`` makes from ``source`` with ``data`` (its conditions checked)."""
        for move in self.step[event].moves:
            if source in self.sources(move) and (
                move.when is None or data.get(move.when[0]) == move.when[1]
            ):
                return move
        raise LookupError(f"{event} from {source} with {dict(data)!r}")

    def mermaid_diagram(self) -> str:
        """The process as Mermaid text (for the README)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for step in self.steps:
            for move in step.moves:
                label = step.event + (f" ({move.condition_label})" if move.condition_label else "")
                if move.source == (ANY_OPEN_STATE,):
                    lines.append(f"    note right of {move.dest}: {step.event} from any open state")
                    continue
                for source in move.source:
                    lines.append(f"    {source} --> {move.dest}: {label}")
        lines += [
            f"    {state} --> [*]" for state in self.state_names if state in self.final_states
        ]
        return "\n".join(lines)


def _condition(name: str, value: str) -> Callable[[EventData], bool]:
    def holds(event: EventData) -> bool:
        return event.kwargs.get(name) == value

    holds.__name__ = f"{name}_is_{value}"
    return holds
