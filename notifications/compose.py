"""Turn one outbox row into a message: who it goes to, and the letter itself.

The applicant gets the letter by the channel they chose: e-mail, or a PDF to print and
post, which goes to the partnership's managers to send (2025 guidance: several ways to be
contacted, including without internet access). Reminders go to the managers; escalations
to the managers and the CSP chair; agency letters to the agency's address.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications import links
from notifications.letter_context import (
    chronology_context,
    end_reason_cy,
    notice_context,
    policing_body,
    threshold_applied,
    threshold_applied_cy,
    threshold_findings,
    threshold_findings_cy,
)
from notifications.letters import (
    Letter,
    environment,
    has_welsh,
    render_in,
    render_letter,
    render_pdf,
    template_problem,
)
from notifications.panel_calendar import calendar_part
from notifications.senders import Attachment, OutgoingMessage
from triggers.config import Config, relative_path
from triggers.models import (
    Agency,
    CaseReview,
    LetterTemplate,
    OutboxMessage,
    Partnership,
    User,
)
from triggers.statuses import Audience, OutboxStatus, Recipients, agency_of, roles_of, user_of
from triggers.text import header_text
from triggers.welsh import in_welsh

log = logging.getLogger(__name__)


class LabelledProcess(Protocol):
    """What letters need of the process (``workflows.process.Process``): each clock's name
    as a letter says it ("case review panel")."""

    @property
    def letter_labels(self) -> Mapping[str, str]: ...


class CannotCompose(Exception):
    """The message cannot be made (no address, a broken template); retried like a failure."""


@dataclass(frozen=True)
class Recipient:
    name: str
    addresses: tuple[str, ...]
    postal_address: str = ""
    by_post: bool = False
    #: Why the letter goes by post, as the note to the managers says it.
    post_reason: str = "who asked to be contacted by post"
    #: No postal or e-mail address: a manager phones them and tells them what it says.
    by_phone: str = ""


#: The applicant's channels in the order tried, by the contact they chose: theirs first,
#: then a written one (a letter on paper before an e-mail), the phone last.
CHANNELS = {
    "email": ("email", "post", "phone"),
    "letter": ("post", "email", "phone"),
    "phone": ("post", "email", "phone"),
}

#: Why a letter to the applicant goes by post, as the note to the managers says it.
POST_REASONS = {
    "letter": "who asked to be contacted by post",
    "email": "who has no e-mail address on the case",
    "phone": "who asked to be contacted by phone (a letter goes by post)",
}


def channel(person: Any) -> str:
    """How a letter reaches ``person`` (a victim or an applicant): the first channel in
    ``CHANNELS`` that they have an address for, so that no letter is ever queued for a
    channel with no address ("post" to a blank address); "" when they have none at all."""
    have = {
        "email": bool(person.email.strip()),
        "post": bool(person.address.strip()),
        "phone": bool(person.phone.strip()),
    }
    order = CHANNELS.get(person.contact_preference, CHANNELS["letter"])
    return next((way for way in order if have[way]), "")


def compose(
    session: Session,
    row: OutboxMessage,
    config: Config,
    today: date,
    process: LabelledProcess,
) -> OutgoingMessage:
    case, partnership, recipient, context, template, env = _prepare(
        session, row, config, today, process
    )
    own = session.scalar(
        select(LetterTemplate.text)
        .where(LetterTemplate.partnership_id == partnership.id, LetterTemplate.kind == template)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    )
    languages = letter_languages(case, context["audience"], config)
    if "cy" in languages and not has_welsh(env, template):
        # Never silently: the case asked for Welsh and this letter has no Welsh version yet.
        log.warning("no Welsh version of the %s letter: sent in English", template)
        languages = ["en"]
    context["letter_language"] = languages[0]
    try:
        letter = render_in(env, template, context, languages, own)
    except Exception as error:
        raise CannotCompose(str(error)) from None
    if "edited_body" in row.payload:  # a held letter a manager changed for this case
        letter = Letter(letter.subject, row.payload["edited_body"])

    attachments: list[Attachment] = []
    headers = {
        "X-Casereview-Reference": header_text(case.reference) if case else "",
        "X-Casereview-Kind": row.kind,
    }
    summary = _panel_summary(languages, case.reference) if case is not None else ""
    invitation = calendar_part(case, row, config, summary) if case is not None else None
    if invitation is not None:
        attachments.append(invitation)
    to = recipient.addresses
    subject = letter.subject
    if recipient.by_post:
        pdf = render_pdf(env, letter, context)
        attachments.insert(
            0,
            Attachment(
                f"{case.reference if case else 'letter'}-{row.kind}.pdf", "application/pdf", pdf
            ),
        )
        to = _role_addresses(session, partnership, "manager")
        subject = f"To print and post to {header_text(recipient.name)}: {letter.subject}"
        headers["X-Casereview-Post"] = "yes"
        letter = Letter(subject, _post_note(recipient) + letter.body)
    if recipient.by_phone:
        # Nothing to write to: the managers are asked to phone and read it (2025 guidance:
        # people without internet access, or without a fixed address, are kept updated).
        to = _role_addresses(session, partnership, "manager")
        subject = f"To phone {header_text(recipient.name)}: {letter.subject}"
        headers["X-Casereview-Phone"] = "yes"
        letter = Letter(subject, _phone_note(recipient) + letter.body)
    if not to:
        raise CannotCompose(f"no e-mail address for {row.recipient} ({recipient.name})")
    return OutgoingMessage(
        to=to,
        subject=header_text(subject),
        body=letter.body,
        message_id=message_id(row, config),
        attachments=tuple(attachments),
        headers=headers,
    )


def _prepare(
    session: Session,
    row: OutboxMessage,
    config: Config,
    today: date,
    process: LabelledProcess,
) -> tuple[CaseReview | None, Partnership, Recipient, dict[str, Any], str, Environment]:
    """Whom the row goes to, what its template is given, which template and environment."""
    case = session.get(CaseReview, row.case_id) if row.case_id else None
    partnership = (
        case.partnership if case else session.get(Partnership, row.payload["partnership_id"])
    )
    assert partnership is not None
    if row.recipient == Recipients.AUDIT:  # a copy of an audit checkpoint (triggers.audit_anchor)
        address = config.audit.checkpoint_email
        recipient = Recipient("Audit checkpoints", (address,) if address else ())
    elif row.recipient == Audience.POLICING_BODY:  # [review_routes.local_policing_body]
        body = config.review_routes.local_policing_body
        recipient = Recipient(
            body.name,
            (body.email,) if body.email else (),
            body.address,
            by_post=not body.email,
            post_reason="which has no e-mail address in config.toml",
        )
    elif row.recipient == Audience.APPEAL_BODY:  # [review_routes.appeal]
        recipient = _appeal_body(session, config, case, partnership)
    else:
        recipient = _recipient(session, row.recipient, case, partnership)
    context = _context(case, partnership, config, today, process.letter_labels)
    context["routes"] = _routes(config, today)
    context["welsh"] = _welsh(case, partnership, config, today, context)
    context.update(row.payload)
    context["recipient_name"] = recipient.name
    context["to_agency"] = agency_of(row.recipient) is not None
    # The victim-facing lines (your single point of contact, how to reach us) are for the
    # applicant; an agency gets the case's contact; the chair and the managers neither.
    context["audience"] = (
        "applicant"
        if row.recipient in _TO_THE_APPLICANT
        else "agency"
        if context["to_agency"]
        else "staff"
    )
    if case is not None and context["to_agency"] and row.kind == "chronology_request":
        agency = session.get(Agency, agency_of(row.recipient))
        if agency is not None:
            context["chronology"] = chronology_context(case, agency, config)
    context["recipient_address"] = recipient.postal_address
    # Only reminders and digests name a clock; a letter for a step has no "step".
    labels = process.letter_labels
    context["step_label"] = labels[row.payload["step"]] if "step" in row.payload else ""
    if case is not None and row.kind in ("reminder", "escalation"):
        context["task_url"] = links.case_link(config, case.reference, row.payload.get("opens", ""))
        # A letter of the case still waiting for a manager's approval (mail.hold_for_approval)
        # has not reached anyone while this clock runs: the reminder says so.
        context["held_letters"] = [
            kind.replace("_", " ")
            for kind in session.scalars(
                select(OutboxMessage.kind)
                .where(
                    OutboxMessage.case_id == case.id,
                    OutboxMessage.status == OutboxStatus.HELD,
                )
                .order_by(OutboxMessage.id)
            )
        ]
    for item in context.get("items", []):
        item["step_label"] = labels[item["step"]]
        item["task_url"] = links.case_link(config, item["reference"], item.get("opens", ""))
    template = row.kind if row.kind not in ("reminder", "escalation") else "reminder"
    folder = config.mail.templates_folder
    env = environment(relative_path(config, folder) if folder else None)
    return case, partnership, recipient, context, template, env


def preview(
    session: Session,
    row: OutboxMessage,
    config: Config,
    today: date,
    process: LabelledProcess,
    text: str,
) -> Letter:
    """The letter ``row`` would be with ``text`` as its template (the Letters page's preview,
    with a real case's data); ValueError naming the line when the template is broken."""
    _, _, _, context, _, env = _prepare(session, row, config, today, process)
    problem = template_problem(env, text, context)
    if problem:
        raise ValueError(problem)
    return render_letter(env, row.kind, context, text)


def letter_languages(case: CaseReview | None, audience: str, config: Config) -> list[str]:
    """Welsh Language Standards: the applicant is written to in the language they asked for;
    not known, a bilingual partnership writes in Welsh then English, and any other in its
    leading language. Agencies and staff get the partnership's working language (English
    until the letters to them have Welsh versions)."""
    if audience != "applicant" or case is None:
        return ["en"]
    if case.correspondence_language in ("cy", "en"):
        return [case.correspondence_language]
    if config.language.bilingual:
        return ["cy", "en"]
    return ["cy" if config.language.default == "cy" else "en"]


def _panel_summary(languages: list[str], reference: str) -> str:
    """The calendar entry's title in the letter's languages (Welsh first when both)."""
    titles = {
        "cy": f"Panel adolygiad achos ymddygiad gwrthgymdeithasol {reference}",
        "en": f"ASB case review panel {reference}",
    }
    return " / ".join(titles[language] for language in languages)


def message_id(row: OutboxMessage, config: Config) -> str:
    """The same for every attempt at one row: a re-sent message is recognisably the same."""
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:20]
    domain = config.mail.from_address.rpartition("@")[2] or "casereview.invalid"
    return f"<casereview.{row.id}.{digest}@{domain}>"


def _post_note(recipient: Recipient) -> str:
    return (
        f"This letter is for {recipient.name}, {recipient.post_reason}. "
        f"Please print the attached PDF and post it to:\n{recipient.postal_address}\n\n"
        "The text of the letter follows.\n\n"
    )


def _phone_note(recipient: Recipient) -> str:
    return (
        f"This letter is for {recipient.name}, who has no postal or e-mail address on the "
        f"case. Please phone them on {recipient.by_phone}, tell them what it says, and record "
        "the call on the case (offer to post it if they give an address).\n\n"
        "The text of the letter follows.\n\n"
    )


#: The recipients that are the applicant: by the way they chose, or by e-mail.
_TO_THE_APPLICANT = (Audience.APPLICANT, Audience.APPLICANT_EMAIL)
#: Each role a recipient may name (``triggers.statuses.ROLE_WORDS``), as a letter greets
#: it: "Dear CSP Chair", never "Dear chair" (tests/notifications check that each has one).
ROLE_GREETINGS = {"manager": "Community Safety Manager", "chair": "CSP Chair"}


def _recipient(
    session: Session, key: str, case: CaseReview | None, partnership: Partnership
) -> Recipient:
    if key in _TO_THE_APPLICANT and case is not None:
        person: Any = case.applicant if case.applicant.on_behalf else case.victim
        way = "email" if key == Audience.APPLICANT_EMAIL else channel(person)
        if not way:
            raise CannotCompose(
                f"no postal address, e-mail address or phone number for {person.name or 'the'}"
                f" applicant of {case.reference}: add one on the case, then retry"
            )
        address = person.address
        postcode = getattr(person, "postcode", "")
        if (
            address.strip()
            and postcode
            and postcode.replace(" ", "") not in address.replace(" ", "")
        ):
            address = f"{address}\n{postcode}"
        return Recipient(
            person.name or case.victim.name,
            (person.email,) if way == "email" and person.email else (),
            address,
            by_post=way == "post",
            post_reason=POST_REASONS.get(person.contact_preference, POST_REASONS["letter"]),
            by_phone=person.phone if way == "phone" else "",
        )
    if (user_id := user_of(key)) is not None:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise CannotCompose(f"{key} is not an active user")
        return Recipient(user.email, (user.email,))
    if (agency_id := agency_of(key)) is not None:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise CannotCompose(f"agency {key} no longer exists")
        return Recipient(agency.name, (agency.email,) if agency.email else ())
    roles = roles_of(key)
    if roles is None:  # a word nobody declared: never a letter to "Dear manger"
        raise CannotCompose(f"'{key}' names no recipient casereview knows")
    addresses = tuple(a for role in roles for a in _role_addresses(session, partnership, role))
    label = " and ".join(ROLE_GREETINGS[role] for role in roles)
    return Recipient(label, tuple(dict.fromkeys(addresses)))


def _appeal_body(
    session: Session, config: Config, case: CaseReview | None, partnership: Partnership
) -> Recipient:
    """Whoever config.toml says hears appeals: its e-mail address, else its postal address
    (printed and posted), else the partnership's CSP chair accounts (the LLR default: an
    independent CSP chair, who decides in casereview)."""
    route = config.review_routes.appeal
    if not (route.email or route.address.strip()):
        return _recipient(session, Audience.CHAIR, case, partnership)
    name = route.name.strip()
    name = name[4:] if name.lower().startswith("the ") else name
    return Recipient(
        name[:1].upper() + name[1:],
        (route.email,) if route.email else (),
        route.address,
        by_post=not route.email,
        post_reason="which has no e-mail address in config.toml",
    )


def _role_addresses(session: Session, partnership: Partnership, role: str) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(User.email)
            .where(
                User.partnership_id == partnership.id, User.role == role, User.is_active.is_(True)
            )
            .order_by(User.email)
        )
    )


def _context(
    case: CaseReview | None,
    partnership: Partnership,
    config: Config,
    today: date,
    clocks: Collection[str] = (),
) -> dict[str, Any]:
    settings = config.partnership
    context: dict[str, Any] = {
        **notice_context(config, partnership.name),
        "partnership": {
            "name": partnership.name,
            "contact_email": settings.contact_email,
            "contact_phone": settings.contact_phone,
            "address": settings.address,
        },
        "today": today,
        "spoc": "",
        "reference": "",
        "on_behalf": False,
    }
    if case is None:
        return context
    deadlines = {d.step: d.due_on for d in case.deadlines}
    decision = case.threshold_decisions[-1] if case.threshold_decisions else None
    held = [p for p in case.panels if p.held_on]
    appeal = case.appeals[-1] if case.appeals else None
    body_review = case.policing_body_reviews[-1] if case.policing_body_reviews else None
    context.update(
        {
            "reference": case.reference,
            "spoc": case.single_point_of_contact,
            "received_on": case.received_on,
            "victim_name": case.victim.name,
            "deadlines": _Deadlines(deadlines, clocks),
            "decided_on": decision.decided_on if decision else None,
            "rationale": decision.rationale if decision else "",
            "appeal_by": deadlines.get("appeal_window"),
            "panel": case.panels[-1] if case.panels else None,
            # How the victim chose to take part, once recorded: the invitation then confirms
            # that choice instead of asking again (issue 18).
            "panel_attendance": case.panel_attendance,
            "review": held[-1] if held else None,
            "recommendations": [
                {"agency": r.agency.name, "action": r.action, "due_on": r.due_on}
                for r in case.recommendations
            ],
            "appeal": appeal,
            "policing_body_review": body_review,
            "refusal_ground": case.refusal_ground,
            "findings_sent_on": case.findings_sent_on,
            # A review asked for before any findings is a review of the "not met" decision.
            "threshold_not_met": bool(
                decision and decision.decision == "not_met" and case.findings_sent_on is None
            ),
            "ended_on": case.ended_on,
            # What the acknowledgement may say was done: the agencies actually asked.
            "agencies_asked": sum(1 for link in case.agencies if link.chronology_requested_on),
            "end_reason": case.end_reason,
            # Someone applying for the victim reads of "the reports", not "your reports".
            "on_behalf": case.applicant.on_behalf,
            "lead_agency": case.lead_agency.name if case.lead_agency else "",
            "threshold_applied": threshold_applied(config.threshold),
            "threshold_findings": threshold_findings(case, config.threshold)
            if decision is not None and decision.decision == "not_met"
            else [],
            "policing_body": policing_body(config, decision.decided_on if decision else None),
            "last_action_due": max((r.due_on for r in case.recommendations), default=None),
        }
    )
    return context


def _routes(config: Config, today: date, language: str = "en") -> dict[str, Any]:
    """The challenge routes as the letters word them (``triggers.review_routes``): the
    appeal body, and the local policing body's review where it is open today. A letter
    calls a decision final only where no further route is open."""
    routes = config.review_routes
    body = routes.local_policing_body
    open_today = routes.policing_body_open_on(today)
    appeal: Any = routes.appeal
    name = body.name
    if language == "cy":
        appeal, name = in_welsh(routes.appeal), in_welsh(body).name
    return {
        "appeal": appeal,
        "appeal_days": config.deadlines.appeal_window,
        "policing_body": dataclasses.replace(body, name=name) if open_today else None,
        "policing_body_name": name,
        "policing_body_days": body.decision_days,
        "final": not open_today,
    }


def _welsh(
    case: CaseReview | None,
    partnership: Partnership,
    config: Config,
    today: date,
    context: dict[str, Any],
) -> dict[str, Any]:
    """What a Welsh letter says differently from the same context: the partnership's words
    in Welsh (``triggers.welsh``) and the sentences casereview writes itself (``render_in``
    lays these over the context for the Welsh version)."""
    welsh = notice_context(config, partnership.name, "cy")
    welsh["routes"] = _routes(config, today, "cy")
    body = context.get("policing_body")
    if body is not None:
        welsh["policing_body"] = {
            **body,
            "name": in_welsh(config.review_routes.local_policing_body).name,
        }
    if case is not None:
        welsh["threshold_applied"] = threshold_applied_cy(config.threshold)
        if context["threshold_findings"]:
            welsh["threshold_findings"] = threshold_findings_cy(case, config.threshold)
        welsh["end_reason"] = end_reason_cy(case)
    return welsh


class _Deadlines(dict[str, date]):
    """Lets a template write ``deadlines.panel``: a declared clock not started renders as
    empty, a clock the process does not declare (misspelt) stops the letter, never a
    letter that says "due by ."."""

    def __init__(self, due: Mapping[str, date], declared: Collection[str]) -> None:
        super().__init__(due)
        self.declared = frozenset(declared) | frozenset(due)

    def __getattr__(self, name: str) -> date | None:
        if name.startswith("_"):  # Python's and Jinja's own probes (``__html__``)
            raise AttributeError(name)
        if name not in self.__dict__.get("declared", ()):
            raise CannotCompose(f"the letter names a deadline the process has not: '{name}'")
        return self.get(name)
