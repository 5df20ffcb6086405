"""The questions of the public application form, one small form per page (GOV.UK's
"one thing per page"), each checked on the server with a message that says how to fix it.

The forms collect and check what a person can fix on the page; ``open_case`` checks the
whole application again when it is sent, exactly as for a manager or the API.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from triggers.config import OnlineConfig
from triggers.text import email_problem, one_line_problem
from web.complaint_bodies import PUBLIC_BODIES
from web.public_widgets import LocalCharacterCount, LocalDateInput
from web.step_forms import PartsDateField

#: Characters a person never means to type (NUL, escape, the C1 controls...): dropped, so
#: pasted text cannot break a letter or the database. Tabs and new lines are kept.
_CONTROL = dict.fromkeys(
    c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"
)
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
PHONE = re.compile(r"^\+?[0-9 ()-]+$")
#: A long answer's cap until the page sets the partnership's own (online.longest_answer).
TEXT_LIMIT = OnlineConfig().longest_answer
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
#: Who the person reported it to, in their words (``web.complaint_bodies`` maps each choice).
BODIES = PUBLIC_BODIES


def clean(value: Any) -> Any:
    """Strip the ends and drop control characters from text (unicode kept as typed)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value.translate(_CONTROL)).strip()


def _one_line(form: Any, field: Any) -> None:
    if field.data and one_line_problem(field.data):
        raise ValidationError(gettext("%(what)s must be on one line", what=field.label.text))


class _Limit:
    """A cap on an answer's length, with the GOV.UK message in the page's language; the
    number is written the way the language writes it ("5,000")."""

    def __init__(self, what: Any, most: int | None = None) -> None:
        self.what = what
        self.most = most

    def __call__(self, form: PublicForm, field: Any) -> None:
        most = self.most if self.most is not None else form.longest_answer
        if field.data and len(field.data) > most:
            raise ValidationError(
                gettext(
                    "%(what)s must be %(most)s characters or fewer",
                    what=self.what,
                    most=format_number(most),
                )
            )


def _limit(what: Any, most: int) -> _Limit:
    return _Limit(what, most)


class LongestAnswer(_Limit):
    """The cap on a long answer, ``online.longest_answer``, which the page sets on the form:
    a draft cannot grow without bound (issue 16), and the message is the GOV.UK one."""

    def __init__(self, what: Any) -> None:
        super().__init__(what)


class AnswerDate(PartsDateField):
    """A GOV.UK date whose errors follow the pattern: which part is missing, or not real."""

    def __init__(self, label: Any, what: Any, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.widget = LocalDateInput()
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(part).strip() for part in [*valuelist, "", "", ""][:3]]
        self.raw_data = [clean(part)[:10] for part in parts]
        self.data = None
        if not any(parts):
            return
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValueError(_missing_parts(self.what, missing))
        day, month, year = parts
        real = gettext("%(what)s must be a real date, like 27 3 2025", what=self.what)
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            raise ValueError(real)
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a day of 9999999999 overflows a C int
            raise ValueError(real) from None


def _missing_parts(what: Any, missing: list[str]) -> str:
    """ "... must include a day and a year": each part's name translated on its own."""
    names = {"day": _l("day"), "month": _l("month"), "year": _l("year")}
    if len(missing) == 1:
        return gettext("%(what)s must include a %(part)s", what=what, part=names[missing[0]])
    return gettext(
        "%(what)s must include a %(first)s and a %(second)s",
        what=what,
        first=names[missing[0]],
        second=names[missing[1]],
    )


class PublicForm(FlaskForm):
    """Every question page: text cleaned of control characters, a Continue button."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                filters = [clean, *unbound_field.kwargs.get("filters", [])]
                if not issubclass(unbound_field.field_class, TextAreaField):
                    # A one-line answer ends up in letters' headers and address blocks.
                    validators = [*unbound_field.kwargs.get("validators", []), _one_line]
                    options = {**options, "validators": validators}
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    #: The partnership's "today", set by the page so dates are checked against it.
    today: date = date.min
    #: The characters a long answer may have (``online.longest_answer``), set by the page.
    longest_answer: int = TEXT_LIMIT


class WhoForm(PublicForm):
    who = RadioField(
        _l("Are you the victim of the anti-social behaviour?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("victim", _l("Yes, I am the victim")),
            SelectChoice("on_behalf", _l("No, I am applying for someone else")),
        ],
        validators=[InputRequired(_l("Select whether you are the victim"))],
    )


class AboutYouForm(PublicForm):
    applicant_name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter your full name")), _limit(_l("Your name"), 200)],
    )
    applicant_relationship = StringField(
        _l("Your relationship to the victim"),
        widget=GovTextInput(),
        description=_l("For example: daughter, neighbour, carer, councillor."),
        validators=[
            DataRequired(_l("Enter your relationship to the victim")),
            _limit(_l("Your relationship to the victim"), 100),
        ],
    )
    consent = BooleanField(
        _l("The victim knows I am applying and has agreed to it"),
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(_l("Confirm that the victim has agreed to you applying for them")),
        ],
    )


class VictimTypeForm(PublicForm):
    victim_type = RadioField(
        _l("Who is the victim?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("individual", _l("A person")),
            SelectChoice("business", _l("A business")),
            SelectChoice("community_group", _l("A community group")),
        ],
        validators=[InputRequired(_l("Select who the victim is"))],
    )


class VictimNameForm(PublicForm):
    victim_name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the name")), _limit(_l("The name"), 200)],
    )


class ContactForm(PublicForm):
    contact_preference = RadioField(
        _l("How should we contact you?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("email", _l("By e-mail")),
            SelectChoice("phone", _l("By phone")),
            SelectChoice("letter", _l("By letter")),
        ],
        validators=[InputRequired(_l("Select how we should contact you"))],
    )
    email = StringField(
        _l("E-mail address"),
        widget=GovTextInput(),
        description=_l("We will send a confirmation to this address."),
        validators=[_limit(_l("Your e-mail address"), 320)],
    )
    phone = StringField(
        _l("Phone number"),
        widget=GovTextInput(),
        description=_l("For international numbers include the country code."),
        validators=[_limit(_l("Your phone number"), 40)],
    )
    address = TextAreaField(
        _l("Postal address"),
        widget=GovTextArea(),
        description=_l("House number and street, town or city. Leave out the postcode."),
        validators=[_limit(_l("Your address"), 500)],
    )
    postcode = StringField(
        _l("Postcode"),
        widget=GovTextInput(),
        validators=[_limit(_l("The postcode"), 10)],
    )

    def _needed_for(self, method: str, field: Any, what: Any) -> None:
        """The detail of the way of contact chosen must be given."""
        if not field.data and self.contact_preference.data == method:
            raise ValidationError(
                gettext("Enter your %(what)s, or choose another way to contact you", what=what)
            )

    def validate_email(self, field: StringField) -> None:
        if field.data and email_problem(field.data):
            raise ValidationError(
                _l("Enter an e-mail address in the correct format, like name@example.com")
            )
        self._needed_for("email", field, _l("e-mail address"))

    def validate_phone(self, field: StringField) -> None:
        digits = re.sub(r"\D", "", field.data or "")
        if field.data and (not PHONE.match(field.data) or not 10 <= len(digits) <= 15):
            raise ValidationError(
                _l("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
            )
        self._needed_for("phone", field, _l("phone number"))

    def validate_address(self, field: TextAreaField) -> None:
        self._needed_for("letter", field, _l("address"))

    def validate_postcode(self, field: StringField) -> None:
        if field.data:
            field.data = re.sub(r"\s+", " ", field.data.upper())
            if not POSTCODE.match(field.data):
                raise ValidationError(_l("Enter a real postcode, like LE11 2TX"))
        elif self.contact_preference.data == "letter":
            raise ValidationError(_l("Enter your postcode"))


class NeedsForm(PublicForm):
    accessibility_needs = TextAreaField(
        _l("Do you have any accessibility needs? (optional)"),
        widget=LocalCharacterCount(),
        description=(
            _l("For example, large print, easy read, a hearing loop, or help to attend a meeting.")
        ),
        validators=[Optional(), _limit(_l("Accessibility needs"), 1000)],
    )
    language = StringField(
        _l("If you would like us to use a language other than English, which one? (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), _limit(_l("The language"), 60)],
    )


class IncidentForm(PublicForm):
    occurred_on = AnswerDate(
        _l("When did it happen?"),
        _l("The date it happened"),
        description=_l("For example, 27 3 2025. If you are not sure, give your best guess."),
    )
    what_happened = TextAreaField(
        _l("What happened?"),
        widget=LocalCharacterCount(),
        description=_l("Describe what was done or said, where, and how it affected you."),
        validators=[
            DataRequired(_l("Describe what happened")),
            LongestAnswer(_l("What happened")),
        ],
    )
    hate_related = RadioField(
        _l("Do you think it happened because of who you are?"),
        widget=GovRadioInput(),
        description=(
            _l(
                "For example, because of race, religion, disability, sexual orientation or "
                "gender identity. This is a hate incident."
            )
        ),
        choices=YES_NO,
        validators=[InputRequired(_l("Select yes if you think it was because of who you are"))],
    )
    reported_to = RadioField(
        _l("Who did you report it to?"),
        widget=GovRadioInput(),
        choices=[
            *(SelectChoice(key, label) for key, label in BODIES.items()),
            SelectChoice("none", _l("I did not report it")),
        ],
        validators=[InputRequired(_l("Select who you reported it to"))],
    )
    reported_on = AnswerDate(_l("When did you report it?"), _l("The date you reported it"))
    reference = StringField(
        _l("Their reference number (optional)"),
        widget=GovTextInput(),
        description=_l("For example, a crime number or an ASB case number."),
        validators=[Optional(), _limit(_l("The reference number"), 100)],
    )

    def validate_occurred_on(self, field: AnswerDate) -> None:
        if field.data is None:
            raise ValidationError(_l("Enter the date it happened"))
        if field.data > self.today:
            raise ValidationError(_l("The date it happened must be today or in the past"))
        if field.data.year < 1900:
            raise ValidationError(_l("The date it happened must be after 1900"))

    def validate_reported_on(self, field: AnswerDate) -> None:
        if self.reported_to.data in (None, "", "none"):
            field.data = None
            return
        if field.data is None:
            raise ValidationError(_l("Enter the date you reported it"))
        if field.data > self.today:
            raise ValidationError(_l("The date you reported it must be today or in the past"))
        if self.occurred_on.data and field.data < self.occurred_on.data:
            raise ValidationError(
                _l("The date you reported it must be on or after the date it happened")
            )


class ReportForm(PublicForm):
    """One more report of an incident already given: to another body, or by another
    person (three people about one incident is a local route to a review)."""

    reported_to = RadioField(
        _l("Who was it reported to?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(key, label) for key, label in BODIES.items()],
        validators=[InputRequired(_l("Select who it was reported to"))],
    )
    reported_on = AnswerDate(_l("When was it reported?"), _l("The date it was reported"))
    reference = StringField(
        _l("Their reference number (optional)"),
        widget=GovTextInput(),
        description=_l("For example, a crime number or an ASB case number."),
        validators=[Optional(), _limit(_l("The reference number"), 100)],
    )
    reporter = StringField(
        _l("Who reported it (optional)"),
        widget=GovTextInput(),
        description=_l("If someone else reported it, their name. For example, a neighbour."),
        validators=[Optional(), _limit(_l("The name"), 200)],
    )

    def validate_reported_on(self, field: AnswerDate) -> None:
        if field.data is None:
            raise ValidationError(_l("Enter the date it was reported"))
        if field.data > self.today:
            raise ValidationError(_l("The date it was reported must be today or in the past"))
        if field.data < self.occurred_on:
            raise ValidationError(
                _l("The date it was reported must be on or after the date it happened")
            )


class AnotherIncidentForm(PublicForm):
    another = RadioField(
        _l("Do you need to add another incident?"),
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(_l("Select yes if you need to add another incident"))],
    )


class DissatisfactionForm(PublicForm):
    dissatisfaction = TextAreaField(
        _l("Why are you unhappy with how the incidents were dealt with?"),
        widget=LocalCharacterCount(),
        description=(
            _l("Tell us what the council, the police or the housing provider did or did not do.")
        ),
        validators=[
            DataRequired(_l("Tell us why you are unhappy with how the incidents were dealt with")),
            LongestAnswer(_l("Your answer")),
        ],
    )


class SendForm(PublicForm):
    #: A honeypot: hidden from people (and from screen readers), filled in by bots.
    website = StringField(_l("Leave this empty"), widget=GovTextInput())
    submit = SubmitField(_l("Accept and send"), widget=GovSubmitInput())


class RemoveForm(PublicForm):
    submit = SubmitField(_l("Remove"), widget=GovSubmitInput())
