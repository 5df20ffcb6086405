"""The dashboard shows one page of cases at a time, the deadline due soonest first, with
the total and links to the other pages (its cost follows what it shows, not the history)."""

import re
from collections import Counter
from datetime import date, datetime, timedelta

from tests.factories import case_in_state, new_case
from tests.statements import sent, tables_read
from tests.web.test_access import sign_in
from triggers.db import write_transaction


def test_the_dashboard_pages_open_cases_by_the_deadline_due_soonest(
    app, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        for days in range(60):
            new_case(session, merged, policy, received_on=date(2025, 11, 28) - timedelta(days=days))
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    first = client.get("/").get_data(as_text=True)
    assert "61 cases" in first and "Page 1 of 2" in first
    references = re.findall(r'href="/cases/(CT-\d{4}-\d{3})"', first.split('id="cases"')[1])
    assert len(references) == 50
    second = client.get("/?page=2").get_data(as_text=True)
    due = [
        datetime.strptime(text, "%A %d %B %Y").date()
        for page in (first, second)
        for text in re.findall(r'<span class="govuk-body-s">(\w+ \d+ \w+ \d{4})</span>', page)
    ]
    assert len(due) == 61 and due == sorted(due)
    rest = re.findall(r'href="/cases/(CT-\d{4}-\d{3})"', second.split('id="cases"')[1])
    assert len(rest) == 11 and not set(rest) & set(references)
    assert 'href="/?page=1"' in second and "Page 2 of 2" in second
    # A page past the end shows the last one; nonsense shows the first.
    assert "Page 2 of 2" in client.get("/?page=99").get_data(as_text=True)
    assert "Page 1 of 2" in client.get("/?page=x").get_data(as_text=True)


def test_late_recommendations_and_failed_messages_show_only_to_their_partnership(
    app, world, sessions
):
    from datetime import UTC

    from sqlalchemy import update

    from triggers.models import OutboxMessage

    with write_transaction(sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == world["message"])
            .values(status="failed", last_error="550 mailbox unavailable")
        )
    app.extensions["casereview"].clock = lambda: datetime(2026, 2, 10, 10, tzinfo=UTC)
    own, other = app.test_client(), app.test_client()
    sign_in(own, world["users"]["manager"])
    sign_in(other, world["users"]["other-manager"])
    mine = own.get("/").get_data(as_text=True)
    theirs = other.get("/").get_data(as_text=True)
    assert "Flag the address" in mine and "550 mailbox unavailable" in mine
    assert "Flag the address" not in theirs and "550 mailbox unavailable" not in theirs


def test_a_row_shows_the_rules_suggestion_while_the_threshold_is_undecided(
    app, world, sessions, partnership, policy
):
    """The suggestion is worked out for the cases awaiting a decision only, from their own
    incidents; a decided case shows the step its next deadline is for instead."""
    from tests.factories import one_incident

    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        met = new_case(session, merged, policy).reference
        lone = one_incident(date(2025, 11, 20))
        not_met = new_case(session, merged, policy, incidents=lone).reference
        decided = case_in_state(session, merged, policy, "threshold_met").reference
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get("/").get_data(as_text=True)

    def row(reference: str) -> str:
        found = re.search(rf"<tr[^>]*>\s*<td[^>]*><a[^>]*>{reference}</a>.*?</tr>", page, re.S)
        assert found, reference
        return found.group(0)

    assert "Rules suggest: met" in row(met)
    assert "Rules suggest: not met" in row(not_met)
    assert "Rules suggest" not in row(decided)
    assert "Panel meeting<br>" in row(decided) and "Acknowledge<br>" in row(met)


def test_a_case_page_reads_its_case_once_and_every_other_table_once(
    app, world, engine, sessions, partnership, policy
):
    """Round trips count at regional scale, most with the database on another machine: the
    case is read once, to show it (its view is appended afterwards without reading it
    again); its partnership, victim, applicant and lead agency come in the same query, the
    agencies' names are read once for every form on the page, and the signed-in person's
    row comes with their session's. Which of the case's collections hold rows is asked in
    one statement (workflows.describe; its first table is the deadlines'), and those that
    hold none are not read."""
    with write_transaction(sessions) as session:
        case = case_in_state(session, session.merge(partnership), policy, "panel_scheduled")
        case.lead_agency = case.agencies[0].agency
        reference = case.reference
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    with sent(engine) as statements:
        assert client.get(f"/cases/{reference}").status_code == 200
    counts = Counter(tables_read(statements))
    assert counts.pop("case_reviews") == 1
    assert not {"partnerships", "victims", "applicants", "users"} & set(counts), counts
    assert counts.pop("deadlines") == 2  # which collections hold rows, then the deadlines
    empty = {"recommendations", "case_themes", "appeals", "policing_body_reviews"}
    assert not empty & set(counts), counts
    assert max(counts.values()) == 1, counts


def test_the_dashboard_shows_each_case_s_language(app, world, sessions, partnership, policy):
    """Issue 21, "How it is shown": the manager sees which language to write to each
    applicant in, and where it is not known."""
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        for language in ("cy", "en"):
            new_case(session, merged, policy, correspondence_language=language)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    table = client.get("/").get_data(as_text=True).split('id="cases"')[1].split("</table>")[0]
    assert '<th scope="col" class="govuk-table__header">Letters in</th>' in table
    cells = re.findall(
        r'<td class="govuk-table__cell">(<span lang="cy">Cymraeg</span>|English|Not known)</td>',
        table,
    )
    assert Counter(cells) == {'<span lang="cy">Cymraeg</span>': 1, "English": 1, "Not known": 1}
