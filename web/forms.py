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


def an_email_address(message: str):  # type: ignore[no-untyped-def]
    """The one e-mail check (triggers.text) as a WTForms validator, with the page's wording."""

    def check(form: FlaskForm, field: Field) -> None:
        if field.data and email_problem(field.data):
            raise ValidationError(message)

    return check


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your e-mail address"),
            an_email_address("Enter an e-mail address in the right form, like name@example.org"),
            Length(max=320),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), Length(max=1000)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class FilterForm(FlaskForm):
    """The dashboard's filters: a GET form, so no CSRF token and a shareable URL."""

    class Meta:
        csrf = False

    state = SelectField("State", widget=GovSelect(), validate_choice=False)
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Filter", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class YearForm(FlaskForm):
    """The statistics page's year picker: a GET form, so the URL names the year."""

    class Meta:
        csrf = False

    year = SelectField("Performance year", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())


class ClosedFilterForm(FlaskForm):
    """The closed cases' filters: a GET form, so no CSRF token and a shareable URL."""

    class Meta:
        csrf = False

    year = SelectField("Year closed", widget=GovSelect(), validate_choice=False)
    outcome = SelectField("Outcome", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Filter", widget=GovSubmitInput())
