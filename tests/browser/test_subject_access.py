"""The manager answers a subject access request from a case page, in Chromium, checked by axe."""

import json
from datetime import date

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible
from tests.factories import MANAGER, SAMPLE_NOW, application
from triggers.db import write_transaction
from workflows.service import open_case


def test_the_manager_ticks_the_same_name_case_they_checked(
    page, sessions, partnership, policy, staff
):
    with write_transaction(sessions) as session:
        references = []
        for received_on, email in ((date(2025, 6, 2), "j1@example.org"), (date(2025, 7, 1), "")):
            data = application(received_on)
            data["victim"].update(name="John Smith", email=email)
            references.append(
                open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy).reference
            )
    mine, same_name = references
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{mine}")
    page.get_by_role("link", name="everything held about the victim").click()
    page.wait_for_url(f"**/cases/{mine}/subject-access")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Subject access request for John Smith"
    )
    assert_accessible(page)
    box = page.get_by_role("checkbox", name=same_name)
    assert not box.is_checked()
    box.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as JSON").click()
    record = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [case["reference"] for case in record["cases"]] == [mine, same_name]
