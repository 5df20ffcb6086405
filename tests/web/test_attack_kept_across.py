"""Outside review: a case page made from kept forms is the page made afresh, whatever case,
person or role filled the kept entries before it."""

import pytest
from sqlalchemy import select

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from tests.web.test_kept_forms import _page
from triggers.db import write_transaction
from triggers.models import Agency, CaseAgency

STATES = ("received", "threshold_met", "panel_scheduled", "review_complete", "appeal")


@pytest.mark.parametrize("state", STATES)
def test_kept_forms_never_carry_one_case_or_role_into_another(
    app, world, sessions, partnership, policy, state
):
    with write_transaction(sessions) as session:
        first = case_in_state(session, partnership, policy, state)
        second = case_in_state(session, partnership, policy, state)
        second.single_point_of_contact = "Zed Other-Officer"
        second.victim.name = "Quentin Unique-Victim"
        second.involvement_level = "full"
        second.panel_attendance = "attend"
        for rec in second.recommendations:
            rec.status = "in_progress"
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        for case in (first, second):
            if police.id not in {link.agency_id for link in case.agencies}:
                case.agencies.append(CaseAgency(agency=police))
        references = [first.reference, second.reference]
    clients = {}
    for who in ("manager", "panel-in", "agency-in", "viewer"):
        clients[who] = app.test_client()
        sign_in(clients[who], world["users"][who])
    for who in ("manager", "panel-in", "agency-in", "viewer", "manager", "agency-in"):
        for reference in references:
            path = f"/cases/{reference}"
            kept = _page(app, clients[who], path, True)
            fresh = _page(app, clients[who], path, False)
            assert kept == fresh, (who, reference)
            other = references[1 - references.index(reference)]
            assert other not in kept.replace(f"/cases/{other}", "")
