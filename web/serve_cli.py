"""`casereview init`, `serve`, `sweep`, `scheduler`, `demo` and `outbox`: setting the service
up, serving it, and the letters, e-mails and reminders it sends.

Named in ``web.cli``'s lazy table; errors go through its one-line handler.
"""

from __future__ import annotations

import errno
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import select

from triggers.accounts import create_token, create_user, find_user
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, Partnership
from triggers.partnerships import partnership_by_name, sync_partnership
from triggers.schema import head_revision, upgrade
from triggers.statuses import LISTED_OUTBOX_STATUSES
from web.cli_context import Context, fail, pass_context
from web.cli_context import require_current_schema as _require_current_schema
from web.cli_context import safe_url as _safe_url


def initialise(context: Context) -> Partnership:
    """Create or upgrade the database and sync the partnership from the config."""
    upgrade(context.engine)
    with write_transaction(context.sessions()) as session:
        partnership = sync_partnership(session, context.config, context.now())
        session.flush()
        session.expunge(partnership)
    return partnership


@click.command()
@pass_context
def init(context: Context) -> None:
    """Create or upgrade the database (safe to run again)."""
    partnership = initialise(context)
    click.echo(
        f"Database ready ({_safe_url(context)}, schema {head_revision()}); "
        f"partnership '{partnership.name}' with {len(context.config.agencies)} agencies."
    )


@click.command()
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


@click.command("sweep")
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


@click.command("scheduler")
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


@click.group()
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


@click.command()
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
        fail(_port_taken(host, port, error), 1)
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
        fail(f"cannot listen on {host}:{port} ({error.strerror or error})", 1)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As waitress does, so that a port left in TIME_WAIT is not reported as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            fail(_port_taken(host, port, error), 1)


def _port_taken(host: str, port: int, error: OSError) -> str:
    reason = "is already in use" if error.errno == errno.EADDRINUSE else f"({error.strerror})"
    return (
        f"port {port} on {host} {reason}: choose another with `make run PORT={port + 1}` "
        f"or `casereview demo --port {port + 1}` (or `serve --port`)"
    )
