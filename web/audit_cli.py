"""`casereview audit verify`, `audit export` and `retention run`: the trail and retention.

Named in ``web.cli``'s lazy table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from triggers.audit import case_trail, trail_csv
from triggers.audit_anchor import AnchorError, checkpoint_path, verify_trail, write_checkpoint
from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.heartbeats import AUDIT_VERIFIED, record_heartbeat
from web.cli_context import Context, pass_context
from web.cli_context import case_named as _case
from web.cli_context import require_current_schema as _require_current_schema


@click.group()
def audit() -> None:
    """Check the audit trail's hash chain and checkpoints; export a case's trail."""


@audit.command("verify")
@click.option(
    "--checkpoints",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check against this file of checkpoint lines (e.g. saved from the e-mailed copies) "
    "instead of audit.checkpoint_file.",
)
@pass_context
def audit_verify(context: Context, checkpoints: Path | None) -> None:
    """Check every link of the chain and the chain against every signed checkpoint.

    Exit 0 when both hold, 1 when a link or a checkpoint does not (each named), 2 when the
    links hold but the checkpoints could not be checked (no key or file configured, or none
    written yet)."""
    _require_current_schema(context)
    with read_session(context.sessions()) as session:
        report = verify_trail(session, context.config, checkpoints=checkpoints)
    chain = report.chain
    if chain.intact and not report.problems:
        # For the operations team's metric (casereview_audit_last_verified_timestamp_seconds):
        # when the trail was last found whole, and how far it could be checked.
        checked = "links and checkpoints" if report.intact else "links only"
        with write_transaction(context.sessions()) as session:
            record_heartbeat(session, AUDIT_VERIFIED, context.now(), checked)
    if report.intact:
        latest = report.checkpoints[-1]
        since = chain.events - latest.events
        click.echo(
            f"The audit trail is intact: {chain.events} events, every link holds, and it "
            f"matches all {len(report.checkpoints)} signed checkpoint(s). The latest "
            f"({latest.fields()['at']}) covers {latest.events} events; the {since} written "
            "since are covered by their links until the next checkpoint."
        )
        return
    if chain.intact:
        click.echo(f"Every link of the audit trail holds: {chain.events} events.")
    else:
        click.echo(
            f"casereview: error: the audit trail is broken at event {chain.broken_at}: "
            f"{chain.reason}.",
            err=True,
        )
    for problem in report.problems:
        click.echo(f"casereview: error: {problem}.", err=True)
    if not chain.intact or report.problems:
        click.echo(
            "casereview: error: the audit trail was altered. Restore the last good backup "
            "and report it to your data protection officer.",
            err=True,
        )
        sys.exit(1)
    click.echo(
        "casereview: error: the trail could not be checked against signed checkpoints, so "
        f"a rewrite of the whole chain would not show: {report.unchecked}.",
        err=True,
    )
    sys.exit(2)


@audit.command("checkpoint")
@pass_context
def audit_checkpoint(context: Context) -> None:
    """Append a signed checkpoint of the chain to audit.checkpoint_file."""
    _require_current_schema(context)
    from triggers.db import write_transaction

    try:
        with write_transaction(context.sessions()) as session:
            checkpoint = write_checkpoint(session, context.config, context.now())
    except AnchorError as error:
        raise click.ClickException(str(error)) from None
    assert checkpoint is not None  # written whether or not the trail moved
    click.echo(
        f"Checkpoint written to {checkpoint_path(context.config)}: {checkpoint.events} "
        f"events, the latest link {checkpoint.hash}."
    )


@audit.command("export")
@click.argument("reference")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv")
@pass_context
def audit_export(context: Context, reference: str, output: str) -> None:
    """Print a case's audit trail: who did or saw what, when, and from where."""
    _require_current_schema(context)
    with read_session(context.sessions()) as session:
        rows = case_trail(session, _case(session, reference).id)
    if output == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(trail_csv(rows), nl=False)


@click.group()
def retention() -> None:
    """Anonymise cases past their retention period (retention.years_after_closure)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List the cases that would be anonymised.")
@pass_context
def retention_run(context: Context, dry_run: bool) -> None:
    """Anonymise the personal data of cases closed longer ago than the retention period."""
    from triggers.db import write_transaction
    from workflows.retention import run_retention

    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        result = run_retention(session, context.policy, context.now(), dry_run=dry_run)
        if dry_run:
            session.rollback()
    years = context.config.retention.years_after_closure
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(
        f"{len(result.references)} case(s) closed on or before "
        f"{english_date(result.closed_on_or_before)} ({years} years ago) {verb}"
        + (": " + ", ".join(result.references) if result.references else ".")
    )
