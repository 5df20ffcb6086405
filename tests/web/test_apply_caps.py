"""What one connection can put into the database through the public form is capped: the
applications it starts per window (online.draft_limit), the incidents one application holds
(online.most_incidents) and each long answer's length (online.longest_answer), each refusal
said in GOV.UK words with nothing typed lost and nothing more stored."""

import dataclasses

import pytest
from sqlalchemy import select

from tests.factories import SAMPLE_NOW
from tests.web.test_apply import AS_VICTIM, answer, count, fill
from triggers.db import read_session
from triggers.models import ApplicationDraft


@pytest.fixture
def capped(config, engine, partnership):  # type: ignore[no-untyped-def]
    """The form with small caps: 2 drafts an hour, 2 incidents, answers of 600 characters."""
    from web.app import create_app

    online = dataclasses.replace(
        config.online, draft_limit="2 per hour", most_incidents=2, longest_answer=600
    )
    app = create_app(dataclasses.replace(config, online=online), engine=engine)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    return app


def test_one_address_may_start_only_so_many_applications(capped, sessions):
    statuses = [answer(capped.test_client(), *AS_VICTIM[0]).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert count(sessions, ApplicationDraft) == 2
    refused = answer(capped.test_client(), *AS_VICTIM[0]).get_data(as_text=True)
    assert "Many applications have been started from this connection" in refused


def test_changing_the_first_answer_or_getting_it_wrong_starts_nothing_new(capped, sessions):
    client = capped.test_client()
    assert answer(client, "/apply/who", {"who": ""}).status_code == 400  # not counted
    for who in ("victim", "on_behalf", "victim"):  # one draft, changed twice
        assert answer(client, "/apply/who", {"who": who}).status_code == 302
    assert answer(capped.test_client(), *AS_VICTIM[0]).status_code == 302
    assert count(sessions, ApplicationDraft) == 2


def test_an_application_holds_only_so_many_incidents(capped, sessions):
    client = capped.test_client()
    fill(client, AS_VICTIM[:8])  # two incidents
    another = answer(client, "/apply/incidents", {"another": "yes"})
    page = another.get_data(as_text=True)
    assert another.status_code == 400
    assert "You can tell us about up to 2 incidents" in page and "There is a problem" in page
    # ... nor by going to the third incident's page directly
    assert client.get("/apply/incidents/3").location.endswith("/apply/incidents")
    third = answer(client, "/apply/incidents/3", AS_VICTIM[9][1])
    page = third.get_data(as_text=True)
    assert third.status_code == 400
    assert "You can tell us about up to 2 incidents" in page
    assert "Car tyres slashed" in page  # what was typed is shown again
    with read_session(sessions) as session:
        assert len(session.scalar(select(ApplicationDraft)).answers["incidents"]) == 2
    assert answer(client, "/apply/incidents", {"another": "no"}).status_code == 302


@pytest.mark.parametrize(
    ("path", "name", "what"),
    [
        ("/apply/incidents/1", "what_happened", "What happened"),
        ("/apply/dissatisfaction", "dissatisfaction", "Your answer"),
    ],
)
def test_a_long_answer_is_capped_at_the_configured_length(capped, sessions, path, name, what):
    client = capped.test_client()
    two_incidents = [*AS_VICTIM[:8], ("/apply/incidents", {"another": "no"})]
    pages = AS_VICTIM[:5] if name == "what_happened" else two_incidents
    fill(client, pages)
    fields = dict(AS_VICTIM[5][1]) if name == "what_happened" else {}
    assert 'maxlength="600"' in client.get(path).get_data(as_text=True)
    too_long = answer(client, path, {**fields, name: "x" * 601})
    message = f"{what} must be 600 characters or fewer"
    assert too_long.status_code == 400 and message in too_long.get_data(as_text=True)
    assert answer(client, path, {**fields, name: "x" * 600}).status_code == 302
