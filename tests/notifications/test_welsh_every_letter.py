"""Every letter to the applicant has a Welsh version, and it is Welsh (issue 21, Welsh Language
Standards): the applicant's letters are read off the process declaration, so a new letter
without ``cy/<kind>.txt`` fails here; each is rendered in Welsh for a real case walked
through the service, by e-mail and as the PDF to post, and must carry no sentence of the
English template, no English date and no English words of casereview's own. Letters to
agencies and staff stay in the working language."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, timedelta
from itertools import pairwise

import pytest
from jinja2 import Environment
from pypdf import PdfReader
from sqlalchemy import select

from notifications.compose import compose
from notifications.letter_context import REFUSAL_GROUNDS_CY
from notifications.letters import environment, has_welsh, shipped_text
from notifications.outbox import APPLICANT, APPLICANT_EMAIL, PANEL_INVITEES, queue_confirmation
from tests.factories import (
    MANAGER,
    SAMPLE_NOW,
    event_data,
    new_case,
    one_incident,
    with_policing_body_review,
)
from tests.workflows.test_import_replay import every_path
from triggers.db import write_transaction
from triggers.models import OutboxMessage
from triggers.policy import Policy
from workflows.action_plan import share_action_plan
from workflows.case_review import PROCESSES
from workflows.process import Process
from workflows.service import apply
from workflows.steps import REFUSAL_GROUNDS

#: The online application's confirmation (``notifications.outbox.queue_confirmation``) is
#: the one applicant letter outside the process declaration.
CONFIRMATION = "application_received"

#: The audiences a letter reaches the applicant through: theirs, and a panel's invitees.
TO_APPLICANT = {APPLICANT, PANEL_INVITEES}

#: casereview's own English that must never reach a Welsh letter (dates, the words it puts
#: into letters from code and from config.toml's defaults).
ENGLISH = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    r"April|May|June|July|August|September|October|November|December|Dear|Yours sincerely|"
    r"Victim Support|Chair of a Community Safety Partnership|Write to us|the local policing "
    r"body|The Act's threshold|Appeal not upheld|Application ineligible|How we use your "
    r"information|Who we share it with|single point of contact)\b"
)


def applicant_moves(process: Process) -> dict[tuple[str, str], set[str]]:
    """Each outcome of a step (event, move key) that writes to the applicant, and what."""
    return {
        (step.event, move.key): kinds
        for step in process.steps
        for move in step.moves
        if (kinds := {letter.kind for letter in move.letters if letter.to in TO_APPLICANT})
    }


def applicant_kinds(process: Process) -> set[str]:
    kinds = {kind for kinds in applicant_moves(process).values() for kind in kinds}
    for operation in process.operations:
        kinds |= {letter.kind for letter in operation.letters if letter.to in TO_APPLICANT}
    return kinds | {CONFIRMATION}


def agency_and_staff_kinds(process: Process) -> set[str]:
    """The kinds that go to anyone but the applicant (a kind may go to both, as the panel
    invitation does: to the applicant it is Welsh, to an agency English)."""
    letters = [letter for step in process.steps for move in step.moves for letter in move.letters]
    letters += [letter for operation in process.operations for letter in operation.letters]
    return {letter.kind for letter in letters if letter.to != APPLICANT}


def english_fragments(env: Environment, kind: str) -> set[str]:
    """The literal sentences of the English template and the partials it includes (three
    words or more), each of which a Welsh letter must not contain."""
    source = shipped_text(kind)
    for partial in re.findall(r'{%\s*include\s+"([^"]+)"', source):
        source += env.loader.get_source(env, partial)[0]  # type: ignore[union-attr]
    fragments = set()
    for _, token, value in env.lex(source):
        if token != "data":
            continue
        for piece in re.split(r"[\n:;?!]|\.\s", value):  # each sentence and clause
            piece = piece.strip(" .,;()-")
            if len(re.findall(r"[A-Za-z']+", piece)) >= 3:
                fragments.add(piece)
    return fragments


@pytest.mark.parametrize("version", sorted(PROCESSES))
def test_every_letter_to_the_applicant_has_a_welsh_version(version):
    env = environment(None)
    kinds = applicant_kinds(PROCESSES[version])
    assert {"acknowledgement", "threshold_not_met", "findings", "closure"} <= kinds
    assert sorted(kind for kind in kinds if not has_welsh(env, kind)) == []


def test_the_welsh_refusal_grounds_are_the_refusal_grounds():
    assert set(REFUSAL_GROUNDS_CY) == set(REFUSAL_GROUNDS)


def walks(process: Process) -> list[tuple[tuple[str, str], ...]]:
    """Few paths through the process that between them take every outcome that writes to
    the applicant (``every_path`` as the history import's test walks it)."""
    wanted = set(applicant_moves(process))
    chosen = []
    for path in sorted(every_path(process), key=len, reverse=True):
        if wanted & set(path):
            chosen.append(path)
            wanted -= set(path)
    assert not wanted, wanted
    # A panel's cancellation goes only when the case is withdrawn with its panel arranged
    # and not yet held: walk one such path too.
    chosen.append(
        next(
            path
            for path in every_path(process)
            if any(a[0] == "schedule_panel" and b[0] == "withdraw" for a, b in pairwise(path))
        )
    )
    return chosen


def walk(session, partnership, policy, path):  # type: ignore[no-untyped-def]
    """A Welsh-speaking victim who wants letters by post, taken along ``path``."""
    received_on = date(2025, 11, 20)
    case = new_case(
        session,
        partnership,
        policy,
        received_on=received_on,
        incidents=one_incident(received_on - timedelta(days=5)),
    )
    case.correspondence_language = "cy"
    case.victim.name = "Gwenllian Ŵyn"
    case.victim.contact_preference = "letter"
    case.victim.address = "2 Ffordd y Tŷ\nLlanrwst\nLL26 0AA"
    assert queue_confirmation(session, case, SAMPLE_NOW) is not None  # as the online form does
    for event, key in path:
        data = event_data(case, event)
        if event == "decide_threshold":  # one complaint: "met" is against the suggestion
            data = {**data, "decision": key, "against_suggestion": "Persistent, and harmful."}
        if event in ("decide_appeal", "decide_policing_body_review"):
            data = {**data, "outcome": key}
        apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy)
        if case.state == "review_complete" and not case.action_plan_shared_on:
            share_action_plan(session, case, {}, MANAGER, SAMPLE_NOW, policy)
    return case


def with_welsh_policing_body(config):  # type: ignore[no-untyped-def]
    """The local policing body's review on, its name given in Welsh too."""
    config = with_policing_body_review(config)
    routes = config.review_routes
    body = routes.local_policing_body
    welsh = dataclasses.replace(body.cy, name="Comisiynydd Heddlu a Throseddu Swydd Gaerlŷr")
    return dataclasses.replace(
        config,
        review_routes=dataclasses.replace(
            routes, local_policing_body=dataclasses.replace(body, cy=welsh)
        ),
    )


def test_every_letter_to_the_applicant_reads_in_welsh_by_email_and_on_paper(
    sessions, partnership, policy, config, people, tmp_path
):
    config = with_welsh_policing_body(config)
    policy = Policy.from_config(config)
    env = environment(None)
    process = PROCESSES[max(PROCESSES)]
    seen: set[str] = set()
    with write_transaction(sessions) as session:
        for path in walks(process):
            case = walk(session, partnership, policy, path)
            session.flush()
            rows = session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.case_id == case.id,
                    OutboxMessage.recipient.in_((APPLICANT, APPLICANT_EMAIL)),
                )
                .order_by(OutboxMessage.id)
            ).all()
            for row in rows:
                if row.kind in seen:
                    continue
                seen.add(row.kind)
                message = compose(session, row, config, SAMPLE_NOW.date(), process)
                # By post, the note to the managers is theirs (English); the letter follows.
                letter = message.body.partition("The text of the letter follows.\n\n")[2]
                letter = letter or message.body
                (tmp_path / f"{row.kind}.txt").write_text(f"{message.subject}\n\n{letter}")
                assert letter.startswith("Annwyl Gwenllian Ŵyn"), (row.kind, letter)
                english = [f for f in english_fragments(env, row.kind) if f in letter]
                assert english == [], (row.kind, english)
                assert ENGLISH.findall(letter) == [], (row.kind, letter)
                assert "Yn gywir" in letter
                assert "Police and Crime Commissioner" not in letter, row.kind
                if row.kind == "panel_invitation":  # the calendar entry's title too
                    ics = message.attachments[-1].data.decode()
                    assert "SUMMARY:Panel adolygiad achos" in ics, ics
                if row.recipient == APPLICANT:  # the PDF posted: Welsh letters intact
                    pdf = message.attachments[0]
                    (tmp_path / f"{row.kind}.pdf").write_bytes(pdf.data)  # to look at
                    text = "".join(
                        page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages
                    )
                    assert "Gwenllian Ŵyn" in text and "Ffordd y Tŷ" in text, row.kind
                    assert ENGLISH.findall(text) == [], (row.kind, text)
    assert seen == applicant_kinds(process)


def test_not_known_on_a_bilingual_installation_every_letter_is_welsh_then_english(
    sessions, partnership, policy, config, people
):
    config = with_welsh_policing_body(config)
    config = dataclasses.replace(
        config, language=dataclasses.replace(config.language, bilingual=True)
    )
    policy = Policy.from_config(config)
    process = PROCESSES[max(PROCESSES)]
    seen: set[str] = set()
    with write_transaction(sessions) as session:
        for path in walks(process):
            case = walk(session, partnership, policy, path)
            case.correspondence_language = ""
            case.victim.contact_preference = "email"
            session.flush()
            rows = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.case_id == case.id,
                    OutboxMessage.recipient.in_((APPLICANT, APPLICANT_EMAIL)),
                    OutboxMessage.kind.not_in(seen),
                )
            ).all()
            for row in rows:
                seen.add(row.kind)
                message = compose(session, row, config, SAMPLE_NOW.date(), process)
                body = message.body
                assert body.startswith("Annwyl") and body.index("\nDear ") > 0, row.kind
                assert body.index("Yn gywir") < body.index("Yours sincerely"), row.kind
                assert " / " in message.subject, row.kind
    assert seen == applicant_kinds(process)


def test_letters_to_agencies_and_staff_stay_in_english(
    sessions, partnership, policy, config, people
):
    """A Welsh-speaking applicant's case: the agencies' and the chair's letters are English."""
    config = with_policing_body_review(config)
    policy = Policy.from_config(config)
    process = PROCESSES[max(PROCESSES)]
    others = agency_and_staff_kinds(process)
    seen: set[str] = set()
    with write_transaction(sessions) as session:
        for path in walks(process):
            case = walk(session, partnership, policy, path)
            session.flush()
            rows = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.case_id == case.id,
                    OutboxMessage.recipient.not_in((APPLICANT, APPLICANT_EMAIL)),
                )
            ).all()
            for row in rows:
                message = compose(session, row, config, SAMPLE_NOW.date(), process)
                seen.add(row.kind)
                assert "Annwyl" not in message.body and "Yn gywir" not in message.body
                assert "Yours sincerely" in message.body, row.kind
    assert others <= seen
