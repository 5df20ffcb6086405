"""The form a manager fills in for an application received by phone, letter or e-mail.

One incident is offered, with one complaint; "Add another incident" and "Add another
complaint" (one incident reported to several bodies, or by several people) send the form
back with one more row, without JavaScript and without recording anything. Empty rows are
ignored. The form collects; ``workflows.service.open_case`` checks and records, and its
field errors are put back on the fields here.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from web.complaint_bodies import STAFF_BODIES, complaint_body
from web.language import _ls
from web.step_forms import PartsDateField, place_errors

#: Most rows the form takes (the service takes at most 200 incidents, 100 complaints each).
INCIDENT_ROWS = 50
COMPLAINT_ROWS = 20
BODIES = [
    SelectChoice("", _ls("Choose who it was reported to")),
    *(SelectChoice(value, label) for value, label in STAFF_BODIES.items()),
]


class ComplaintRow(Form):
    """One more complaint about an incident: another body, or another person."""

    reported_to = SelectField(
        _ls("Reported to"), widget=GovSelect(), choices=BODIES, validate_choice=False
    )
    reported_on = PartsDateField(_ls("When it was reported"), validators=[Optional()])
    reporter = StringField(
        _ls("Who reported it"), widget=GovTextInput(), validators=[Length(max=200)]
    )
    reference = StringField(
        _ls("Their reference number"), widget=GovTextInput(), validators=[Length(max=100)]
    )

    def is_empty(self) -> bool:
        return not (self.reported_to.data or self.reported_on.data)

    def for_service(self) -> dict[str, Any]:
        return {
            "reported_on": self.reported_on.data.isoformat() if self.reported_on.data else "",
            **complaint_body(self.reported_to.data or ""),
            "reporter": self.reporter.data or "",
            "reference": self.reference.data or "",
        }


class IncidentRow(Form):
    occurred_on = PartsDateField(_ls("When it happened"), validators=[Optional()])
    # Not "description": every WTForms field already has a .description (its hint).
    what_happened = TextAreaField(
        _ls("What happened"), widget=GovTextArea(), validators=[Length(max=10_000)]
    )
    hate_related = BooleanField(
        _ls("Motivated by hate (a hate crime or hate incident)"), widget=GovCheckboxInput()
    )
    reported_to = SelectField(
        _ls("Reported to"), widget=GovSelect(), choices=BODIES, validate_choice=False
    )
    reported_on = PartsDateField(_ls("When it was reported"), validators=[Optional()])
    reporter = StringField(
        _ls("Who reported it"), widget=GovTextInput(), validators=[Length(max=200)]
    )
    reference = StringField(
        _ls("Their reference number"), widget=GovTextInput(), validators=[Length(max=100)]
    )
    #: The complaints after the first (the fields above).
    more_complaints = FieldList(FormField(ComplaintRow), min_entries=0, max_entries=COMPLAINT_ROWS)
    add_complaint = SubmitField(
        _ls("Add another complaint about this incident"), widget=GovSubmitInput()
    )

    def is_empty(self) -> bool:
        return not ((self.what_happened.data or "").strip() or self.occurred_on.data)

    def complaint_rows(self) -> list[tuple[str, dict[str, Any]]]:
        """(where on the form, the complaint) for each complaint filled in, in order."""
        rows = []
        if self.reported_on.data or self.reported_to.data:
            first = {
                "reported_on": self.reported_on.data.isoformat() if self.reported_on.data else "",
                **complaint_body(self.reported_to.data or ""),
                "reporter": self.reporter.data or "",
                "reference": self.reference.data or "",
            }
            rows.append(("", first))
        for index, row in enumerate(self.more_complaints.entries):
            if not row.is_empty():
                rows.append((f"more_complaints.{index}.", row.for_service()))
        return rows


class ActivationForm(FlaskForm):
    received_on = PartsDateField(
        _ls("Date the application was received"),
        validators=[DataRequired(_ls("Enter the date it was received"))],
    )
    channel = RadioField(
        _ls("How it was received"),
        widget=GovRadioInput(),
        validators=[DataRequired(_ls("Select how the application was received"))],
        validate_choice=False,
        choices=[
            SelectChoice("phone", _ls("Phone")),
            SelectChoice("letter", _ls("Letter")),
            SelectChoice("email", _ls("E-mail")),
            SelectChoice("in_person", _ls("In person")),
        ],
    )
    # Welsh Language Standards: the language preference is asked at first contact (issue 21).
    correspondence_language = RadioField(
        _ls("Which language should we write to them in?"),
        widget=GovRadioInput(),
        # Never pre-selected (GOV.UK); left unanswered it is "not known", as the last choice
        # says, so the choice is not checked against the list (the service checks the value).
        default=None,
        validate_choice=False,
        choices=[
            SelectChoice("cy", _ls("Welsh (Cymraeg)")),
            SelectChoice("en", _ls("English")),
            SelectChoice("", _ls("Not asked or not known")),
        ],
    )
    victim_type = RadioField(
        _ls("The victim is"),
        widget=GovRadioInput(),
        validators=[DataRequired(_ls("Select who the victim is"))],
        validate_choice=False,
        choices=[
            SelectChoice("individual", _ls("An individual")),
            SelectChoice("business", _ls("A business")),
            SelectChoice("community_group", _ls("A community group")),
        ],
    )
    victim_name = StringField(
        _ls("Victim's name"),
        widget=GovTextInput(),
        validators=[DataRequired(_ls("Enter the victim's name")), Length(max=200)],
    )
    victim_address = TextAreaField(
        _ls("Address"),
        widget=GovTextArea(),
        validators=[Length(max=2000)],
        description=_ls("House number and street, town or city. Needed for letters by post."),
    )
    victim_postcode = StringField(
        _ls("Postcode"), widget=GovTextInput(), validators=[Length(max=10)]
    )
    victim_email = StringField(
        _ls("E-mail address"), widget=GovTextInput(), validators=[Length(max=320)]
    )
    victim_phone = StringField(
        _ls("Phone number"), widget=GovTextInput(), validators=[Length(max=40)]
    )
    contact_preference = RadioField(
        _ls("How they want to be contacted"),
        widget=GovRadioInput(),
        validators=[DataRequired(_ls("Select how the victim wants to be contacted"))],
        validate_choice=False,
        choices=[
            SelectChoice("email", _ls("E-mail")),
            SelectChoice("phone", _ls("Phone")),
            SelectChoice("letter", _ls("Letter by post")),
        ],
    )
    accessibility_needs = TextAreaField(
        _ls("Accessibility or language needs"), widget=GovTextArea(), validators=[Length(max=2000)]
    )
    is_vulnerable = BooleanField(_ls("The victim is vulnerable"), widget=GovCheckboxInput())
    is_repeat_victim = BooleanField(_ls("The victim is a repeat victim"), widget=GovCheckboxInput())
    on_behalf = RadioField(
        _ls("Who is applying?"),
        widget=GovRadioInput(),
        validators=[DataRequired(_ls("Select who is applying"))],
        validate_choice=False,
        choices=[
            SelectChoice("no", _ls("The victim")),
            SelectChoice("yes", _ls("Someone on the victim's behalf")),
        ],
    )
    applicant_name = StringField(
        _ls("Applicant's name"), widget=GovTextInput(), validators=[Length(max=200)]
    )
    applicant_relationship = StringField(
        _ls("Relationship to the victim"),
        widget=GovTextInput(),
        validators=[Length(max=100)],
        description=_ls("For example: son, carer, councillor, MP."),
    )
    applicant_consent_given_on = PartsDateField(
        _ls("Date the victim gave consent"), validators=[Optional()]
    )
    applicant_address = TextAreaField(
        _ls("Applicant's address"), widget=GovTextArea(), validators=[Length(max=2000)]
    )
    applicant_email = StringField(
        _ls("Applicant's e-mail address"), widget=GovTextInput(), validators=[Length(max=320)]
    )
    applicant_phone = StringField(
        _ls("Applicant's phone number"), widget=GovTextInput(), validators=[Length(max=40)]
    )
    applicant_contact_preference = RadioField(
        _ls("How the applicant wants to be contacted"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional()],
        choices=[
            SelectChoice("email", _ls("E-mail")),
            SelectChoice("phone", _ls("Phone")),
            SelectChoice("letter", _ls("Letter by post")),
        ],
    )
    incidents = FieldList(FormField(IncidentRow), min_entries=1, max_entries=INCIDENT_ROWS)
    add_incident = SubmitField(_ls("Add another incident"), widget=GovSubmitInput())
    youth_asb = BooleanField(_ls("Youth ASB is an aggravating factor"), widget=GovCheckboxInput())
    ward = StringField(
        _ls("Ward or police beat"),
        widget=GovTextInput(),
        validators=[Length(max=100)],
        description=_ls("Where the ASB happened, for the yearly figures by area. Not an address."),
    )
    dissatisfaction = TextAreaField(
        _ls("Why they are dissatisfied with the response"),
        widget=GovTextArea(),
        validators=[Length(max=10_000)],
    )
    agencies = SelectMultipleField(
        _ls("Agencies involved"), widget=GovCheckboxesInput(), validate_choice=False
    )
    single_point_of_contact = StringField(
        _ls("Single point of contact"), widget=GovTextInput(), validators=[Length(max=200)]
    )
    submit = SubmitField(_ls("Log the application"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        incidents = []
        for row in self.incidents.entries:
            if row.is_empty():
                continue
            incident: dict[str, Any] = {
                "occurred_on": row.occurred_on.data.isoformat() if row.occurred_on.data else "",
                "description": row.what_happened.data or "",
                "hate_related": bool(row.hate_related.data),
                "complaints": [complaint for _, complaint in row.complaint_rows()],
            }
            incidents.append(incident)
        on_behalf = self.on_behalf.data == "yes"
        consent = self.applicant_consent_given_on.data
        return {
            "received_on": self.received_on.data.isoformat() if self.received_on.data else "",
            "channel": self.channel.data or "",
            "victim": {
                "type": self.victim_type.data or "",
                "name": self.victim_name.data or "",
                "address": self.victim_address.data or "",
                "postcode": self.victim_postcode.data or "",
                "email": self.victim_email.data or "",
                "phone": self.victim_phone.data or "",
                "contact_preference": self.contact_preference.data or "",
                "accessibility_needs": self.accessibility_needs.data or "",
                "is_vulnerable": bool(self.is_vulnerable.data),
                "is_repeat_victim": bool(self.is_repeat_victim.data),
            },
            "applicant": {
                "on_behalf": on_behalf,
                "name": (self.applicant_name.data or "") if on_behalf else "",
                "relationship": (self.applicant_relationship.data or "") if on_behalf else "",
                "consent_given_on": consent.isoformat() if on_behalf and consent else None,
                **(self._applicant_contact() if on_behalf else {}),
            },
            "incidents": incidents,
            "youth_asb": bool(self.youth_asb.data),
            "ward": self.ward.data or "",
            "dissatisfaction": self.dissatisfaction.data or "",
            "correspondence_language": self.correspondence_language.data or "",
            "agencies": list(self.agencies.data or []),
            "single_point_of_contact": self.single_point_of_contact.data or "",
        }

    def _applicant_contact(self) -> dict[str, str]:
        """Someone applying for the victim receives the letters: how to reach them."""
        return {
            "address": self.applicant_address.data or "",
            "email": self.applicant_email.data or "",
            "phone": self.applicant_phone.data or "",
            "contact_preference": self.applicant_contact_preference.data or "letter",
        }

    def validate_applicant_contact_preference(self, field: RadioField) -> None:
        if self.on_behalf.data == "yes" and not field.data:
            raise ValidationError("Select how the applicant wants to be contacted")

    def add_another(self) -> bool:
        """If "Add another" was pressed, add the row asked for and say so (nothing is sent)."""
        if self.add_incident.data:
            self.incidents.append_entry()
            return True
        for row in self.incidents.entries:
            if row.add_complaint.data:
                row.more_complaints.append_entry()
                return True
        return False

    def place_service_errors(self, fields: dict[str, str]) -> list[str]:
        """Map the service's names (victim.name, incidents.0.complaints.0.reported_on) here."""
        kept = [index for index, row in enumerate(self.incidents.entries) if not row.is_empty()]
        mapped: dict[str, str] = {}
        for name, message in fields.items():
            match = re.match(r"incidents\.(\d+)(?:\.complaints\.(\d+))?\.(\w+)$", name)
            if match and int(match.group(1)) < len(kept):
                row = kept[int(match.group(1))]
                field = {"description": "what_happened"}.get(match.group(3), match.group(3))
                where = ""
                if match.group(2) is not None:
                    places = [p for p, _ in self.incidents.entries[row].complaint_rows()]
                    complaint = int(match.group(2))
                    where = places[complaint] if complaint < len(places) else ""
                name = f"incidents.{row}.{where}{field}"
            elif name == "incidents":
                message = "Describe at least one incident: " + message
            elif name.startswith(("victim.", "applicant.")):
                name = name.replace(".", "_", 1)
                name = {
                    "victim_type": "victim_type",
                    "victim_contact_preference": "contact_preference",
                    "victim_accessibility_needs": "accessibility_needs",
                    "victim_is_vulnerable": "is_vulnerable",
                    "victim_is_repeat_victim": "is_repeat_victim",
                }.get(name, name)
            mapped[name] = message
        return place_errors(self, mapped)
