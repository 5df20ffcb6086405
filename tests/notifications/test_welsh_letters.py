"""Letters in the applicant's language (issue 21, Welsh Language Standards): Welsh when they
asked for Welsh, Welsh then English when not known on a bilingual installation, English to
agencies; the PDF embeds a font with ŵ and ŷ."""

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader

from notifications.compose import compose, letter_languages
from tests.factories import new_case
from tests.notifications.test_letters import message_for, walk
from triggers.db import write_transaction
from workflows.case_review import CASE_REVIEW


def acknowledgement(sessions, partnership, policy, config, language, *, by_post=False):  # type: ignore[no-untyped-def]
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.correspondence_language = language
        case.victim.name = "Gwenllian Ŵyn"
        if by_post:
            case.victim.contact_preference = "letter"
            case.victim.address = "2 Ffordd y Tŷ\nLlanrwst\nLL26 0AA"
        session.flush()
        row = message_for(session, case, "acknowledgement")
        return compose(session, row, config, date(2025, 4, 22), CASE_REVIEW)


def test_a_welsh_applicant_is_written_to_in_welsh(sessions, partnership, policy, config, people):
    message = acknowledgement(sessions, partnership, policy, config, "cy")
    assert message.subject.startswith("Eich cais am adolygiad achos")
    assert "Annwyl Gwenllian Ŵyn" in message.body
    assert "ddydd Iau 17 Ebrill 2025" in message.body  # received, in Babel's Welsh
    assert "Dear" not in message.body


def test_unknown_on_a_bilingual_installation_is_welsh_then_english(
    sessions, partnership, policy, config, people
):
    bilingual = dataclasses.replace(
        config, language=dataclasses.replace(config.language, bilingual=True)
    )
    message = acknowledgement(sessions, partnership, policy, bilingual, "")
    assert message.subject.index("Eich cais") < message.subject.index("Your application")
    assert message.body.index("Annwyl") == 0 < message.body.index("Dear")


def test_unknown_elsewhere_is_english(sessions, partnership, policy, config, people):
    message = acknowledgement(sessions, partnership, policy, config, "")
    assert message.body.startswith("Dear") and "Annwyl" not in message.body


@pytest.mark.parametrize(
    ("audience", "language", "bilingual", "expected"),
    [
        ("applicant", "cy", False, ["cy"]),
        ("applicant", "en", True, ["en"]),
        ("applicant", "", True, ["cy", "en"]),
        ("applicant", "", False, ["en"]),
        ("agency", "cy", True, ["en"]),
        ("staff", "cy", True, ["en"]),
    ],
)
def test_who_is_written_to_in_which_language(
    sessions, partnership, policy, config, audience, language, bilingual, expected
):
    settings = dataclasses.replace(
        config, language=dataclasses.replace(config.language, bilingual=bilingual)
    )
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy)
        case.correspondence_language = language
        assert letter_languages(case, audience, settings) == expected


def test_the_welsh_pdf_embeds_a_font_with_the_welsh_letters(
    sessions, partnership, policy, config, people, tmp_path
):
    message = acknowledgement(sessions, partnership, policy, config, "cy", by_post=True)
    pdf = message.attachments[0]
    reader = PdfReader(io.BytesIO(pdf.data))
    text = reader.pages[0].extract_text()
    assert "Gwenllian Ŵyn" in text and "Ffordd y Tŷ" in text
    assert "Ein cyfeirnod: CT-2025-001" in text and "dydd Mawrth 22 Ebrill 2025" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("DejaVu-Sans" in name for name in fonts), fonts
    (tmp_path / "welsh.pdf").write_bytes(pdf.data)
