"""`casereview backup` and `casereview restore`: the whole database, to a file and back.

Named in ``web.cli``'s lazy table; errors are one line on standard error.
"""

from __future__ import annotations

from pathlib import Path

import click

from triggers.backup import BackupError, backup, restore
from web.cli_context import Context, pass_context
from web.cli_context import require_current_schema as _require_current_schema
from web.cli_context import safe_url as _safe_url

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("out", type=FILE)
@pass_context
def backup_command(context: Context, out: Path) -> None:
    """Write a consistent copy of the database to OUT, while the service runs."""
    _require_current_schema(context)
    try:
        held = backup(context.engine, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {held} to {out} ({out.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("source", type=FILE)
@pass_context
def restore_command(context: Context, source: Path) -> None:
    """Restore a backup into the configured database, which must be new and empty."""
    try:
        held = restore(context.engine, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {held} into {_safe_url(context)}.")
