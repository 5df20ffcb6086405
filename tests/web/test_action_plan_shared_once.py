"""The draft action plan is shared once: a second click, or the same form sent from a
second tab, is told it was shared already and changes nothing (it was a server error)."""

import re

from sqlalchemy import func, select

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, OutboxMessage


def written(sessions, case_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The case's share events and its letters and e-mails."""
    with read_session(sessions) as session:
        shares = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.event == "share_action_plan")
        )
        messages = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.case_id == case_id)
        )
    return shares, messages


def test_sharing_the_action_plan_twice_says_so_and_sends_it_once(
    app, client, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "review_complete")
        reference, case_id = case.reference, case.id
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    token = re.search(r'name="share-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    share = f"/cases/{reference}/action-plan/share"
    assert client.post(share, data={"share-csrf_token": token}).status_code == 302
    once = written(sessions, case_id)
    assert once[0] == 1
    again = client.post(share, data={"share-csrf_token": token})
    assert again.status_code == 302
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "The draft action plan was already shared on" in page
    assert "Nothing was changed." in page
    assert written(sessions, case_id) == once
