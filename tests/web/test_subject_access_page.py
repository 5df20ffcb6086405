"""The subject access export from a case page holds that person's cases and nobody else's."""

import json
from datetime import date

from tests.factories import MANAGER, SAMPLE_NOW, application
from tests.web.test_access import sign_in
from triggers.db import write_transaction
from workflows.service import open_case


def two_john_smiths(sessions, partnership, policy):
    """Two victims with one name and different e-mail addresses, and the first one's second
    case, found by their phone number only."""
    references = []
    with write_transaction(sessions) as session:
        for received_on, email, phone, text in (
            (date(2025, 6, 2), "john.smith@example.org", "0116 496 0001", "Mine: car damaged"),
            (date(2025, 7, 1), "jsmith@example.net", "0116 496 0999", "Theirs: vulnerable"),
            (date(2025, 8, 1), "", "01164960001", "Mine again, by phone"),
        ):
            data = application(received_on)
            data["victim"].update(name="John Smith", email=email, phone=phone)
            data["incidents"][0]["description"] = text
            references.append(
                open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy).reference
            )
    return references


def exported(client, reference, *included):
    query = "".join(f"&include={other}" for other in included).replace("&", "?", 1)
    response = client.get(f"/cases/{reference}/subject-access.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    record = json.loads(response.get_data(as_text=True))
    return [case["reference"] for case in record["cases"]], response.get_data(as_text=True)


def test_the_export_holds_one_person_not_everyone_with_the_name(
    app, world, sessions, partnership, policy
):
    mine, theirs, mine_by_phone = two_john_smiths(sessions, partnership, policy)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    cases, text = exported(client, mine)
    assert cases == [mine, mine_by_phone]
    assert "Theirs: vulnerable" not in text and "jsmith@example.net" not in text
    # From the other John Smith's case, the first one's cases stay out.
    assert exported(client, theirs)[0] == [theirs]


def test_the_manager_ticks_a_same_name_case_once_checked(app, world, sessions, partnership, policy):
    mine, theirs, mine_by_phone = two_john_smiths(sessions, partnership, policy)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{mine}/subject-access")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="govuk-checkboxes__input"' in text and f'value="{theirs}"' in text
    assert f'value="{mine_by_phone}"' not in text  # already theirs by phone: no tick needed
    assert exported(client, mine, theirs)[0] == [mine, theirs, mine_by_phone]
    slipped = client.get(f"/cases/{mine}/subject-access.json?include={world['case']}")
    assert slipped.status_code == 422
    assert "is not a case with this person" in slipped.get_data(as_text=True)
    assert "Traceback" not in slipped.get_data(as_text=True)


def test_the_case_page_links_to_the_choice(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert f'href="/cases/{world["case"]}/subject-access"' in page
