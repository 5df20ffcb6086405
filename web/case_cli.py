"""`casereview case show|list|open|event`: a case from the terminal; and `correct`,
`reverse-step`, `agency`, `incident` and `complaint` (web.corrections_cli), imported only when
one of them runs.

Named in ``web.cli``'s lazy table; errors go through its one-line handler.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from web.cli_context import Context, pass_context, pass_reading_context
from web.cli_context import actor_for as _actor
from web.cli_context import case_named as _case
from web.cli_context import partnership_for as _partnership
from web.cli_context import read_json as _read_json
from web.cli_context import require_current_schema as _require_current_schema
from web.cli_context import writing as _writing
from web.cli_lazy import LazyCommand, LazyGroup

# Each command imports what it works with when it runs: `case show` reads, and needs neither
# the validation of a new case (pydantic) nor Flask's JSON (web.formats) for its text.
if TYPE_CHECKING:
    from workflows.description import Applicant, CaseDescription, Victim

#: The corrections' sub-commands, with the line `casereview case --help` shows for each.
CORRECTIONS = {
    "correct": LazyCommand(
        "web.corrections_cli:case_correct",
        "Correct recorded facts of the case REFERENCE, with a reason.",
    ),
    "reverse-step": LazyCommand(
        "web.corrections_cli:case_reverse_step",
        "Reverse EVENT, the latest step of the case REFERENCE (taken in error).",
    ),
    "agency": LazyCommand(
        "web.corrections_cli:case_agency",
        "Add AGENCY to the case REFERENCE (it is asked for its chronology if the case is "
        "acknowledged), or remove it.",
    ),
    "incident": LazyCommand(
        "web.corrections_cli:case_incident",
        "Add the incident in FILE (JSON, with its complaints) to the case REFERENCE.",
    ),
    "complaint": LazyCommand(
        "web.corrections_cli:case_complaint",
        'Add the complaint in FILE (JSON, with "incident": its number from 0) to the case.',
    ),
}


@click.group(cls=LazyGroup, lazy=CORRECTIONS)
def case() -> None:
    """Log, move and show case reviews."""


@case.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@pass_reading_context
def case_show(context: Context, reference: str, as_json: bool) -> None:
    """Show a case: its state, what is due by when, and its history."""
    from triggers.db import write_transaction
    from workflows.describe import describe_case
    from workflows.service import record_view

    _require_current_schema(context)
    policy = context.policy
    with write_transaction(context.sessions()) as session:
        found = _case(session, reference)
        record_view(session, found, _actor(session, None), context.now(), "command line")
        described = describe_case(session, found, policy, policy.today(context.now()))
    if as_json:
        from web.formats import iso

        click.echo(json.dumps(described, indent=2, default=iso))
    else:
        click.echo(_as_text(described))


class _StateChoice(click.Choice):
    """The process's states, read from the machine only when ``case list`` parses or shows
    its options: the machine is the process declaration, which `case show` does not need."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        # Every version's: a case opened under an older version may be in a state the
        # newest lacks.
        from workflows.case_review import states_of_every_version

        return tuple(state.name for state in states_of_every_version())

    @choices.setter
    def choices(self, _value: object) -> None:
        """click.Choice sets its choices when made; these are the machine's."""


@case.command("list")
@click.option("--state", type=_StateChoice(), help="Only cases in this state.")
@click.option("--all", "every", is_flag=True, help="Every case, ended ones too.")
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Which page."
)
@pass_reading_context
def case_list(context: Context, state: str | None, every: bool, page: int) -> None:
    """List open cases with their next deadline, soonest due first.

    Overdue cases come first, 50 a page, each with the step it waits for, its date and the
    working days left."""
    from triggers.calendar import english_date
    from triggers.db import read_session
    from workflows.case_list import PAGE_SIZE, list_cases
    from workflows.case_review import process_for, states_of_every_version

    if state and every:
        raise click.UsageError("--state and --all do not go together: choose one")
    _require_current_schema(context)
    policy = context.policy
    today = policy.today(context.now())
    open_states = [s.name for s in states_of_every_version() if not s.final]
    states = [state] if state else None if every else open_states
    with read_session(context.sessions()) as session:
        listed = list_cases(session, states, page)
    if page > listed.pages:
        raise click.BadParameter(
            f"there {'is' if listed.pages == 1 else 'are'} only {listed.pages} "
            f"page{'s' if listed.pages != 1 else ''}",
            param_hint="--page",
        )
    kind = f"{state} " if state else "" if every else "open "
    if not listed.cases:
        click.echo(f"No {kind}cases.")
        return
    for row in listed.cases:
        process = process_for(row.workflow_version)
        step_name = process.clock_labels[row.step] if row.step else ""
        due_text = (
            f"{step_name} due {english_date(row.due_on)} "
            f"({_days_left(policy.calendar.working_days_between(today, row.due_on))})"
            if row.due_on
            else "nothing due"
        )
        click.echo(f"{row.reference:<14} {process.state_labels[row.state]:<28} {due_text}")
    cases = "case" if listed.total == 1 else "cases"
    more = f"; --page {page + 1} for the next" if page < listed.pages else ""
    click.echo(
        f"Page {page} of {listed.pages}: {listed.total:,} {kind}{cases}, {PAGE_SIZE} a page{more}."
    )


@case.command("open")
@click.argument("file", type=click.File("r"), default="-")
@click.option("--as", "as_email", metavar="EMAIL", help="Record the step as this user.")
@pass_context
def case_open(context: Context, file: Any, as_email: str | None) -> None:
    """Log a new activation from a JSON FILE (or standard input), as the API takes it."""
    from triggers.calendar import english_date
    from workflows.service import open_case

    data = _read_json(file)
    _require_current_schema(context)
    with _writing(context) as session:
        actor = _actor(session, as_email)
        partnership = _partnership(session, context, None)
        created = open_case(session, partnership, data, actor, context.now(), context.policy)
        click.echo(
            f"Logged {created.reference}; acknowledge by "
            f"{english_date(created.deadlines[0].due_on)}."
        )


@case.command("event")
@click.argument("reference")
@click.argument("event")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The date the step happened.")
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help='A field of the step (VALUE may be JSON: true, ["a"]...). Repeatable.',
)
@click.option("--data", "data_file", type=click.File("r"), help="The step's fields as JSON.")
@click.option("--as", "as_email", metavar="EMAIL", help="Record the step as this user.")
@pass_context
def case_event(
    context: Context,
    reference: str,
    event: str,
    on: str | None,
    pairs: tuple[str, ...],
    data_file: Any,
    as_email: str | None,
) -> None:
    """Apply EVENT (acknowledge, decide_threshold, ...) to the case REFERENCE."""
    from workflows.service import apply

    data: dict[str, Any] = _read_json(data_file) if data_file else {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{pair}' should be NAME=VALUE", param_hint="--set")
        try:
            data[name] = json.loads(value)
        except json.JSONDecodeError:
            data[name] = value
    if on:
        data["on"] = on
    _require_current_schema(context)
    with _writing(context) as session:
        actor = _actor(session, as_email)
        found = _case(session, reference, event)
        outcome = apply(session, found, event, data, actor, context.now(), context.policy)
        click.echo(f"{found.reference} is now {found.state}.")
        for warning in outcome.warnings:
            click.echo(f"Note: {warning}")


def _days_left(days: int) -> str:
    if days < 0:
        return f"overdue by {-days} working day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"{days} working day{'s' if days != 1 else ''} left"


#: How each channel reads after the date the application was received.
RECEIVED_BY = {
    "phone": "by phone",
    "letter": "by letter",
    "email": "by e-mail",
    "in_person": "in person",
    "online": "online (the application form)",
    "api": "through the API",
    "import": "imported from a spreadsheet",
}
#: The language letters are written in, as the case page says it.
LETTERS_IN = {"cy": "Welsh (Cymraeg)", "en": "English"}


def _contact(victim: Victim, applicant: Applicant) -> str:
    """Whom letters go to and how: the applicant when applying for the victim, else the
    victim, by their chosen way with its address or number (what a caller needs)."""
    person: Victim | Applicant = applicant if applicant["on_behalf"] else victim
    preference = person["contact_preference"]
    detail = {"email": person["email"], "phone": person["phone"], "letter": person["address"]}
    how = detail.get(preference, "")
    who = (
        f"{person['name']} (applying for the victim)" if applicant["on_behalf"] else person["name"]
    )
    way = {"email": "e-mail", "phone": "phone", "letter": "letter"}.get(preference, preference)
    return f"{who}, by {way}" + (f": {' '.join(how.split())}" if how.strip() else "")


def _as_text(described: CaseDescription) -> str:
    from triggers.calendar import english_date
    from triggers.statuses import DeadlineStatus, OutboxStatus

    def day(on: date | None) -> str:
        return english_date(on) if on else "-"

    channel = described["channel"]
    received_by = RECEIVED_BY.get(channel, f"by {channel.replace('_', ' ')}")
    language = described["correspondence_language"]
    lines = [
        f"{described['reference']}  ({described['partnership']})",
        f"State:        {described['state']}",
        f"Received:     {day(described['received_on'])} {received_by}",
        f"Victim:       {described['victim']['name']} ({described['victim']['type']})",
        f"Contact:      {_contact(described['victim'], described['applicant'])}",
        f"Letters in:   {LETTERS_IN.get(language or '', 'Not known')}",
        f"Single point of contact: {described['single_point_of_contact'] or 'not yet named'}",
        "",
        "Deadlines:",
    ]
    for deadline in described["deadline_details"]:
        if deadline["status"] == DeadlineStatus.RUNNING:
            state = _days_left(deadline["working_days_left"])
        else:
            state = f"{deadline['status']} {day(deadline['ended_on'])}"
        lines.append(f"  {deadline['step']:<20} {day(deadline['due_on']):<28} {state}")
    suggestion = described["threshold_suggestion"]
    lines += ["", f"Threshold suggestion: {'met' if suggestion['met'] else 'not met'}"]
    for rule in suggestion["rules"]:
        lines.append(f"  [{'x' if rule['held'] else ' '}] {rule['name']}: {rule['explanation']}")
    problems = [
        m for m in described["messages"] if m["status"] == OutboxStatus.FAILED or m["last_error"]
    ]
    if problems:
        lines += ["", "Messages not delivered:"]
        for message in problems:
            lines.append(
                f"  #{message['id']} {message['kind']} to {message['recipient']}: "
                f"{message['status']} after {message['attempts']} attempt(s): "
                f"{message['last_error']}  (retry: casereview outbox retry "
                f"{message['id']})"
            )
    allowed = ", ".join(described["allowed_events"]) or "none (the case has ended)"
    lines += ["", f"Next steps allowed: {allowed}", "", "History:"]
    for event in described["history"]:
        same = event["from_state"] == event["to_state"]
        move = "" if same else f"{event['from_state'] or '-'} -> {event['to_state']}"
        lines.append(f"  {day(event['on']):<28} {event['event']:<18} {move:<36} {event['actor']}")
    return "\n".join(lines)
