"""Signing in and out (Flask-Login): e-mail and argon2-checked password, locked for a while
after repeated failures, with the same message whether or not the address is known."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask import session as session_cookie
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from triggers.accounts import check_password, find_user
from triggers.db import read_session, write_transaction
from triggers.models import User
from web.app import services
from web.forms import ConfirmForm, SignInForm
from workflows.service import Actor

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
WRONG = "The e-mail address or the password is not right"
TOO_MANY = "Too many attempts to sign in from this address. Wait a minute and try again."


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
    with read_session(services().sessions) as session:
        user = session.get(User, int(user_id)) if user_id.isdigit() else None
        return StaffUser(user) if user is not None and user.is_active else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Sign-in attempts per client address, on top of the per-account lock-out: one address
    # trying many accounts is slowed too. In memory, per application (waitress serves one).
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
        now = app.now()
        with write_transaction(app.sessions) as session:
            user = find_user(session, form.email.data or "")
            if user is not None and user.locked_until is not None and user.locked_until > now:
                problem = (
                    "This account is locked after too many failed attempts. "
                    "Try again in 15 minutes, or ask your CSP manager."
                )
            elif (
                user is not None
                and user.is_active
                and check_password(user, form.password.data or "")
            ):
                user.failed_logins, user.locked_until = 0, None
                session_cookie.permanent = True  # so the idle timeout applies
                login_user(StaffUser(user))
                target = request.args.get("next", "")
                safe = target.startswith("/") and not target.startswith("//")
                return redirect(target if safe else url_for("staff.dashboard"))
            else:
                problem = WRONG
                if user is not None:
                    user.failed_logins += 1
                    if user.failed_logins >= MAX_FAILURES:
                        user.locked_until, user.failed_logins = now + LOCK_FOR, 0
        form.email.errors = [problem]
    return render_template("sign_in.html", form=form), (400 if problem else 200)


@blueprint.post("/sign-out")
def sign_out() -> Response:
    ConfirmForm().validate_on_submit()
    logout_user()
    return redirect(url_for("auth.sign_in"))


def current_actor() -> Actor:
    """The signed-in person, as the audit trail records them: who, and from which address."""
    return Actor(
        label=current_user.email,
        user_id=int(current_user.id),
        role=current_user.role,
        address=request.remote_addr or "",
    )
