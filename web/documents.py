"""Documents and notes on the case page: upload, download, and the notes and contact log.

The case page includes ``case/_documents.html``, which shows what ``case_file`` gave the
page (read in the page's own session); a form sent back with its errors reaches it through
``g``. Rules are the
domain's (``workflows.documents``): who may, which files, how long a note stays editable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, Response, flash, g, redirect, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy.orm import Session
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from triggers.db import read_session, write_transaction
from triggers.text import header_text
from web.auth import current_actor
from web.errors import page_response, wants_json
from web.kept_forms import FormToMake
from web.language import _ls, _s
from web.services import services
from web.step_forms import PartsDateField, place_errors
from workflows import permissions
from workflows.documents import (
    NOTE_KINDS,
    add_document,
    add_note,
    correct_note,
    describe_document,
    described_notes,
    documents_of,
    download_document,
    edit_note,
    notes_of,
)
from workflows.errors import InvalidData, StaleCase
from workflows.service import Actor

blueprint = Blueprint("documents", __name__)


class DocumentForm(FlaskForm):
    title = StringField(
        _ls("Title"),
        widget=GovTextInput(),
        description=_ls("For example, Police chronology to 30 November"),
        validators=[DataRequired(_ls("Enter a title for the document")), Length(max=200)],
    )
    agency = SelectField(
        _ls("Which agency it came from"), widget=GovSelect(), validate_choice=False
    )
    file = FileField(
        _ls("The file"),
        widget=GovFileInput(),
        description=_ls("A PDF, a Word document, an image or an e-mail (.eml)."),
    )
    submit = SubmitField(_ls("Upload the document"), widget=GovSubmitInput())


class NoteForm(FlaskForm):
    kind = RadioField(
        _ls("What is it?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(key, label) for key, label in NOTE_KINDS.items()],
        validators=[DataRequired(_ls("Select what it is: a note, a call, a visit..."))],
    )
    occurred_on = PartsDateField(
        _ls("Date"),
        description=_ls("For example, 27 11 2026."),
        validators=[DataRequired(_ls("Enter the date"))],
    )
    with_whom = StringField(
        _ls("Who with"),
        widget=GovTextInput(),
        description=_ls(
            "For a call, visit or meeting: who it was with. Leave it empty for a note."
        ),
        validators=[Length(max=200)],
    )
    text = TextAreaField(
        _ls("What was said or done"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter the note")), Length(max=10_000)],
    )
    submit = SubmitField(_ls("Add the note"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        day = self.occurred_on.data
        return {
            "kind": self.kind.data or "",
            "occurred_on": day.isoformat() if day else "",
            "with_whom": self.with_whom.data or "",
            "text": self.text.data or "",
        }


class EditNoteForm(NoteForm):
    submit = SubmitField(_ls("Save the note"), widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    text = TextAreaField(
        _ls("The corrected note"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter the corrected note")), Length(max=10_000)],
    )
    reason = TextAreaField(
        _ls("Why it is corrected"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter why the note is corrected")), Length(max=10_000)],
    )
    occurred_on = PartsDateField(
        _ls("Date"),
        description=_ls("Leave it empty to keep the note's date."),
        validators=[Optional()],
    )
    submit = SubmitField(_ls("Add the correction"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text.data or "", "reason": self.reason.data or ""}
        if self.occurred_on.data:
            data["occurred_on"] = self.occurred_on.data.isoformat()
        return data


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    limit = app.extensions["casereview"].config.documents.largest_megabytes
    # Werkzeug refuses a request past this before any view reads it; a file just over the
    # limit still reaches the form, which says so beside the field.
    app.config["MAX_CONTENT_LENGTH"] = (limit + 1) * 1024 * 1024

    @app.errorhandler(413)
    def too_large(_error: Exception) -> Response:
        message = (
            f"The file is too large: a document must be smaller than {limit} MB. "
            "Nothing was stored."
        )
        if wants_json():
            from web.errors import error_response

            return error_response(413, message)
        return page_response(413, message)


def _agency_choices(actor: Actor, agencies: list[tuple[int, str]]) -> list[SelectChoice]:
    names = permissions.agencies_to_act_for(actor, permissions.ADD_DOCUMENT, agencies)
    choices = [SelectChoice(name, name) for name in names]
    if not permissions.speaks_for_an_agency(actor.role):
        choices.insert(0, SelectChoice("", _ls("None: the partnership's own, or the victim's")))
    return choices


def _document_form(choices: list[SelectChoice]) -> FormToMake:
    """The upload form offering ``choices``: kept by them, made only when not kept."""
    return FormToMake.unposted(
        DocumentForm,
        "document",
        recipe=tuple(choice.value for choice in choices),
        choices={"agency": choices},
    )


def case_file(session: Session, case_id: int, agencies: list[tuple[int, str]]) -> dict[str, Any]:
    """What ``case/_documents.html`` shows for the case page's case (already checked
    visible), read in the page's ``session`` (no transaction of its own), with the
    partnership's ``agencies`` (id, name) the page has read."""
    app = services()
    actor = current_actor()
    documents = [describe_document(d) for d in documents_of(session, case_id)]
    notes = described_notes(notes_of(session, case_id), actor, app.now(), app.policy)
    sent = g.get("case_file_forms", {})
    forms: dict[str, Any] = {}
    if permissions.may(actor, permissions.ADD_DOCUMENT):
        choices = _agency_choices(actor, agencies)
        forms["upload"] = sent.get("upload") or _document_form(choices)
        if "upload" in sent:  # posted back: its agencies offered again
            forms["upload"].agency.choices = choices
    if permissions.may(actor, permissions.ADD_NOTE):
        forms["note"] = sent.get("note") or FormToMake.unposted(NoteForm, "note")
    for note in notes:
        key = f"edit-{note['id']}"
        if note["editable"]:
            forms[key] = sent.get(key) or EditNoteForm(
                prefix=key,
                formdata=None,
                data={
                    "kind": note["kind"],
                    "occurred_on": note["occurred_on"],
                    "with_whom": note["with_whom"],
                    "text": note["text"],
                },
            )
        elif note["correctable"]:
            key = f"correct-{note['id']}"
            forms[key] = sent.get(key) or CorrectionForm(
                prefix=key, formdata=None, data={"text": note["current_text"]}
            )
    return {
        "documents": documents,
        "notes": notes,
        "forms": forms,
        "open": g.get("case_file_open"),
        "problems": g.get("case_file_problems", []),
    }


def _again(reference: str, name: str, form: FlaskForm, status: int, problems: Any = ()) -> Any:
    """The case page again, with ``form`` open and its errors shown."""
    from web.staff import _render_case

    g.case_file_forms = {name: form}
    g.case_file_open = name
    g.case_file_problems = list(problems)
    return _render_case(reference, status=status)


def _run(reference: str, name: str, act: str, form: FlaskForm, action: Any) -> Any:
    """Not found first, then the role, then the form, then the domain, as the plan forms do."""
    from web.staff import _agencies, _visible_case

    app = services()
    actor = current_actor()
    with read_session(app.sessions) as session:
        _visible_case(session, reference)
        agencies = _agencies(session)
    permissions.require(actor, act)
    if isinstance(form, DocumentForm):
        form.agency.choices = _agency_choices(actor, agencies)
    if not form.validate_on_submit():
        return _again(reference, name, form, 400)
    try:
        with write_transaction(app.sessions) as session:
            case = _visible_case(session, reference, for_update=True)
            message = action(session, case, app, actor)
    except InvalidData as error:
        problems = place_errors(form, error.fields)  # type: ignore[arg-type]
        return _again(reference, name, form, 422, problems)
    except StaleCase as error:
        flash(_s("%(problem)s Nothing was changed.", problem=error.message), "error")
        return redirect(url_for("staff.case_page", reference=reference))
    flash(message, "success")
    return redirect(url_for("staff.case_page", reference=reference, _anchor="documents"))


@blueprint.post("/cases/<reference>/documents")
@login_required
def upload(reference: str) -> Any:
    form = DocumentForm(prefix="document")

    def action(session: Any, case: Any, app: Any, actor: Actor) -> str:
        sent = form.file.data
        if sent is None or not getattr(sent, "filename", ""):
            raise InvalidData({"file": "Select a file to upload"})
        document = add_document(
            session,
            case,
            {"title": form.title.data or "", "agency": form.agency.data or ""},
            sent.filename,
            sent.read(),
            actor,
            app.now(),
            app.policy,
        )
        return f"Uploaded {document.title} ({document.file_name})."

    return _run(reference, "upload", permissions.ADD_DOCUMENT, form, action)


@blueprint.get("/cases/<reference>/documents/<int(max=2147483647):document_id>")
@login_required
def download(reference: str, document_id: int) -> Response:
    """The file itself, always as an attachment (never shown in the page's own origin)."""
    from web.staff import _visible_case

    app = services()
    with write_transaction(app.sessions) as session:
        case = _visible_case(session, reference)
        found = download_document(
            session, case, document_id, current_actor(), app.now(), app.policy
        )
    return file_response(found.file_name, found.media_type, found.content)


def file_response(file_name: str, media_type: str, content: bytes) -> Response:
    ascii_name = header_text(file_name).encode("ascii", "replace").decode().replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    return Response(content, mimetype=media_type, headers={"Content-Disposition": disposition})


@blueprint.post("/cases/<reference>/notes")
@login_required
def note(reference: str) -> Any:
    form = NoteForm(prefix="note")

    def action(session: Any, case: Any, app: Any, actor: Actor) -> str:
        added = add_note(session, case, form.data_for_service(), actor, app.now(), app.policy)
        return f"Added the {NOTE_KINDS[added.kind].lower()} to the notes."

    return _run(reference, "note", permissions.ADD_NOTE, form, action)


@blueprint.post("/cases/<reference>/notes/<int(max=2147483647):note_id>")
@login_required
def edit(reference: str, note_id: int) -> Any:
    name = f"edit-{note_id}"
    form = EditNoteForm(prefix=name)

    def action(session: Any, case: Any, app: Any, actor: Actor) -> str:
        edit_note(session, case, note_id, form.data_for_service(), actor, app.now(), app.policy)
        return "The note is saved."

    return _run(reference, name, permissions.ADD_NOTE, form, action)


@blueprint.post("/cases/<reference>/notes/<int(max=2147483647):note_id>/correction")
@login_required
def correct(reference: str, note_id: int) -> Any:
    name = f"correct-{note_id}"
    form = CorrectionForm(prefix=name)

    def action(session: Any, case: Any, app: Any, actor: Actor) -> str:
        correct_note(session, case, note_id, form.data_for_service(), actor, app.now(), app.policy)
        return "The correction is added; the note as first written is kept."

    return _run(reference, name, permissions.ADD_NOTE, form, action)
