"""What every `casereview` sub-command shares: the command line's context (configuration,
database, clock) and the checks and look-ups they all make. Its own module, so that the
sub-command modules (``web/*_cli.py``) need nothing of ``web.cli``, which names them in its
lazy table (``web.cli_lazy``)."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

# What a command needs is imported when it runs, not here: every sub-command module imports
# this one, and `casereview --help` must not pay for SQLAlchemy, the models or the calendar.
if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from triggers.config import Config
    from triggers.models import CaseReview, Partnership
    from triggers.policy import Policy
    from workflows.service import Actor

R = TypeVar("R")


@dataclass
class Context:
    config_path: str | None
    debug: bool
    #: Set by ``pass_reading_context``: the command only reads, and its configuration is
    #: loaded without the checks of values it never uses (``load_config``'s ``reading``).
    reading: bool = False
    _config: Config | None = None
    _engine: Engine | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from triggers.config import load_config

            self._config = load_config(self.config_path, reading=self.reading)
        return self._config

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from triggers.config import database_url
            from triggers.db import make_engine

            self._engine = make_engine(database_url(self.config))
        return self._engine

    @property
    def policy(self) -> Policy:
        from triggers.policy import Policy

        return Policy.from_config(self.config)

    def sessions(self) -> sessionmaker[Session]:
        from triggers.db import make_session_factory

        return make_session_factory(self.engine)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


pass_context = click.make_pass_decorator(Context)


def pass_reading_context(command: Callable[..., R]) -> Callable[..., R]:
    """``pass_context`` for a command that shows cases or figures (``stats``, ``case show``,
    ``case list``): it sends nothing and serves nothing, so it starts without importing the
    libraries that check the configuration's rates and e-mail addresses, which it never
    uses; every other command checks them."""

    @functools.wraps(command)
    def reading(context: Context, /, *args: Any, **kwargs: Any) -> R:
        context.reading = True
        return command(context, *args, **kwargs)

    return pass_context(reading)


def fail(message: str, code: int) -> NoReturn:
    """End the command with one line on standard error and exit status ``code``."""
    click.echo(f"casereview: error: {message}", err=True)
    sys.exit(code)


def require_current_schema(context: Context) -> None:
    """Refuse to work on a database whose schema is not this version's."""
    from triggers.schema import current_revision, head_revision

    current = current_revision(context.engine)
    if current != head_revision():
        raise click.ClickException(
            f"the database is at schema {current or 'none'}, this version needs "
            f"{head_revision()}: run `casereview init` first"
        )


def safe_url(context: Context) -> str:
    """The database's address to show: never its password."""
    return context.engine.url.render_as_string(hide_password=True)


def actor_for(session: Session, email: str | None) -> Actor:
    """Who acts: the person ``--as`` names, else the command line and the account running it."""
    from workflows.service import Actor

    if email is None:
        return Actor(label=f"command line ({getpass.getuser()})")
    from triggers.accounts import find_user

    found = find_user(session, email)
    if found is None:
        raise click.ClickException(f"there is no user {email}")
    return Actor(label=found.email, user_id=found.id, role=found.role, agency_id=found.agency_id)


def partnership_for(session: Session, context: Context, name: str | None) -> Partnership:
    """The partnership named, else the configured one."""
    from triggers.partnerships import partnership_by_name

    found = partnership_by_name(session, name or context.config.partnership.code)
    if found is not None:
        return found
    known = _partnerships_known(session)
    if name is None or not known:
        # The configured partnership is not in the database: it was never set up.
        raise click.ClickException(
            f"there is no partnership '{name or context.config.partnership.code}'; "
            "run `casereview init`"
        )
    raise click.ClickException(
        f"there is no partnership '{name}': give a name or a code, one of {known}"
    )


def _partnerships_known(session: Session, most: int = 10) -> str:
    """The partnerships a name may be, as "CODE (Name)": a mistyped code is seen at once."""
    from sqlalchemy import func, select

    from triggers.models import Partnership

    table = Partnership.__table__
    rows = session.execute(
        select(table.c.code, table.c.name).order_by(table.c.code).limit(most)
    ).all()
    count = session.scalar(select(func.count()).select_from(table)) or 0
    listed = ", ".join(f"{code} ({name})" for code, name in rows)
    return listed + (f" and {count - most} more" if count > most else "")


def case_named(session: Session, reference: str, event: str | None = None) -> CaseReview:
    """The case; locked, with what the step reads, when ``event`` is to be applied to it."""
    from sqlalchemy import select

    from triggers.models import CaseReview
    from workflows.errors import CaseNotFound
    from workflows.service import for_a_step

    query = select(CaseReview).where(CaseReview.reference == reference.upper())
    if event is not None:
        query = for_a_step(query, event)
    found = session.execute(query).unique().scalar()
    if found is None:
        raise CaseNotFound(f"there is no case {reference}")
    return found


@contextmanager
def writing(context: Context) -> Iterator[Session]:
    from triggers.db import write_transaction

    with write_transaction(context.sessions()) as session:
        yield session


def read_json(file: Any) -> dict[str, Any]:
    try:
        data = json.load(file)
    except json.JSONDecodeError as error:
        raise click.BadParameter(
            f"{getattr(file, 'name', 'input')} is not valid JSON: {error}"
        ) from None
    if not isinstance(data, dict):
        raise click.BadParameter("the JSON must be an object")
    return data
