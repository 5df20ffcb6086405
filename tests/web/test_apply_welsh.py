"""Cymraeg (issue 21): the public form in Welsh, chosen with the language switch or led with
by a bilingual partnership; the errors and the check page in Welsh; the choice kept."""

import dataclasses

import pytest
from sqlalchemy import select

from tests.web.test_apply import AS_VICTIM, answer, fill, send, token
from triggers.db import read_session
from triggers.models import ApplicationDraft, CaseReview


@pytest.fixture
def bilingual_client(config, engine, partnership):  # type: ignore[no-untyped-def]
    from tests.factories import SAMPLE_NOW
    from web.app import create_app

    language = dataclasses.replace(config.language, bilingual=True)
    app = create_app(dataclasses.replace(config, language=language), engine=engine)
    app.config["TESTING"] = True
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    return app.test_client()


def test_the_start_page_is_english_with_a_link_to_cymraeg(client):
    page = client.get("/apply").get_data(as_text=True)
    assert '<html lang="en-GB"' in page
    assert "Apply for an anti-social behaviour case review" in page
    assert 'href="/apply?lang=cy"' in page and ">Cymraeg</a>" in page


def test_the_switch_turns_the_start_page_welsh_and_back(client):
    response = client.get("/apply?lang=cy")
    assert response.status_code == 302 and response.location.endswith("/apply")
    page = client.get("/apply").get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert "Gwneud cais am adolygiad achos ymddygiad gwrthgymdeithasol" in page
    assert "Dechrau nawr" in page and "Neidio i’r prif gynnwys" in page
    # Numbers from config still read right inside the Welsh sentences.
    assert "o fewn 5 diwrnod gwaith" in page and "3 neu fwy o ddigwyddiadau" in page
    assert 'href="/apply?lang=en"' in page and ">English</a>" in page
    client.get("/apply?lang=en")
    assert '<html lang="en-GB"' in client.get("/apply").get_data(as_text=True)


def test_a_bilingual_partnership_leads_with_welsh(bilingual_client):
    page = bilingual_client.get("/apply").get_data(as_text=True)
    assert '<html lang="cy"' in page and "Dechrau nawr" in page


def test_an_unknown_language_is_ignored(client):
    client.get("/apply?lang=xx")
    assert '<html lang="en-GB"' in client.get("/apply").get_data(as_text=True)


def test_a_welsh_error_names_what_to_fix_in_welsh(client):
    client.get("/apply?lang=cy")
    response = answer(client, "/apply/who", {})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mae problem wedi codi" in page and "Dewiswch ai chi yw’r dioddefwr" in page
    assert "<title>Gwall:" in page


def test_a_welsh_date_error_and_length_cap(client):
    client.get("/apply?lang=cy")
    fill(client, AS_VICTIM[:5])
    fields = {**AS_VICTIM[5][1], "occurred_on": ["", "11", "2025"], "reference": "r" * 101}
    page = answer(client, "/apply/incidents/1", fields).get_data(as_text=True)
    assert "Y dyddiad y digwyddodd: rhaid iddo gynnwys diwrnod" in page
    assert "Y cyfeirnod: rhaid iddo fod yn 100 nod neu lai" in page


def test_the_gov_uk_widgets_own_words_are_welsh_too(client):
    """The date's parts and the character count are written by the GOV.UK libraries in
    English: on a Welsh page they are Welsh, and on an English page as GOV.UK writes them."""
    fill(client, AS_VICTIM[:5])
    english = " ".join(client.get("/apply/incidents/1").get_data(as_text=True).split())
    assert 'for="occurred_on-day"> Day </label>' in english
    assert "You can enter up to 5000 characters" in english
    client.get("/apply?lang=cy")
    page = " ".join(client.get("/apply/incidents/1").get_data(as_text=True).split())
    for part, name in (("day", "Diwrnod"), ("month", "Mis"), ("year", "Blwyddyn")):
        assert f'for="occurred_on-{part}"> {name} </label>' in page
    assert "Gallwch ddefnyddio hyd at 5000 o nodau" in page
    assert 'data-i18n.characters-under-limit.other="Mae gennych %{count} o nodau ar ôl"' in page
    for words in ("> Day <", "> Month <", "> Year <", "You can enter up to", "You have"):
        assert words not in page, words


def test_the_choice_is_kept_in_the_draft_and_the_check_page_is_welsh(client, sessions):
    fill(client, AS_VICTIM[:1])
    client.get("/apply/victim-type?lang=cy")
    fill(client, AS_VICTIM[1:])
    with read_session(sessions) as db:
        assert db.scalar(select(ApplicationDraft)).answers["form_language"] == "cy"
    page = client.get("/apply/check").get_data(as_text=True)
    assert "Gwiriwch eich atebion cyn anfon eich cais" in page
    # Babel's Welsh dates (CLDR), not a hand-written table.
    assert "Digwyddiad 1: dydd Llun 3 Tachwedd 2025" in page
    assert "Yr heddlu ar ddydd Mawrth 4 Tachwedd 2025" in page
    assert "Derbyn ac anfon" in page


def test_the_confirmation_page_is_welsh_and_the_case_writes_in_welsh(client, sessions):
    client.get("/apply?lang=cy")
    fill(client)
    response = send(client)
    assert response.status_code == 302
    page = client.get("/apply/confirmation").get_data(as_text=True)
    assert "Cais wedi’i anfon" in page and "dydd Llun 8 Rhagfyr 2025" in page
    assert "Rydyn ni wedi anfon e-bost cadarnhau atoch" in page
    with read_session(sessions) as db:
        assert db.scalar(select(CaseReview)).correspondence_language == "cy"


def test_an_english_application_asks_for_english(client, sessions):
    fill(client)
    send(client)
    with read_session(sessions) as db:
        assert db.scalar(select(CaseReview)).correspondence_language == "en"


def test_the_switch_keeps_the_page_and_its_arguments(client):
    fill(client, AS_VICTIM[:1])
    response = client.get("/apply/victim-type?change=1&lang=cy")
    assert response.location.endswith("/apply/victim-type?change=1")
    page = client.get("/apply/victim-type?change=1").get_data(as_text=True)
    assert "Ydych chi’n gwneud cais fel person, busnes neu grŵp cymunedol?" in page
    assert token(page)


def test_staff_pages_stay_english(client):
    client.get("/apply?lang=cy")
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="en-GB"' in page


def test_the_partnership_s_catalog_overrides_the_shipped_one(config, engine, partnership, tmp_path):
    """What README "Cymraeg" tells a translation service to do: a compiled catalog of its own,
    named in config; its entries win and the others keep the shipped wording."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from tests.factories import SAMPLE_NOW
    from web.app import create_app

    catalog = Catalog(locale="cy")
    catalog.add("Start now", "Dechreuwch nawr")
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    language = dataclasses.replace(
        config.language, default="cy", catalog_folder=str(tmp_path / "translations")
    )
    app = create_app(dataclasses.replace(config, language=language), engine=engine)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    page = app.test_client().get("/apply").get_data(as_text=True)
    assert "Dechreuwch nawr" in page and "Dechrau nawr" not in page
    assert "Pwy all wneud cais" in page  # from the shipped catalog


def test_the_confirmation_email_is_welsh(client, sessions, policy, tmp_path):
    import email
    import email.policy

    from notifications.senders import FileSender
    from tests.factories import SAMPLE_NOW
    from workflows.sweep import sweep

    client.get("/apply?lang=cy")
    fill(client)
    send(client)
    result = sweep(sessions, policy, FileSender(tmp_path, "casereview@example.org"), SAMPLE_NOW)
    assert result.sent == 1
    (eml,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("Rydyn ni wedi cael eich cais")
    body = message.get_body(("plain",)).get_content()
    assert "Annwyl Margaret Ellis" in body
    assert "byddwn yn cydnabod eich cais erbyn dydd Llun 8 Rhagfyr 2025" in body


def test_the_welsh_start_page_carries_the_privacy_notice_in_welsh(client):
    """The same notice as the Welsh letters, from [privacy] and [privacy.cy]."""
    client.get("/apply?lang=cy")
    page = client.get("/apply").get_data(as_text=True)
    assert "Pwy sy’n gyfrifol am eich gwybodaeth" in page and "Eich hawliau" in page
    assert "Who is responsible for your information" not in page
    client.get("/apply?lang=en")
    english = client.get("/apply").get_data(as_text=True)
    assert "Who is responsible for your information" in english
