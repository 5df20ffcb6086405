"""`casereview case correct | reverse-step | agency | incident | complaint`: the corrections,
agencies and added incidents of issue 18 from the terminal, through the same service
functions as the pages and the API (named in ``web.case_cli``'s lazy table of the ``case``
group)."""

from __future__ import annotations

import json
from typing import Any

import click

from triggers.models import CaseReview
from web.cli_context import Context, pass_context
from web.cli_context import actor_for as _actor
from web.cli_context import case_named as _case
from web.cli_context import read_json as _read_json
from web.cli_context import require_current_schema as _require_current_schema
from web.cli_context import writing as _writing
from workflows.case_agencies import add_agency, remove_agency
from workflows.case_incidents import add_complaint, add_incident
from workflows.case_review import process_for
from workflows.corrections import correct
from workflows.service import reverse_step

AS_USER = click.option("--as", "as_email", metavar="EMAIL", help="Act as this user.")
REASON = click.option("--reason", required=True, help="Why: recorded in the audit trail.")


def _pairs(pairs: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{pair}' should be FACT=VALUE", param_hint="--set")
        try:
            values[name] = json.loads(value)
        except json.JSONDecodeError:
            values[name] = value
    return values


def _run(
    context: Context, reference: str, as_email: str | None, change: Any, data: dict[str, Any]
) -> list[str]:
    _require_current_schema(context)
    with _writing(context) as session:
        actor = _actor(session, as_email)
        found = _case(session, reference, "acknowledge")
        return list(change(session, found, data, actor, context.now(), context.policy) or [])


@click.command("correct")
@click.argument("reference")
@click.option(
    "--set",
    "pairs",
    multiple=True,
    required=True,
    metavar="FACT=VALUE",
    help="A fact and its right value: victim.name=..., received_on=2025-11-24, "
    "incidents.0.occurred_on=..., steps.acknowledge.on=... Repeatable.",
)
@REASON
@AS_USER
@pass_context
def case_correct(
    context: Context, reference: str, pairs: tuple[str, ...], reason: str, as_email: str | None
) -> None:
    """Correct recorded facts of the case REFERENCE, with a reason."""
    data = {"changes": _pairs(pairs), "reason": reason}
    lines = _run(context, reference, as_email, _correct_in_words, data)
    click.echo(f"Corrected {reference.upper()}.")
    for line in lines:
        click.echo(f"  {line}")


def _correct_in_words(session: Any, case: CaseReview, *rest: Any) -> list[str]:
    """The correction made, said with the clocks' labels of the case's own version."""
    return correct(session, case, *rest).summary(process_for(case.workflow_version).clock_labels)


@click.command("reverse-step")
@click.argument("reference")
@click.argument("event")
@REASON
@AS_USER
@pass_context
def case_reverse_step(
    context: Context, reference: str, event: str, reason: str, as_email: str | None
) -> None:
    """Reverse EVENT, the latest step of the case REFERENCE (taken in error)."""
    data = {"event": event, "reason": reason}
    for line in _run(context, reference, as_email, lambda *a: reverse_step(*a).warnings, data):
        click.echo(f"Note: {line}")
    click.echo(f"Reversed {event} on {reference.upper()}.")


@click.command("agency")
@click.argument("reference")
@click.argument("action", type=click.Choice(["add", "remove"]))
@click.argument("agency")
@click.option(
    "--role", type=click.Choice(["involved", "lead"]), default="involved", show_default=True
)
@click.option("--reason", default="", help="Why (needed to take an agency off).")
@AS_USER
@pass_context
def case_agency(
    context: Context,
    reference: str,
    action: str,
    agency: str,
    role: str,
    reason: str,
    as_email: str | None,
) -> None:
    """Add AGENCY to the case REFERENCE (it is asked for its chronology if the case is
    acknowledged), or remove it."""
    if action == "add":
        data = {"agency": agency, "role": role, "reason": reason}
        lines = _run(context, reference, as_email, add_agency, data)
    else:
        lines = _run(
            context, reference, as_email, remove_agency, {"agency": agency, "reason": reason}
        )
    click.echo(f"{'Added' if action == 'add' else 'Removed'} {agency}.")
    for line in lines:
        click.echo(f"  {line}")


@click.command("incident")
@click.argument("reference")
@click.argument("file", type=click.File("r"))
@AS_USER
@pass_context
def case_incident(context: Context, reference: str, file: Any, as_email: str | None) -> None:
    """Add the incident in FILE (JSON, with its complaints) to the case REFERENCE."""
    for line in _run(context, reference, as_email, add_incident, _read_json(file)):
        click.echo(line)


@click.command("complaint")
@click.argument("reference")
@click.argument("file", type=click.File("r"))
@AS_USER
@pass_context
def case_complaint(context: Context, reference: str, file: Any, as_email: str | None) -> None:
    """Add the complaint in FILE (JSON, with "incident": its number from 0) to the case."""
    for line in _run(context, reference, as_email, add_complaint, _read_json(file)):
        click.echo(line)
