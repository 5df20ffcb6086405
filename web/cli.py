"""The `casereview` command: set up, serve, and work a case from the terminal.

Errors a person can act on are printed as one clear line (exit 1; 2 for a bad config or
argument); anything unexpected is logged with its traceback only when --debug is given.

The sub-commands live in ``web/*_cli.py`` and are imported only when one of them runs
(``web.cli_lazy``): `casereview --help` answers without loading SQLAlchemy or the models. A
new command goes into ``COMMANDS`` with its one-line help.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from web.cli_context import Context, fail
from web.cli_lazy import LazyCommand, LazyGroup

log = logging.getLogger("casereview")

#: Every top-level command: where it is, and the line `casereview --help` shows for it.
COMMANDS = {
    "init": LazyCommand(
        "web.serve_cli:init", "Create or upgrade the database (safe to run again)."
    ),
    "serve": LazyCommand(
        "web.serve_cli:serve",
        "Serve the web pages and the API with waitress, sweeping every minute.",
    ),
    "sweep": LazyCommand(
        "web.serve_cli:sweep_command",
        "Queue due reminders and send what is due, once, then exit (for cron).",
    ),
    "scheduler": LazyCommand(
        "web.serve_cli:scheduler_command",
        "Run only the scheduler (sweeping every minute while it leads), for several web nodes.",
    ),
    "outbox": LazyCommand("web.serve_cli:outbox", "See and retry letters, e-mails and reminders."),
    "demo": LazyCommand(
        "web.serve_cli:demo",
        "Set up the database, load demo cases and a demo manager, and serve.",
    ),
    "user": LazyCommand("web.people_cli:user", "Manage the people who use the service."),
    "token": LazyCommand("web.people_cli:token", "Manage API tokens."),
    "case": LazyCommand("web.case_cli:case", "Log, move and show case reviews."),
    "audit": LazyCommand(
        "web.audit_cli:audit",
        "Check the audit trail's hash chain and checkpoints; export a case's trail.",
    ),
    "retention": LazyCommand(
        "web.audit_cli:retention",
        "Anonymise cases past their retention period (retention.years_after_closure).",
    ),
    "backup": LazyCommand(
        "web.backup_cli:backup_command",
        "Write a consistent copy of the database to OUT, while the service runs.",
    ),
    "restore": LazyCommand(
        "web.backup_cli:restore_command",
        "Restore a backup into the configured database, which must be new and empty.",
    ),
    "stats": LazyCommand(
        "web.figures_cli:stats",
        "The year's figures: for one partnership, or all together and each on its own.",
    ),
    "publish": LazyCommand(
        "web.figures_cli:publish_command",
        "Write the public page of the year's figures, with CSV and JSON beside it.",
    ),
    "import": LazyCommand(
        "web.figures_cli:import_command",
        "Import historical cases from a spreadsheet's CSV export (all rows or none).",
    ),
    "return": LazyCommand(
        "web.figures_cli:return_command",
        "Write the year's data return: one row per application, no personal data (the "
        "interim format until a national one is published).",
    ),
    "process": LazyCommand(
        "web.process_cli:process", "The versions of the process that cases run on."
    ),
    "subject-access": LazyCommand(
        "web.subject_access_cli:subject_access",
        "Export everything held about one victim or applicant (UK GDPR Art. 15).",
    ),
}


class Main(LazyGroup):
    """Turns every error a person can act on into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`casereview case list | head`): nothing more to say.
            sys.stderr.close()
            sys.exit(0)
        except Exception as error:
            known = one_line(error)
            if known is not None:
                fail(*known)
            debug = ctx.obj.debug if isinstance(ctx.obj, Context) else False
            if debug:
                raise
            log.debug("unexpected error", exc_info=True)
            fail(
                f"unexpected error ({type(error).__name__}: {error}); "
                "run again with --debug for details",
                1,
            )


def one_line(error: Exception) -> tuple[str, int] | None:
    """The line to print and the exit status for an error a person can act on, else None.

    The error classes are imported here, once something failed, not when the command starts.
    """
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from triggers.accounts import AccountError
    from triggers.audit import BrokenTrail
    from triggers.config import ConfigError
    from workflows.errors import InvalidData, WorkflowError

    if isinstance(error, ConfigError):
        return f"configuration: {error}", 2
    if isinstance(error, InvalidData):
        lines = "".join(f"\n  {name}: {text}" for name, text in error.fields.items())
        return f"the data is not valid:{lines}", 1
    if isinstance(error, WorkflowError):
        return error.message, 1
    if isinstance(error, AccountError | BrokenTrail):
        return str(error), 1
    if isinstance(error, OperationalError):
        return f"the database cannot be used: {error.orig}", 1
    if isinstance(error, SQLAlchemyError):
        return f"database error: {error}", 1
    return None


@click.group(cls=Main, lazy=COMMANDS)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="CASEREVIEW_CONFIG",
    help="The configuration file (default: ./config.toml, or $CASEREVIEW_CONFIG).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, debug: bool) -> None:
    """casereview: ASB case reviews (the Community Trigger)."""
    logging.basicConfig(
        level=logging.DEBUG if debug else os.environ.get("CASEREVIEW_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not debug:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("transitions").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    ctx.obj = Context(config_path=config_path, debug=debug)
    ctx.call_on_close(ctx.obj.close)


if __name__ == "__main__":  # pragma: no cover
    main()
