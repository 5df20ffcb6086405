"""The People page: a manager lists, adds, deactivates and changes the people of their
partnership, and sends a one-time link to set a new password; and the page that link opens.

The rules (the last active manager stays; a leaver's sessions and tokens end at once; every
change is audited) are in ``workflows.people``; this module only carries the forms.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from triggers.accounts import ROLES, AccountError
from triggers.db import read_session, write_transaction
from triggers.models import Agency, User
from web.auth import current_actor
from web.forms import ConfirmForm, an_email_address
from web.language import _ls, _s
from web.services import services
from workflows import permissions
from workflows.people import (
    add_person,
    deactivate,
    people_of,
    reset_with_link,
    send_reset_link,
    set_role,
    site_url,
    user_for_reset,
)

blueprint = Blueprint("people", __name__)

ROLE_LABELS = {
    "manager": "Community Safety Manager",
    "panel": "Panel member",
    "chair": "CSP chair",
    "agency": "Agency representative",
    "viewer": "Viewer",
}


class RoleForm(FlaskForm):
    role = SelectField(
        _ls("Role"),
        widget=GovSelect(),
        choices=[SelectChoice(key, ROLE_LABELS[key]) for key in ROLES],
        validators=[DataRequired(_ls("Choose a role"))],
    )
    agency = SelectField(
        _ls("Agency (for agency representatives and panel members)"),
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField(_ls("Change role"), widget=GovSubmitInput())


class AddPersonForm(RoleForm):
    email = EmailField(
        _ls("E-mail address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_ls("Enter their e-mail address")),
            an_email_address("Enter an e-mail address in the right form, like name@example.org"),
            Length(max=320),
        ],
    )
    password = PasswordField(
        _ls("First password (tell them, or send them a link to set their own afterwards)"),
        widget=GovPasswordInput(),
        validators=[DataRequired(_ls("Enter a first password")), Length(max=1000)],
    )
    submit = SubmitField(_ls("Add person"), widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _ls("New password"),
        widget=GovPasswordInput(),
        description=_ls("At least 12 characters. Three random words make a good one."),
        validators=[DataRequired(_ls("Enter a new password")), Length(max=1000)],
    )
    again = PasswordField(
        _ls("New password again"),
        widget=GovPasswordInput(),
        validators=[
            DataRequired(_ls("Enter the new password again")),
            EqualTo("password", "The two passwords are not the same"),
        ],
    )
    submit = SubmitField(_ls("Set password"), widget=GovSubmitInput())


def _managers_only() -> None:
    permissions.require(current_actor(), permissions.MANAGE_PEOPLE)


def _agency_choices(session: Session, form: RoleForm) -> None:
    agencies = session.scalars(
        select(Agency.name)
        .where(Agency.partnership_id == current_user.partnership_id)
        .order_by(Agency.name)
    )
    form.agency.choices = [SelectChoice("", _ls("None"))] + [SelectChoice(n, n) for n in agencies]


def _person(session: Session, person_id: int) -> User:
    person = session.get(User, person_id)
    if person is None or person.partnership_id != current_user.partnership_id:
        abort(404)
    return person


@blueprint.route("/people", methods=["GET", "POST"])
@login_required
def people_page() -> str | Response | tuple[str, int]:
    _managers_only()
    app = services()
    form = AddPersonForm(prefix="add")
    problem = ""
    if not form.is_submitted():
        form.role.data = "viewer"  # the least a new person may do, unless chosen otherwise
    with write_transaction(app.sessions) as session:
        _agency_choices(session, form)
        if form.validate_on_submit():
            try:
                with session.begin_nested():
                    added = add_person(
                        session,
                        current_user.partnership_id,
                        form.email.data or "",
                        form.password.data or "",
                        form.role.data or "",
                        form.agency.data or None,
                        current_actor(),
                        app.now(),
                    )
            except AccountError as error:
                problem = str(error)
            else:
                flash(
                    _s(
                        "%(email)s can now sign in as %(role)s.",
                        email=added.email,
                        role=ROLE_LABELS[added.role],
                    ),
                    "success",
                )
                return redirect(url_for("people.people_page"))
        people = people_of(session, current_user.partnership_id)
        page = render_template(
            "people.html",
            title="People",
            people=people,
            form=form,
            problem=problem,
            labels=ROLE_LABELS,
        )
    status = 400 if request.method == "POST" else 200
    return page, status


@blueprint.get("/people/<int(max=2147483647):person_id>")
@login_required
def person_page(person_id: int) -> str:
    _managers_only()
    with read_session(services().sessions) as session:
        return _render_person(session, _person(session, person_id), RoleForm(prefix="role"))


def _render_person(session: Session, person: User, form: RoleForm, problem: str = "") -> str:
    _agency_choices(session, form)
    if not form.is_submitted():
        form.role.data = person.role
        form.agency.data = person.agency.name if person.agency else ""
    return render_template(
        "person.html",
        title=person.email,
        person=person,
        form=form,
        confirm=ConfirmForm(),
        problem=problem,
        labels=ROLE_LABELS,
    )


@blueprint.post("/people/<int(max=2147483647):person_id>/role")
@login_required
def change_role(person_id: int) -> str | Response | tuple[str, int]:
    _managers_only()
    app = services()
    form = RoleForm(prefix="role")
    with write_transaction(app.sessions) as session:
        person = _person(session, person_id)
        _agency_choices(session, form)
        problem = ""
        if form.validate_on_submit():
            try:
                with session.begin_nested():
                    set_role(
                        session,
                        person,
                        form.role.data or "",
                        form.agency.data or None,
                        current_actor(),
                        app.now(),
                    )
            except AccountError as error:
                problem = str(error)
            else:
                flash(
                    _s(
                        "%(email)s is now %(role)s.",
                        email=person.email,
                        role=ROLE_LABELS[person.role],
                    ),
                    "success",
                )
                return redirect(url_for("people.person_page", person_id=person_id))
        return _render_person(session, person, form, problem), 400


@blueprint.post("/people/<int(max=2147483647):person_id>/deactivate")
@login_required
def deactivate_person(person_id: int) -> Response:
    return _act(person_id, "deactivate")


@blueprint.post("/people/<int(max=2147483647):person_id>/reset-password")
@login_required
def reset_password(person_id: int) -> Response:
    return _act(person_id, "reset")


def _act(person_id: int, action: str) -> Response:
    _managers_only()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    app = services()
    with write_transaction(app.sessions) as session:
        person = _person(session, person_id)
        try:
            with session.begin_nested():
                if action == "deactivate":
                    deactivate(session, person, current_actor(), app.now())
                    done = f"{person.email} is deactivated: their sessions and tokens have ended."
                else:
                    send_reset_link(
                        session, person, site_url(app.config), current_actor(), app.now()
                    )
                    done = f"A link to set a new password will be e-mailed to {person.email}."
        except AccountError as error:
            flash(str(error)[0].upper() + str(error)[1:], "error")
        else:
            flash(done, "success")
    return redirect(url_for("people.person_page", person_id=person_id))


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
def set_new_password(token: str) -> str | Response | tuple[str, int]:
    """The page a one-time link opens: anyone holding the link, signed in or not."""
    app = services()
    form = NewPasswordForm()
    with write_transaction(app.sessions) as session:
        person = user_for_reset(session, token, app.now())
        if person is None:
            abort(
                404, "This link has expired or has been used. Ask your CSP manager for a new one."
            )
        problem = ""
        if form.validate_on_submit():
            try:
                with session.begin_nested():
                    reset_with_link(
                        session,
                        token,
                        form.password.data or "",
                        request.remote_addr or "",
                        app.now(),
                    )
            except AccountError as error:
                problem = str(error)
                form.password.errors = [problem[0].upper() + problem[1:]]
            else:
                flash(_s("Your new password is set. Sign in with it."), "success")
                return redirect(url_for("auth.sign_in"))
        page = render_template(
            "new_password.html", title="Set a new password", form=form, person=person
        )
    return page, (400 if form.errors else 200)
