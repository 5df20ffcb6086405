"""`casereview process migrate --to N [--dry-run]`: move open cases to another version of
the process, audited (workflows/versions.py). Named in ``web.cli``'s lazy table."""

from __future__ import annotations

import click

from triggers.db import write_transaction
from web.cli_context import Context, pass_context
from web.cli_context import actor_for as _actor
from web.cli_context import require_current_schema as _require_current_schema
from workflows.versions import migrate


@click.group()
def process() -> None:
    """The versions of the process that cases run on."""


@process.command("migrate")
@click.option("--to", "to", type=int, required=True, help="The version to move open cases to.")
@click.option("--dry-run", is_flag=True, help="Say which cases would move; move none.")
@pass_context
def process_migrate(context: Context, to: int, dry_run: bool) -> None:
    """Move every open case to version N; none if any case's state is not in version N."""
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        label = _actor(session, None).label
        moved = migrate(session, to, label, context.now(), dry_run)
        if dry_run:
            session.rollback()
    verb = "Would move" if dry_run else "Moved"
    click.echo(f"{verb} {len(moved)} open case(s) to version {to} of the process.")
    for row in moved:
        click.echo(f"  {row.reference}  {row.state}  (from version {row.from_version})")
