"""The review form: as many recommendations as the panel made, each as long as it needs."""

import re

from sqlalchemy import select

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview


def review_form(page: str, rows: int) -> dict:
    token = re.search(r'name="record_review-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="record_review-version"[^>]*value="([^"]+)"', page).group(1)
    form = {
        "record_review-csrf_token": token,
        "record_review-version": version,
        "record_review-findings": "Reports were not linked between agencies.",
        "record_review-victim_attended": "yes",
    }
    for index in range(rows):
        form |= {
            f"record_review-recommendations-{index}-agency": "Leicestershire Police",
            f"record_review-recommendations-{index}-action": f"Action {index}\nwith a second line",
            f"record_review-recommendations-{index}-due_on": ["30", "1", "2026"],
        }
    return form


def test_a_fourth_recommendation_is_added_and_each_keeps_its_lines(
    client, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "panel_scheduled").reference
    sign_in(client, "manager@example.org")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "record_review-recommendations-2-action" in page
    assert "record_review-recommendations-3-action" not in page
    assert '<textarea class="govuk-textarea" id="record_review-recommendations-0-action"' in page

    more = review_form(page, 3) | {"record_review-add_recommendation": "1"}
    page = client.post(f"/cases/{reference}/events/record_review", data=more)
    assert page.status_code == 200
    page = page.get_data(as_text=True)
    assert "record_review-recommendations-3-action" in page
    assert "Action 2\nwith a second line</textarea>" in page  # what was typed is kept

    response = client.post(f"/cases/{reference}/events/record_review", data=review_form(page, 4))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert [r.action for r in case.recommendations] == [
            f"Action {index}\nwith a second line" for index in range(4)
        ]
