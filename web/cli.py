"""The `casereview` command: set up, serve, and work a case from the terminal.

Errors a person can act on are printed as one clear line (exit 1; 2 for a bad config or
argument); anything unexpected is logged with its traceback only when --debug is given.
"""

from __future__ import annotations

import errno
import getpass
import json
import logging
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from triggers.accounts import AccountError, create_token, create_user, find_user
from triggers.audit import BrokenTrail
from triggers.calendar import english_date
from triggers.config import ConfigError
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, Partnership
from triggers.partnerships import partnership_by_name, sync_partnership
from triggers.schema import head_revision, upgrade
from triggers.statuses import LISTED_OUTBOX_STATUSES, DeadlineStatus, OutboxStatus
from triggers.text import email_problem
from web.cli_context import Context, pass_context
from web.cli_context import actor_for as _actor
from web.cli_context import case_named as _case
from web.cli_context import partnership_for as _partnership
from web.cli_context import read_json as _read_json
from web.cli_context import require_current_schema as _require_current_schema
from web.cli_context import safe_url as _safe_url
from web.cli_context import writing as _writing
from web.formats import iso
from workflows import permissions
from workflows.describe import describe_case
from workflows.description import CaseDescription
from workflows.errors import InvalidData, WorkflowError
from workflows.service import apply, open_case, record_view

log = logging.getLogger("casereview")


class Group(click.Group):
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
        except ConfigError as error:
            _fail(f"configuration: {error}", 2)
        except WorkflowError as error:
            if isinstance(error, InvalidData):
                lines = "".join(f"\n  {name}: {text}" for name, text in error.fields.items())
                _fail(f"the data is not valid:{lines}", 1)
            _fail(error.message, 1)
        except AccountError as error:
            _fail(str(error), 1)
        except BrokenTrail as error:
            _fail(str(error), 1)
        except OperationalError as error:
            _fail(f"the database cannot be used: {error.orig}", 1)
        except SQLAlchemyError as error:
            _fail(f"database error: {error}", 1)
        except Exception as error:
            debug = ctx.obj.debug if isinstance(ctx.obj, Context) else False
            if debug:
                raise
            log.debug("unexpected error", exc_info=True)
            _fail(
                f"unexpected error ({type(error).__name__}: {error}); "
                "run again with --debug for details",
                1,
            )


def _fail(message: str, code: int) -> None:
    click.echo(f"casereview: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=Group)
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


# --- set-up and serving ---------------------------------------------------------------


def initialise(context: Context) -> Partnership:
    """Create or upgrade the database and sync the partnership from the config."""
    upgrade(context.engine)
    with write_transaction(context.sessions()) as session:
        partnership = sync_partnership(session, context.config, context.now())
        session.flush()
        session.expunge(partnership)
    return partnership


@main.command()
@pass_context
def init(context: Context) -> None:
    """Create or upgrade the database (safe to run again)."""
    partnership = initialise(context)
    click.echo(
        f"Database ready ({_safe_url(context)}, schema {head_revision()}); "
        f"partnership '{partnership.name}' with {len(context.config.agencies)} agencies."
    )


@main.command()
@click.option("--host", help="Address to listen on (default from config).")
@click.option("--port", type=int, help="Port to listen on (default from config).")
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Do not sweep in this process (run `casereview scheduler` instead).",
)
@pass_context
def serve(context: Context, host: str | None, port: int | None, no_scheduler: bool) -> None:
    """Serve the web pages and the API with waitress, sweeping every minute."""
    _check_port(context, host, port)
    _require_current_schema(context)
    _serve(context, host, port, with_scheduler=not no_scheduler)


@main.command("sweep")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Sweep as if it were this time (e.g. 2025-04-28T09:00).",
)
@pass_context
def sweep_command(context: Context, now_text: str | None) -> None:
    """Queue due reminders and send what is due, once, then exit (for cron)."""
    from workflows.sweep import sweep

    _require_current_schema(context)
    now = _parse_now(now_text, context) if now_text else context.now()
    result = sweep(context.sessions(), context.policy, _sender(context), now)
    click.echo(
        f"Queued {result.queued} reminder(s); sent {result.sent}, retrying "
        f"{result.retrying}, failed {result.failed}."
    )


@main.command("scheduler")
@pass_context
def scheduler_command(context: Context) -> None:
    """Run only the scheduler (sweeping every minute while it leads), for several web nodes.

    On PostgreSQL one process on all hosts leads (an advisory lock); the others take over
    within a minute of its death."""
    from workflows.leadership import leadership_for
    from workflows.scheduler import run_blocking

    _require_current_schema(context)
    leadership = leadership_for(context.engine, _lock_path(context))
    run_blocking(context.sessions(), context.policy, _sender(context), leadership)


@main.group()
def outbox() -> None:
    """See and retry letters, e-mails and reminders."""


@outbox.command("list")
@click.option(
    "--status",
    type=click.Choice([str(status) for status in LISTED_OUTBOX_STATUSES]),
    help="Only messages with this status.",
)
@pass_context
def outbox_list(context: Context, status: str | None) -> None:
    """List messages with their status and last error."""
    from triggers.models import OutboxMessage

    _require_current_schema(context)
    with read_session(context.sessions()) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status:
            query = query.where(OutboxMessage.status == status)
        for row in session.scalars(query):
            case_ref = session.get(CaseReview, row.case_id).reference if row.case_id else "-"
            error = f"  last error: {row.last_error}" if row.last_error else ""
            click.echo(
                f"{row.id:>6} {row.status:<8} {case_ref:<13} {row.kind:<20} "
                f"{row.recipient:<16} attempts {row.attempts}{error}"
            )


@outbox.command("retry")
@click.argument("message_id", type=int)
@pass_context
def outbox_retry(context: Context, message_id: int) -> None:
    """Send a failed message again at the next sweep."""
    from workflows.sweep import retry_by_hand

    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        try:
            row = retry_by_hand(session, message_id, context.now())
        except (LookupError, ValueError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Message {row.id} ({row.kind}) will be sent at the next sweep.")


def _sender(context: Context):  # type: ignore[no-untyped-def]
    from notifications.senders import sender_from_config

    try:
        return sender_from_config(context.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _lock_path(context: Context) -> Path:
    folder = context.config.source.parent if context.config.source else Path.cwd()
    return folder / ".casereview-scheduler.lock"


def _parse_now(text: str, context: Context) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not a date and time like 2025-04-28T09:00", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(context.config.calendar.timezone))
    return moment.astimezone(UTC)


@main.command()
@click.option("--host", help="Address to listen on (default from config).")
@click.option("--port", type=int, help="Port to listen on (default from config).")
@click.option("--no-serve", is_flag=True, help="Load the demo data and stop.")
@pass_context
def demo(context: Context, host: str | None, port: int | None, no_serve: bool) -> None:
    """Set up the database, load demo cases and a demo manager, and serve.

    Only into an empty database: on one that holds data the demo adds nothing and says why,
    then serves what is there (or, with --no-serve, exits 1)."""
    from web.demo import existing_data, load_demo, load_demo_history

    if not no_serve:
        _check_port(context, host, port)
    initialise(context)
    with read_session(context.sessions()) as session:
        held = existing_data(session, context.config.partnership.code)
    if held:
        click.echo(
            f"The database ({_safe_url(context)}) already holds {held}. Demo data (users with "
            "a published password, an API token, invented past years) is loaded only into an "
            "empty database, so nothing was added.",
            err=True,
        )
        if no_serve:
            sys.exit(1)
        click.echo("Serving what is there.", err=True)
        _serve(context, host, port)
        return
    with write_transaction(context.sessions()) as session:
        partnership = partnership_by_name(session, context.config.partnership.code)
        assert partnership is not None
        loaded = load_demo(session, partnership, context.policy, context.now())
        history = load_demo_history(session, partnership, context.policy, context.now())
        email, chair_email = "manager@example.org", "chair@example.org"
        password = "demo-password-only"
        people = (
            (email, "manager", None),
            (chair_email, "chair", None),
            ("police@example.org", "agency", "Leicestershire Police"),
            ("panel@example.org", "panel", "Charnwood Borough Council"),
        )
        for address, role, agency_name in people:
            if find_user(session, address) is None:
                created = create_user(session, partnership, address, password, role, context.now())
                created.agency = next(
                    (a for a in partnership.agencies if a.name == agency_name), None
                )
        user = find_user(session, email)
        assert user is not None
        token = create_token(session, user, context.now())
    click.echo(f"Loaded {loaded} demo cases." if loaded else "Demo cases already loaded.")
    if history:
        click.echo(f"Imported {history} past cases (five years of figures: Statistics).")
    click.echo(
        f"Demo users (password {password}): {email} (manager), {chair_email} "
        "(CSP chair), police@example.org (agency), panel@example.org (panel)"
    )
    click.echo(f"Demo API token: {token}")
    if not no_serve:
        _serve(context, host, port)


def _serve(
    context: Context, host: str | None, port: int | None, with_scheduler: bool = True
) -> None:
    import waitress

    from web.app import create_app
    from workflows.leadership import leadership_for
    from workflows.scheduler import start_background

    host = host or context.config.server.host
    port = port or context.config.server.port
    app = create_app(context.config, engine=context.engine)
    # The listening socket is taken first: on a busy port nothing is served or swept.
    try:
        server = waitress.create_server(app, host=host, port=port, ident="casereview")
    except OSError as error:
        _fail(_port_taken(host, port, error), 1)
    if with_scheduler:
        leadership = leadership_for(context.engine, _lock_path(context))
        start_background(context.sessions(), context.policy, _sender(context), leadership)
    click.echo(
        f"Serving {context.config.partnership.name} on http://{host}:{port}/ (Ctrl+C to stop)"
    )
    if context.config.online.enabled:
        click.echo(f"The public application form: http://{host}:{port}/apply")
    server.run()


def _check_port(context: Context, host: str | None, port: int | None) -> None:
    """Fail in one line when the address to serve on is taken, before the demo loads or the
    database is touched (a second `make run` beside the first is the usual cause)."""
    import socket

    host = host or context.config.server.host
    port = port or context.config.server.port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        _fail(f"cannot listen on {host}:{port} ({error.strerror or error})", 1)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As waitress does, so that a port left in TIME_WAIT is not reported as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            _fail(_port_taken(host, port, error), 1)


def _port_taken(host: str, port: int, error: OSError) -> str:
    reason = "is already in use" if error.errno == errno.EADDRINUSE else f"({error.strerror})"
    return (
        f"port {port} on {host} {reason}: choose another with `make run PORT={port + 1}` "
        f"or `casereview demo --port {port + 1}` (or `serve --port`)"
    )


# --- users and tokens -----------------------------------------------------------------


@main.group()
def user() -> None:
    """Manage the people who use the service."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(permissions.ROLES), required=True)
@click.option(
    "--agency",
    "agency_name",
    help="For agency and panel users: the agency they speak for (as named in the config).",
)
@click.option(
    "--partnership",
    "partnership_name",
    help="Partnership name or code (default: the one in the config).",
)
@pass_context
def user_add(
    context: Context, email: str, role: str, agency_name: str | None, partnership_name: str | None
) -> None:
    """Add a user; the password is read from standard input."""
    if problem := email_problem(email):
        raise click.BadParameter(f"'{email}' {problem}", param_hint="EMAIL")
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise click.ClickException("the passwords do not match")
    else:
        password = sys.stdin.readline().rstrip("\n")
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        partnership = _partnership(session, context, partnership_name)
        agency = None
        if agency_name:
            agency = next(
                (
                    a
                    for a in partnership.agencies
                    if a.name.casefold() == agency_name.strip().casefold()
                ),
                None,
            )
            if agency is None:
                names = ", ".join(a.name for a in partnership.agencies)
                raise click.BadParameter(
                    f"'{agency_name}' is not one of: {names}", param_hint="--agency"
                )
        elif role in permissions.AGENCY_ROLES:
            raise click.BadParameter(
                "agency and panel users need --agency NAME", param_hint="--agency"
            )
        created = create_user(session, partnership, email, password, role, context.now())
        created.agency = agency
        suffix = f" for {agency.name}" if agency else ""
        click.echo(f"Added {created.email} as {role}{suffix} of {partnership.name}.")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("email")
@pass_context
def token_create(context: Context, email: str) -> None:
    """Print a new API token for EMAIL (shown once; keep it secret)."""
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        found = find_user(session, email)
        if found is None:
            raise click.ClickException(f"there is no user {email}; add one with `user add`")
        click.echo(create_token(session, found, context.now(), context.config.server.token_days))


# --- cases ----------------------------------------------------------------------------


@main.group()
def case() -> None:
    """Log, move and show case reviews."""


@case.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@pass_context
def case_show(context: Context, reference: str, as_json: bool) -> None:
    """Show a case: its state, what is due by when, and its history."""
    _require_current_schema(context)
    policy = context.policy
    with write_transaction(context.sessions()) as session:
        found = _case(session, reference)
        record_view(session, found, _actor(session, None), context.now(), "command line")
        described = describe_case(session, found, policy, policy.today(context.now()))
    if as_json:
        click.echo(json.dumps(described, indent=2, default=iso))
    else:
        click.echo(_as_text(described))


@case.command("list")
@click.option("--state", help="Only cases in this state.")
@pass_context
def case_list(context: Context, state: str | None) -> None:
    """List cases with their state and next deadline."""
    _require_current_schema(context)
    policy = context.policy
    today = policy.today(context.now())
    with read_session(context.sessions()) as session:
        query = select(CaseReview).order_by(CaseReview.received_on, CaseReview.id)
        if state:
            query = query.where(CaseReview.state == state)
        rows = []
        for found in session.scalars(query):
            running = [d for d in found.deadlines if d.status == DeadlineStatus.RUNNING]
            rows.append((found, min(running, key=lambda d: d.due_on, default=None)))
        # What is due soonest (overdue first) is what a manager looks at first.
        rows.sort(key=lambda row: (row[1] is None, row[1].due_on if row[1] else date.max))
        for found, due in rows:
            due_text = (
                f"{due.step} due {english_date(due.due_on)} "
                f"({_days_left(policy.calendar.working_days_between(today, due.due_on))})"
                if due
                else "nothing due"
            )
            click.echo(f"{found.reference:<14} {found.state:<18} {due_text}")


@case.command("open")
@click.argument("file", type=click.File("r"), default="-")
@click.option("--as", "as_email", metavar="EMAIL", help="Record the step as this user.")
@pass_context
def case_open(context: Context, file: Any, as_email: str | None) -> None:
    """Log a new activation from a JSON FILE (or standard input), as the API takes it."""
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


def _as_text(described: CaseDescription) -> str:
    def day(on: date | None) -> str:
        return english_date(on) if on else "-"

    lines = [
        f"{described['reference']}  ({described['partnership']})",
        f"State:        {described['state']}",
        f"Received:     {day(described['received_on'])} by {described['channel']}",
        f"Victim:       {described['victim']['name']} ({described['victim']['type']})",
        f"Contact:      {described['single_point_of_contact'] or '-'}",
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


# The figures, publishing, the import, backup, restore, the audit, subject access, the
# people and the process commands: each module declares its commands, registered here.
from web import (  # noqa: E402
    audit_cli,
    backup_cli,
    corrections_cli,
    figures_cli,
    people_cli,
    process_cli,
    subject_access_cli,
)

for _command in (
    audit_cli.audit,
    audit_cli.retention,
    backup_cli.backup_command,
    backup_cli.restore_command,
    figures_cli.stats,
    figures_cli.publish_command,
    figures_cli.import_command,
    figures_cli.return_command,
    process_cli.process,
    subject_access_cli.subject_access,
):
    main.add_command(_command)
for _command in people_cli.USER_COMMANDS:
    user.add_command(_command)
for _command in corrections_cli.CASE_COMMANDS:
    case.add_command(_command)
for _command in people_cli.TOKEN_COMMANDS:
    token.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
