"""`casereview user add|list|deactivate|set-role|reset-password` and `casereview token
create|list|revoke`: adding and removing people and their tokens from the terminal.

Named in ``web.cli``'s lazy table; the rules (the last active manager stays, a leaver's
sessions and tokens end at once) are in ``workflows.people``.
"""

from __future__ import annotations

import getpass
import sys

import click
from sqlalchemy.orm import Session

from triggers.accounts import ROLES, create_token, create_user, find_user
from triggers.db import read_session, write_transaction
from triggers.models import User
from triggers.text import email_problem
from web.cli_context import Context, pass_context
from web.cli_context import actor_for as _actor
from web.cli_context import partnership_for as _partnership
from web.cli_context import require_current_schema as _require_current_schema
from workflows import permissions
from workflows.people import (
    deactivate,
    people_of,
    revoke_token,
    send_reset_link,
    set_password,
    set_role,
    site_url,
    tokens_of,
)


@click.group()
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
        elif permissions.speaks_for_an_agency(role):
            raise click.BadParameter(
                "agency and panel users need --agency NAME", param_hint="--agency"
            )
        created = create_user(session, partnership, email, password, role, context.now())
        created.agency = agency
        suffix = f" for {agency.name}" if agency else ""
        click.echo(f"Added {created.email} as {role}{suffix} of {partnership.name}.")


@click.group()
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


def _person(session: Session, email: str) -> User:
    found = find_user(session, email)
    if found is None:
        raise click.ClickException(f"there is no user {email}")
    return found


@click.command("list")
@click.option("--partnership", "partnership_name", help="Partnership name or code.")
@pass_context
def user_list(context: Context, partnership_name: str | None) -> None:
    """List the people of the partnership, with their role and whether they are active."""
    _require_current_schema(context)
    with read_session(context.sessions()) as session:
        partnership = _partnership(session, context, partnership_name)
        for person in people_of(session, partnership.id):
            agency = f" ({person.agency.name})" if person.agency else ""
            state = "active" if person.is_active else "deactivated"
            click.echo(f"{person.email:<40} {person.role + agency:<40} {state}")


@click.command("deactivate")
@click.argument("email")
@pass_context
def user_deactivate(context: Context, email: str) -> None:
    """Deactivate a leaver: their sessions end and their tokens stop working at once."""
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        person = _person(session, email)
        deactivate(session, person, _actor(session, None), context.now())
        click.echo(f"Deactivated {person.email}; their sessions and tokens no longer work.")


@click.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--agency", "agency_name", help="For agency and panel users: their agency.")
@pass_context
def user_set_role(context: Context, email: str, role: str, agency_name: str | None) -> None:
    """Change what someone may do."""
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        person = _person(session, email)
        set_role(session, person, role, agency_name, _actor(session, None), context.now())
        click.echo(f"{person.email} is now {role}.")


@click.command("reset-password")
@click.argument("email")
@click.option(
    "--send-link",
    is_flag=True,
    help="E-mail a one-time link to set a new password, instead of reading one.",
)
@pass_context
def user_reset_password(context: Context, email: str, send_link: bool) -> None:
    """Set a new password (read from standard input), or e-mail a one-time link; either way
    the person's sessions end."""
    password = "" if send_link else _read_password()
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        person = _person(session, email)
        actor = _actor(session, None)
        if send_link:
            send_reset_link(session, person, site_url(context.config), actor, context.now())
            click.echo(f"A one-time link to set a new password is queued for {person.email}.")
        else:
            set_password(session, person, password, actor, context.now())
            click.echo(f"New password set for {person.email}; their sessions have ended.")


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("New password again: ") != password:
            raise click.ClickException("the passwords do not match")
        return password
    return sys.stdin.readline().rstrip("\n")


@click.command("list")
@click.argument("email", required=False)
@pass_context
def token_list(context: Context, email: str | None) -> None:
    """List API tokens (never the tokens themselves): id, whose, made, expires, last used
    (recorded at most every 5 minutes), state."""
    _require_current_schema(context)
    now = context.now()
    with read_session(context.sessions()) as session:
        for row in tokens_of(session, email):
            if row.revoked_at is not None:
                state = f"revoked {row.revoked_at:%Y-%m-%d}"
            elif row.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            used = f"{row.last_used_at:%Y-%m-%d}" if row.last_used_at else "never"
            click.echo(
                f"{row.id:>5}  {row.user.email:<40} made {row.created_at:%Y-%m-%d}  "
                f"expires {row.expires_at:%Y-%m-%d}  last used {used}  {state}"
            )


@click.command("revoke")
@click.argument("token_id", type=int)
@pass_context
def token_revoke(context: Context, token_id: int) -> None:
    """Revoke API token ID (see `token list`): it stops working at once."""
    _require_current_schema(context)
    with write_transaction(context.sessions()) as session:
        row = revoke_token(session, token_id, _actor(session, None), context.now())
        click.echo(f"Revoked token {row.id} of {row.user.email}.")


for _command in (user_list, user_deactivate, user_set_role, user_reset_password):
    user.add_command(_command)
for _command in (token_list, token_revoke):
    token.add_command(_command)
