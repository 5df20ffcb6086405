"""One set of text rules on every channel (triggers.text): the schemas serve the API, the
CLI, the staff form and the public form; the import and the pages use the same functions."""

from __future__ import annotations

import json

import pytest

from tests.factories import application
from tests.web.test_apply import AS_VICTIM, answer, fill
from triggers.text import header_text, whole_number
from workflows.errors import InvalidData
from workflows.schemas import CaseIn, parse

LINE_BREAKS = ["Alex\nMorgan", "Alex\r\nBcc: x@example.net", "Alex\u2028Morgan", "A\tB"]


def with_victim(**victim: str) -> dict:
    body = application()
    body["victim"].update(victim)
    return body


@pytest.mark.parametrize("name", LINE_BREAKS)
def test_a_single_line_field_refuses_a_line_break(name):
    with pytest.raises(InvalidData) as refused:
        parse(CaseIn, with_victim(name=name))
    assert refused.value.fields == {"victim.name": "must be on one line (no line breaks or tabs)"}


def test_every_single_line_field_of_an_application_is_checked():
    body = application(ward="North\nSouth", single_point_of_contact="Sam\nCarter")
    body["applicant"] = {"on_behalf": True, "name": "A\nB", "relationship": "son\nx"}
    body["incidents"][0]["complaints"][0]["reference"] = "REF\n1"
    with pytest.raises(InvalidData) as refused:
        parse(CaseIn, body)
    assert {
        "ward",
        "single_point_of_contact",
        "applicant.name",
        "applicant.relationship",
        "incidents.0.complaints.0.reference",
    } <= set(refused.value.fields)


def test_multi_line_text_keeps_its_line_breaks():
    body = application(dissatisfaction="First.\r\n\tSecond.")
    assert parse(CaseIn, body).dissatisfaction == "First.\r\n\tSecond."


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "x\x7f"])
def test_a_control_character_anywhere_is_refused_by_name(text):
    body = application(dissatisfaction=text)
    with pytest.raises(InvalidData) as refused:
        parse(CaseIn, body)
    assert "must not contain control characters" in refused.value.fields["dissatisfaction"]


@pytest.mark.parametrize(
    "address", ["a@example.org,bob", "a@example.org b@example.org", "Bob <a@example.org>"]
)
def test_an_email_address_is_exactly_one_address(address):
    with pytest.raises(InvalidData) as refused:
        parse(CaseIn, with_victim(email=address))
    assert "is not an e-mail address" in refused.value.fields["victim.email"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("0", None), ("²", None), ("٣", None), ("１２", None), (" 3", None),
     ("1e3", None), ("-1", None), ("9" * 30, None), ("", None), (None, None)],
)  # fmt: skip
def test_whole_numbers_are_ascii_digits_in_range(text, expected):
    assert whole_number(text, 1, 2**31 - 1) == expected


def test_header_text_is_one_line():
    assert header_text(" Alex\r\n\x00Bcc:\u2028x ") == "Alex Bcc: x"


# --- the other channels ------------------------------------------------------------------


def test_the_cli_refuses_a_line_break_in_a_name_and_a_nul_anywhere(run):
    result = run("case", "open", "-", input=json.dumps(with_victim(name="Alex\nMorgan")))
    assert result.exit_code == 1
    assert "victim.name: must be on one line" in result.output
    result = run("case", "open", "-", input=json.dumps(application(dissatisfaction="a\x00")))
    assert result.exit_code == 1
    assert "dissatisfaction: must not contain control characters (found NUL)" in result.output
    assert "Traceback" not in result.output


def test_the_cli_refuses_a_user_address_that_is_two(run):
    result = run(
        "user", "add", "a@example.org,bob", "--role", "viewer", input="kettle-orbit-meadow\n"
    )
    assert result.exit_code == 2
    assert "is not an e-mail address" in result.output


def test_the_public_form_refuses_a_line_break_in_a_name(client):
    fill(client, AS_VICTIM[:2])
    response = answer(client, "/apply/victim-name", {"victim_name": "Margaret\r\nEllis"})
    assert response.status_code == 400
    assert "must be on one line" in response.get_data(as_text=True)


def test_the_public_form_refuses_an_address_that_is_two(client):
    fill(client, AS_VICTIM[:3])
    fields = dict(AS_VICTIM[3][1], email="margaret@example.net,bob")
    response = answer(client, "/apply/contact", fields)
    assert response.status_code == 400
    assert "Enter an e-mail address in the correct format" in response.get_data(as_text=True)
