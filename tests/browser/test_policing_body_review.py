"""The manager records the local policing body's review on the case page, in Chromium, for a
partnership that has turned the review on; axe checks each page."""

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, banner, open_step
from tests.factories import case_in_state, with_policing_body_review
from triggers.db import write_transaction
from triggers.policy import Policy


@pytest.fixture(scope="module")
def review_server(base_config, migrated_engine):
    """The app with the review turned on, served beside the suite's own live server."""
    from web.app import create_app

    app = create_app(with_policing_body_review(base_config), engine=migrated_engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def review_page(browser, review_server):
    context = browser.new_context(base_url=review_server, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("outcome", "state"),
    [("Upheld: the threshold is met", "threshold met"), ("Not upheld", "closed")],
)
def test_the_manager_records_the_local_policing_body_review(
    review_page, sessions, partnership, base_config, staff, outcome, state
):
    page = review_page
    policy = Policy.from_config(with_policing_body_review(base_config))
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "threshold_not_met").reference
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")

    # Without grounds: the error summary names the field, and nothing changes.
    step = open_step(page, "Record a request for the local policing body's review")
    step.get_by_role("button", name="Record the request").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the grounds the applicant gave" in summary.inner_text()
    assert_accessible(page)
    step = page.locator("details[open]")
    step.get_by_label("Grounds of the request").fill("The hate element was not considered.")
    step.get_by_role("button", name="Record the request").click()
    assert "The case is now local policing body review" in banner(page)
    main = page.locator("main").inner_text()
    assert "The hate element was not considered." in main
    assert "Local policing body decision" in main  # the clock on the case's deadlines
    assert_accessible(page)

    step = open_step(page, "Record the local policing body's decision")
    step.get_by_label(outcome).check()
    step.get_by_label("Its reasons").fill("Considered with the chronology.")
    step.get_by_role("button", name="Record the decision").click()
    assert f"The case is now {state}" in banner(page)
    assert "Considered with the chronology." in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_manager_refuses_an_application_as_vexatious(
    review_page, sessions, partnership, base_config, staff
):
    page = review_page
    policy = Policy.from_config(with_policing_body_review(base_config))
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "acknowledged").reference
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")
    step = open_step(page, "Refuse the application (ineligible or vexatious)")
    step.get_by_label("Refused as vexatious").check()
    step.get_by_label("Reasons").fill("The fifth application about the same hedge in a year.")
    step.get_by_role("button", name="Refuse the application").click()
    assert "The case is now closed" in banner(page)
    main = page.locator("main").inner_text()
    assert "Application refused" in main
    assert "Application refused as vexatious. The fifth application" in main
    assert_accessible(page)
