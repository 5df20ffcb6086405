"""The staff pages' forms (WTForms with GOV.UK widgets); every POST carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, Field, PasswordField, SelectField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Length

from triggers.text import email_problem
from web.language import _ls


def an_email_address(message: str):  # type: ignore[no-untyped-def]
    """The one e-mail check (triggers.text) as a WTForms validator, with the page's wording."""

    def check(form: FlaskForm, field: Field) -> None:
        if field.data and email_problem(field.data):
            raise ValidationError(message)

    return check


class SignInForm(FlaskForm):
    email = EmailField(
        _ls("E-mail address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_ls("Enter your e-mail address")),
            an_email_address("Enter an e-mail address in the right form, like name@example.org"),
            Length(max=320),
        ],
    )
    password = PasswordField(
        _ls("Password"),
        widget=GovPasswordInput(),
        validators=[DataRequired(_ls("Enter your password")), Length(max=1000)],
    )
    submit = SubmitField(_ls("Sign in"), widget=GovSubmitInput())


class FilterForm(FlaskForm):
    """The dashboard's filters: a GET form, so no CSRF token and a shareable URL."""

    class Meta:
        csrf = False

    state = SelectField(_ls("State"), widget=GovSelect(), validate_choice=False)
    agency = SelectField(_ls("Agency"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_ls("Filter"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class YearForm(FlaskForm):
    """The statistics page's year picker: a GET form, so the URL names the year."""

    class Meta:
        csrf = False

    year = SelectField(_ls("Performance year"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_ls("Show"), widget=GovSubmitInput())


class ClosedFilterForm(FlaskForm):
    """The closed cases' filters: a GET form, so no CSRF token and a shareable URL."""

    class Meta:
        csrf = False

    year = SelectField(_ls("Year closed"), widget=GovSelect(), validate_choice=False)
    outcome = SelectField(_ls("Outcome"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_ls("Filter"), widget=GovSubmitInput())
