"""What every request needs (the configuration, the policy, the database, the clock), built
once per application by ``web.app.create_app`` and read by the pages, the API and the sign-in
through ``services()``: its own module, so that they need not import the application back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from triggers.config import Config
from triggers.policy import Policy


@dataclass
class Services:
    """What every request needs, built once per application."""

    config: Config
    policy: Policy
    engine: Engine
    sessions: sessionmaker[Session]
    #: The clock; tests replace it to act "as if it were" a given time.
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()


def services() -> Services:
    """The application's services, from within a request or an application context."""
    return current_app.extensions["casereview"]
