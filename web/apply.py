"""The public application form: a victim, or someone on their behalf, applies online.

One question per page (GOV.UK pattern), answers kept on the server under a random token
(``workflows.drafts``), a check-your-answers page, and on sending an activation exactly as
a manager would log it (``open_case``, channel "online"): the acknowledgement clock starts
the moment it is sent. Nothing personal goes in a URL or a log line: pages are addressed by
question, answers travel in POST bodies, and the logs name only the case reference.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from triggers.config import LANGUAGES, Config
from triggers.db import read_session, write_transaction
from triggers.models import ApplicationDraft, Partnership
from triggers.notices import privacy_notice
from triggers.partnerships import sync_partnership
from web.apply_forms import (
    BODIES,
    AboutYouForm,
    AnotherIncidentForm,
    ContactForm,
    DissatisfactionForm,
    IncidentForm,
    NeedsForm,
    PublicForm,
    RemoveForm,
    ReportForm,
    SendForm,
    VictimNameForm,
    VictimTypeForm,
    WhoForm,
)
from web.complaint_bodies import complaint_body
from web.language import CHOSEN, SWITCH, current_language, local_date_after_on
from web.request_log import request_id
from web.services import services
from workflows.drafts import find_draft, save_answers, sent_already, start_draft
from workflows.errors import InvalidData
from workflows.service import Actor, send_online_application

log = logging.getLogger(__name__)
blueprint = Blueprint("apply", __name__, url_prefix="/apply")

#: The session keys: the draft's token, and what the confirmation page shows.
DRAFT, SENT = "application", "application_sent"
#: The draft's answer naming the language the form was filled in ("cy" or "en").
FORM_LANGUAGE = "form_language"
TIMED_OUT = _l(
    "This page was open for a long time, so for your security we could not save it. "
    "Your answer is still here: check it and continue."
)
TOO_MANY = _l(
    "Several applications have been sent from this connection in a short time. "
    "Wait an hour and try again, or contact us by phone or e-mail."
)
TOO_MANY_STARTED = _l(
    "Many applications have been started from this connection in a short time. "
    "Wait an hour and try again, or contact us by phone or e-mail."
)


def too_many_incidents(most: int) -> str:
    return gettext(
        "You can tell us about up to %(most)s incidents. Tell us about the %(most)s that "
        "matter most; you can describe the others when we contact you.",
        most=most,
    )


@dataclass(frozen=True)
class Question:
    """One page: its form, its heading for these answers, and how it reads and writes them."""

    slug: str
    form: type[PublicForm]
    heading: Callable[[dict[str, Any]], str]
    fields: tuple[str, ...]

    def done(self, answers: dict[str, Any]) -> bool:
        return self.fields[0] in answers


def _for_victim(answers: dict[str, Any], yours: str, theirs: str) -> str:
    return str(theirs if answers.get("who") == "on_behalf" else yours)


def _name_heading(answers: dict[str, Any]) -> str:
    kind = answers.get("victim_type", "individual")
    if kind == "business":
        return _for_victim(
            answers,
            _l("What is the name of your business?"),
            _l("What is the name of the business?"),
        )
    if kind == "community_group":
        return _for_victim(
            answers,
            _l("What is the name of your community group?"),
            _l("What is the name of the community group?"),
        )
    return _for_victim(
        answers, _l("What is your full name?"), _l("What is the victim's full name?")
    )


QUESTIONS = {
    q.slug: q
    for q in (
        Question(
            "who",
            WhoForm,
            lambda a: gettext("Are you the victim of the anti-social behaviour?"),
            ("who",),
        ),
        Question(
            "about-you",
            AboutYouForm,
            lambda a: gettext("About you"),
            ("applicant_name", "applicant_relationship", "consent"),
        ),
        Question(
            "victim-type",
            VictimTypeForm,
            lambda a: _for_victim(
                a,
                _l("Are you applying as a person, a business or a community group?"),
                _l("Is the victim a person, a business or a community group?"),
            ),
            ("victim_type",),
        ),
        Question("victim-name", VictimNameForm, _name_heading, ("victim_name",)),
        Question(
            "contact",
            ContactForm,
            lambda a: gettext("How should we contact you?"),
            ("contact_preference", "email", "phone", "address", "postcode"),
        ),
        Question(
            "needs",
            NeedsForm,
            lambda a: gettext("Do you need anything from us to take part?"),
            ("accessibility_needs", "language"),
        ),
        Question(
            "dissatisfaction",
            DissatisfactionForm,
            lambda a: gettext("Why are you unhappy with how the incidents were dealt with?"),
            ("dissatisfaction",),
        ),
    )
}


def pages(answers: dict[str, Any]) -> list[str]:
    """The pages this person goes through, in order ("about-you" only for someone else)."""
    order = ["who", "about-you", "victim-type", "victim-name", "contact", "needs"]
    order += ["incidents", "dissatisfaction", "check"]
    if answers.get("who") != "on_behalf":
        order.remove("about-you")
    return order


def done(page: str, answers: dict[str, Any]) -> bool:
    if page == "incidents":
        return bool(answers.get("incidents")) and bool(answers.get("incidents_done"))
    if page == "check":
        return False
    return QUESTIONS[page].done(answers)


def first_missing(answers: dict[str, Any]) -> str | None:
    return next((page for page in pages(answers) if not done(page, answers)), None)


def missing_before(answers: dict[str, Any], page: str) -> str | None:
    """The first unanswered page that comes before ``page``: where the person must go first."""
    missing = first_missing(answers)
    order = pages(answers)
    if missing is not None and order.index(missing) < order.index(page):
        return missing
    return None


def url_of(page: str, **args: Any) -> str:
    return url_for("apply.incidents" if page == "incidents" else f"apply.{page}", **args)


def _next(answers: dict[str, Any], after: str) -> Response:
    """Where to go once a page is answered: back to the check page when changing an answer."""
    missing = first_missing(answers)
    if request.args.get("change"):
        if missing in (None, "check"):
            return redirect(url_for("apply.check"))
        return redirect(url_of(missing, change=1))
    order = pages(answers)
    following = order[order.index(after) + 1] if after in order else (missing or "check")
    if following == "incidents" and not answers.get("incidents"):
        return redirect(url_for("apply.incident", number=1))
    return redirect(url_of(following))


def _back(page: str, answers: dict[str, Any]) -> str:
    if request.args.get("change"):
        return url_for("apply.check")
    order = pages(answers)
    index = order.index(page) if page in order else 0
    return url_of(order[index - 1]) if index > 0 else url_for("apply.start")


# --- the draft, the partnership, the clock ---------------------------------------------------


def _expiry() -> timedelta:
    return timedelta(minutes=services().config.online.draft_expiry_minutes)


class AlreadySent(Exception):
    """The application under this session's token was sent (by another click, or a page
    left open): show its confirmation rather than a second case or an error."""

    def __init__(self, sent: dict[str, Any]) -> None:
        super().__init__(sent.get("reference", ""))
        self.sent = sent


@blueprint.errorhandler(AlreadySent)
def _already_sent(error: AlreadySent) -> Response:
    session.pop(DRAFT, None)
    session[SENT] = error.sent
    return redirect(url_for("apply.confirmation"))


def _load(db: Session, *, lock: bool = False) -> ApplicationDraft | None:
    draft = find_draft(db, session.get(DRAFT, ""), services().now(), _expiry(), lock=lock)
    if draft is not None and (sent := sent_already(draft)) is not None:
        raise AlreadySent(sent)
    return draft


def _lost() -> Response:
    """The draft expired (or never was): say so, and start again at the first question."""
    if session.pop(DRAFT, None):
        minutes = services().config.online.draft_expiry_minutes
        flash(
            gettext(
                "Your answers were deleted because nothing was changed for %(minutes)s minutes. "
                "We do this to protect your information. Please start again.",
                minutes=minutes,
            ),
            "info",
        )
    return redirect(url_for("apply.start"))


def _partnership(db: Session, config: Config) -> Partnership:
    found = db.scalar(select(Partnership).where(Partnership.code == config.partnership.code))
    return found if found is not None else sync_partnership(db, config, services().now())


def _today() -> date:
    app = services()
    return app.policy.today(app.now())


def _problems(form: PublicForm) -> list[str]:
    """A timed-out or missing CSRF token is not the person's mistake: say what to do."""
    if form.csrf_token.errors:
        form.csrf_token.errors = []
        return [str(TIMED_OUT)]
    return []


def _render(
    template: str, form: PublicForm | None, status: int = 200, **context: Any
) -> tuple[str, int]:
    problems = context.pop("problems", [])
    code = 400 if (form is not None and form.errors) or problems else status
    return render_template(template, form=form, problems=problems, **context), code


# --- the pages ---------------------------------------------------------------------------------


@blueprint.get("")
def start() -> str:
    config = services().config
    # The same notice (UK GDPR Art. 13) as the first letter, from the same config.
    privacy = privacy_notice(
        config.privacy,
        config.partnership.name,
        config.partnership.contact_email,
        config.retention.years_after_closure,
        current_language(),
    )
    return render_template(
        "apply/start.html",
        config=config,
        privacy=privacy,
        title=gettext("Apply for an ASB case review"),
    )


@blueprint.before_request
def _only_when_enabled() -> Response | None:
    """With ``online.enabled`` off, every page leads to the start page's other ways to apply."""
    if not services().config.online.enabled and request.endpoint != "apply.start":
        return redirect(url_for("apply.start"))
    return None


@blueprint.before_request
def _switch_language() -> Response | None:
    """The "Cymraeg / English" link: keep the choice in the session and in the draft (so the
    application is sent with the language it was made in), then show the same page again."""
    chosen = request.args.get(SWITCH)
    if chosen is None or request.method != "GET":
        return None
    if chosen in LANGUAGES:
        session[CHOSEN] = chosen
        if session.get(DRAFT):
            app = services()
            with write_transaction(app.sessions) as db:
                draft = find_draft(db, session[DRAFT], app.now(), _expiry())
                if draft is not None and sent_already(draft) is None:
                    save_answers(draft, {**draft.answers, FORM_LANGUAGE: chosen}, app.now())
    rest = {key: value for key, value in request.args.items() if key != SWITCH}
    return redirect(url_for(request.endpoint or "apply.start", **(request.view_args or {}), **rest))


def _question(slug: str) -> tuple[str, int] | Response:
    question = QUESTIONS[slug]
    app = services()
    with write_transaction(app.sessions) as db:
        draft = _load(db)
        if draft is None and (slug != "who" or session.get(DRAFT)):
            return _lost()
        answers = dict(draft.answers) if draft is not None else {}
        if missing := missing_before(answers, slug):
            return redirect(url_of(missing))
        if request.method == "GET":
            form = question.form(data={name: answers.get(name) for name in question.fields})
        else:
            form = question.form()
        form.today = _today()
        form.longest_answer = app.config.online.longest_answer
        problems = []
        if request.method == "POST":
            if form.validate():
                answers.update({name: form[name].data for name in question.fields})
                if slug == "who" and answers["who"] == "victim":
                    for name in QUESTIONS["about-you"].fields:
                        answers.pop(name, None)
                if draft is None:
                    draft = start_draft(db, _partnership(db, app.config).id, app.now())
                    session[DRAFT] = draft.token
                answers.setdefault(FORM_LANGUAGE, current_language())
                save_answers(draft, answers, app.now())
                return _next(answers, slug)
            problems = _problems(form)
    if slug == "victim-name":
        form.victim_name.label.text = question.heading(answers)
    return _render(
        f"apply/{slug}.html",
        form,
        problems=problems,
        title=question.heading(answers),
        answers=answers,
        back=_back(slug, answers),
    )


def _register_questions() -> None:
    for slug in QUESTIONS:
        blueprint.add_url_rule(
            f"/{slug}",
            endpoint=slug,
            view_func=lambda slug=slug: _question(slug),
            methods=["GET", "POST"],
        )


_register_questions()


def _incident_answers(form: IncidentForm) -> dict[str, Any]:
    reported = form.reported_to.data not in (None, "", "none")
    return {
        "occurred_on": form.occurred_on.data.isoformat(),
        "what_happened": form.what_happened.data,
        "hate_related": form.hate_related.data,
        "reported_to": form.reported_to.data,
        "reported_on": form.reported_on.data.isoformat() if reported else "",
        "reference": (form.reference.data or "") if reported else "",
    }


def _incident_form_data(incident: dict[str, Any]) -> dict[str, Any]:
    return {
        **incident,
        "occurred_on": date.fromisoformat(incident["occurred_on"]),
        "reported_on": date.fromisoformat(incident["reported_on"])
        if incident.get("reported_on")
        else None,
    }


@blueprint.route("/incidents/<int(max=1000):number>", methods=["GET", "POST"])
def incident(number: int) -> tuple[str, int] | Response:
    app = services()
    with write_transaction(app.sessions) as db:
        draft = _load(db)
        if draft is None:
            return _lost()
        answers = dict(draft.answers)
        if missing := missing_before(answers, "incidents"):
            return redirect(url_of(missing))
        incidents = list(answers.get("incidents", []))
        if not 1 <= number <= len(incidents) + 1:
            return redirect(url_for("apply.incident", number=len(incidents) + 1))
        if request.method == "GET" and number <= len(incidents):
            form = IncidentForm(data=_incident_form_data(incidents[number - 1]))
        else:
            form = IncidentForm()
        form.today = _today()
        form.longest_answer = app.config.online.longest_answer
        most = app.config.online.most_incidents
        is_one_too_many = number > len(incidents) >= most
        if is_one_too_many and request.method == "GET":
            return redirect(url_for("apply.incidents"))
        if answers.get("who") == "on_behalf":
            form.hate_related.label.text = gettext(
                "Do you think it happened because of who the victim is?"
            )
            form.reported_to.label.text = gettext("Who was it reported to?")
            form.reported_on.label.text = gettext("When was it reported?")
        problems = []
        if request.method == "POST" and is_one_too_many:
            form.validate()  # what was typed is shown again with the reason, not saved
            problems = [too_many_incidents(most)]
        elif request.method == "POST":
            if form.validate():
                if number <= len(incidents):
                    incidents[number - 1] = _incident_answers(form)
                else:
                    incidents.append(_incident_answers(form))
                answers["incidents"] = incidents
                save_answers(draft, answers, app.now())
                change = {"change": 1} if request.args.get("change") else {}
                if change and answers.get("incidents_done"):
                    return redirect(url_for("apply.check"))
                return redirect(url_for("apply.incidents", **change))
            problems = _problems(form)
    return _render(
        "apply/incident.html",
        form,
        problems=problems,
        title=gettext("Incident %(number)s: tell us what happened", number=number),
        number=number,
        answers=answers,
        back=url_for("apply.incidents") if incidents else _back("incidents", answers),
    )


@blueprint.route("/incidents/<int(max=1000):number>/reports", methods=["GET", "POST"])
def report(number: int) -> tuple[str, int] | Response:
    """Another report of incident ``number``: to another body, or by another person."""
    app = services()
    with write_transaction(app.sessions) as db:
        draft = _load(db)
        if draft is None:
            return _lost()
        answers = dict(draft.answers)
        incidents = list(answers.get("incidents", []))
        if not 1 <= number <= len(incidents):
            return redirect(url_for("apply.incidents"))
        incident = dict(incidents[number - 1])
        form = ReportForm()
        form.today = _today()
        form.occurred_on = date.fromisoformat(incident["occurred_on"])
        problems = []
        if request.method == "POST":
            if form.validate():
                incident["more_reports"] = [
                    *incident.get("more_reports", []),
                    {
                        "reported_to": form.reported_to.data,
                        "reported_on": form.reported_on.data.isoformat(),
                        "reference": form.reference.data or "",
                        "reporter": form.reporter.data or "",
                    },
                ]
                incidents[number - 1] = incident
                answers["incidents"] = incidents
                save_answers(draft, answers, app.now())
                if request.args.get("change") and answers.get("incidents_done"):
                    return redirect(url_for("apply.check"))
                return redirect(url_for("apply.incidents"))
            problems = _problems(form)
    return _render(
        "apply/report.html",
        form,
        problems=problems,
        title=gettext("Incident %(number)s: another report of it", number=number),
        number=number,
        back=url_for("apply.incidents"),
    )


def incident_reports(incident: dict[str, Any]) -> list[dict[str, Any]]:
    """Every report of an incident in the answers: the first, then the others added."""
    first = []
    if incident.get("reported_to") not in (None, "", "none"):
        first = [
            {key: incident.get(key, "") for key in ("reported_to", "reported_on", "reference")}
        ]
    return [*first, *incident.get("more_reports", [])]


@blueprint.app_template_filter("reports_text")
def reports_text(incident: dict[str, Any]) -> str:
    """The reports of an incident in words, for the summary cards and the check page."""
    parts = []
    for found in incident_reports(incident):
        words = gettext(
            "%(body)s on %(date)s",
            body=BODIES.get(found["reported_to"], found["reported_to"]),
            date=local_date_after_on(found["reported_on"]),
        )
        if found.get("reference"):
            words += gettext(", reference %(reference)s", reference=found["reference"])
        if found.get("reporter"):
            words += gettext(", by %(reporter)s", reporter=found["reporter"])
        parts.append(words)
    return "; ".join(parts) or gettext("Not reported")


@blueprint.post("/incidents/<int(max=1000):number>/remove")
def remove_incident(number: int) -> Response:
    app = services()
    form = RemoveForm()
    with write_transaction(app.sessions) as db:
        draft = _load(db)
        if draft is None:
            return _lost()
        answers = dict(draft.answers)
        incidents = list(answers.get("incidents", []))
        if form.validate() and 1 <= number <= len(incidents):
            del incidents[number - 1]
            answers["incidents"] = incidents
            if not incidents:
                answers.pop("incidents_done", None)
            save_answers(draft, answers, app.now())
            flash(gettext("Incident %(number)s was removed.", number=number), "success")
    return redirect(url_for("apply.incidents"))


@blueprint.route("/incidents", methods=["GET", "POST"])
def incidents() -> tuple[str, int] | Response:
    app = services()
    with write_transaction(app.sessions) as db:
        draft = _load(db)
        if draft is None:
            return _lost()
        answers = dict(draft.answers)
        if not answers.get("incidents"):
            return redirect(url_for("apply.incident", number=1))
        form = AnotherIncidentForm()
        problems = []
        if request.method == "POST":
            most = app.config.online.most_incidents
            if form.validate():
                if form.another.data == "no":
                    answers["incidents_done"] = True
                    save_answers(draft, answers, app.now())
                    return _next(answers, "incidents")
                if len(answers["incidents"]) < most:
                    number = len(answers["incidents"]) + 1
                    return redirect(url_for("apply.incident", number=number))
                form.another.errors = [too_many_incidents(most)]
            problems = _problems(form)
    count = len(answers["incidents"])
    return _render(
        "apply/incidents.html",
        form,
        problems=problems,
        title=ngettext(
            "You have told us about %(num)d incident",
            "You have told us about %(num)d incidents",
            count,
        ),
        answers=answers,
        bodies=BODIES,
        remove_form=RemoveForm(),
        back=url_for("apply.incident", number=count),
    )


def _send_limit() -> str:
    return services().config.online.submission_limit


def _draft_limit() -> str:
    return services().config.online.draft_limit


def _has_draft() -> bool:
    """Answering the first question again changes a draft; only starting one counts."""
    return bool(session.get(DRAFT))


@blueprint.route("/check", methods=["GET", "POST"])
def check() -> tuple[str, int] | Response:
    app = services()
    form = SendForm()
    problems: list[str] = []
    with read_session(app.sessions) as db:
        draft = _load(db)
        if draft is None:
            return _lost()
        answers = dict(draft.answers)
    if missing := missing_before(answers, "check"):
        return redirect(url_of(missing))
    if request.method == "POST" and form.validate():
        if form.website.data:
            # A person never sees the field; a bot fills every field. Keep nothing new.
            log.warning("online application refused: the hidden field was filled in")
            problems = [
                gettext(
                    "We could not accept this application. Please contact us by phone or e-mail."
                )
            ]
            return _render("apply/check.html", form, problems=problems, **_summary(answers))
        try:
            sent = _send(answers)
        except InvalidData as error:
            problems = [_fix(name, message) for name, message in error.fields.items()]
            problems = problems or [error.message]
        else:
            session.pop(DRAFT, None)
            session[SENT] = sent
            return redirect(url_for("apply.confirmation"))
    elif request.method == "POST":
        problems = _problems(form)
    return _render("apply/check.html", form, problems=problems, **_summary(answers))


def _send(answers: dict[str, Any]) -> dict[str, Any]:
    """Open the case, queue the confirmation and delete the draft, in one transaction."""
    app = services()
    now = app.now()
    actor = Actor(
        label="online application form",
        address=request.remote_addr or "",
        request_id=request_id(),
    )
    with write_transaction(app.sessions) as db:
        draft = _load(db, lock=True)
        if draft is None:
            raise InvalidData({"application": "has expired; please start again"})
        partnership = _partnership(db, app.config)
        data = application_data(answers, _today())
        sent = send_online_application(db, draft, partnership, data, actor, now, app.policy)
    log.info("online application sent: %s", sent["reference"])
    return sent


def _fix(name: str, message: str) -> str:
    """A problem the service found, in words, with where to change it."""
    field = name.rsplit(".", 1)[-1].replace("_", " ")
    return gettext(
        "Check your answer about %(field)s: it %(message)s.", field=field, message=message
    )


@blueprint.get("/confirmation")
def confirmation() -> str | Response:
    sent = session.get(SENT)
    if not sent:
        return redirect(url_for("apply.start"))
    return render_template(
        "apply/confirmation.html",
        sent=sent,
        config=services().config,
        title=gettext("Application sent"),
    )


def application_data(answers: dict[str, Any], today: date) -> dict[str, Any]:
    """The answers as ``open_case`` takes them: the same shape as the API's."""
    on_behalf = answers.get("who") == "on_behalf"
    contact = {
        "email": answers.get("email") or "",
        "phone": answers.get("phone") or "",
        "contact_preference": answers.get("contact_preference") or "letter",
    }
    address = answers.get("address") or ""
    postcode = answers.get("postcode") or ""
    victim: dict[str, Any] = {
        "type": answers.get("victim_type"),
        "name": answers.get("victim_name") or "",
        "accessibility_needs": answers.get("accessibility_needs") or "",
        "language": answers.get("language") or "",
    }
    applicant: dict[str, Any] = {"on_behalf": on_behalf}
    if on_behalf:
        applicant.update(
            name=answers.get("applicant_name") or "",
            relationship=answers.get("applicant_relationship") or "",
            consent_given_on=today.isoformat(),
            address="\n".join(part for part in (address, postcode) if part),
            **contact,
        )
    else:
        victim.update(address=address, postcode=postcode, **contact)
    reporter = applicant.get("name") if on_behalf else victim["name"]
    return {
        "received_on": today.isoformat(),
        "channel": "online",
        "victim": victim,
        "applicant": applicant,
        "incidents": [
            {
                "occurred_on": incident["occurred_on"],
                "description": incident["what_happened"],
                "hate_related": incident.get("hate_related") == "yes",
                "complaints": [
                    {
                        "reported_on": found["reported_on"],
                        **complaint_body(found["reported_to"]),
                        "reporter": found.get("reporter") or reporter,
                        "reference": found.get("reference") or "",
                    }
                    for found in incident_reports(incident)
                ],
            }
            for incident in answers.get("incidents", [])
        ],
        "dissatisfaction": answers.get("dissatisfaction") or "",
        # The language the form was filled in is the one the person asked for.
        "correspondence_language": answers.get(FORM_LANGUAGE) or "",
    }


def _summary(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "answers": answers,
        "bodies": BODIES,
        "name_question": _name_heading(answers),
        "title": gettext("Check your answers before sending your application"),
        "incident_dates": [
            date.fromisoformat(i["occurred_on"]) for i in answers.get("incidents", [])
        ],
    }


def init_app(app: Flask, csrf: Any) -> None:
    """Register the form; its forms check their own CSRF token, so a timed-out token is
    answered on the page with what the person typed, not with an error page."""
    from flask_limiter import Limiter

    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
    limiter: Limiter = app.extensions["casereview.limiter"]
    app.view_functions["apply.check"] = limiter.limit(
        _send_limit, methods=["POST"], error_message=lambda: str(TOO_MANY)
    )(check)
    # A draft is made by the first question's answer (a redirect onward); refused answers
    # (400) make none and are not counted.
    app.view_functions["apply.who"] = limiter.limit(
        _draft_limit,
        methods=["POST"],
        error_message=lambda: str(TOO_MANY_STARTED),
        exempt_when=_has_draft,
        deduct_when=lambda response: response.status_code == 302,
    )(app.view_functions["apply.who"])
