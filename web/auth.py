"""Signing in and out (Flask-Login): e-mail and argon2-checked password, locked for a while
after repeated failures, with the same words and the same work whether or not the address
is known. Sessions live on the server (``triggers.staff_sessions``): the cookie holds a
random id, checked on every request, so ending the row ends the session everywhere.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask import session as session_cookie
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from triggers.accounts import LOCK_FOR, sign_in_with_password
from triggers.db import read_session, write_transaction
from triggers.models import User
from triggers.staff_sessions import store
from web.forms import ConfirmForm, SignInForm
from web.redirects import local_target
from web.request_log import request_id
from web.services import services
from workflows.service import Actor

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"

WRONG = "The e-mail address or the password is not right"
LOCKED = (
    "This account is locked after too many failed attempts. "
    f"Try again in {int(LOCK_FOR.total_seconds() // 60)} minutes, or ask your CSP manager."
)
TOO_MANY = "Too many attempts to sign in from this address. Wait a minute and try again."
#: The key of the server-side session's id in the signed cookie.
SESSION_ID = "casereview_session"


class StaffUser(UserMixin):
    """What a request knows of the person signed in (not the database row)."""

    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.email = user.email
        self.role = user.role
        self.partnership_id = user.partnership_id
        self.agency_id = user.agency_id
        self.active = user.is_active

    @property
    def is_active(self) -> bool:
        return self.active


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The person of a live server-side session; None when it was ended, went idle, or its
    user was deactivated (then Flask-Login treats the request as signed out)."""
    session_id = session_cookie.get(SESSION_ID)
    if not isinstance(session_id, str) or not user_id.isdigit():
        return None
    app = services()
    idle = timedelta(minutes=app.config.server.session_minutes)
    now = app.now()
    with read_session(app.sessions) as db:
        live = store.live(db, session_id, now, idle)
        if live is None or live.user_id != int(user_id):
            return None
        user = live.user if live.user is not None else db.get(User, live.user_id)
        if user is None or not user.is_active:
            return None
        signed_in = StaffUser(user)
    if live.due_a_touch:
        with write_transaction(app.sessions) as db:
            store.touch(db, session_id, now)
    return signed_in


def start_session(db: Session, user: User) -> None:
    """Sign ``user`` in with a fresh cookie: a new session id and a new CSRF token, so that
    nothing set before signing in (session fixation) carries over."""
    session_cookie.clear()
    session_cookie.permanent = True  # so the idle timeout applies to the cookie too
    session_cookie[SESSION_ID] = store.start(db, user.id, services().now())
    login_user(StaffUser(user))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Sign-in attempts per client address, on top of the per-account lock-out: one address
    # trying many accounts is slowed too. Counted where `server.limits_storage` says
    # (memory by default; Redis shared by every node: web/shared_limits.py).
    limiter = Limiter(get_remote_address, app=app, default_limits=[])  # storage: web.shared_limits
    app.extensions["casereview.limiter"] = limiter  # the public form limits sending with it
    limit = app.extensions["casereview"].config.server.sign_in_limit
    app.register_blueprint(blueprint)
    # The limit is checked by the wrapper the decorator returns: serve the wrapper.
    app.view_functions["auth.sign_in"] = limiter.limit(
        limit, methods=["POST"], error_message=TOO_MANY
    )(sign_in)


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        app = services()
        with write_transaction(app.sessions) as db:
            result = sign_in_with_password(
                db, form.email.data or "", form.password.data or "", app.now()
            )
            if result.user is not None:
                start_session(db, result.user)
                target = local_target(request.args.get("next"), url_for("tasks.my_tasks"))
                return redirect(target)
        problem = LOCKED if result.problem == "locked" else WRONG
        form.email.errors = [problem]
    return render_template("sign_in.html", form=form), (400 if problem else 200)


@blueprint.post("/sign-out")
def sign_out() -> Response:
    ConfirmForm().validate_on_submit()
    session_id = session_cookie.get(SESSION_ID)
    if isinstance(session_id, str):
        app = services()
        with write_transaction(app.sessions) as db:
            store.end(db, session_id, app.now())
    logout_user()
    session_cookie.clear()
    return redirect(url_for("auth.sign_in"))


def current_actor() -> Actor:
    """The signed-in person, as the audit trail records them (who, from which address, in
    which request) and as ``workflows.permissions`` checks them (the agency they speak for)."""
    return Actor(
        label=current_user.email,
        user_id=int(current_user.id),
        role=current_user.role,
        address=request.remote_addr or "",
        agency_id=current_user.agency_id,
        request_id=request_id(),
    )
