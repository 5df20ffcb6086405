"""`casereview case list`: the open cases, due first, a page at a time, in two queries
whatever the history holds."""

from datetime import date

from sqlalchemy import event

from tests.factories import case_in_state, new_case
from triggers.db import read_session, write_transaction
from workflows.case_list import list_cases
from workflows.machine import OPEN_STATES


def _cases(sessions, partnership, policy, received: list[date]) -> list[str]:
    with write_transaction(sessions) as session:
        return [new_case(session, partnership, policy, received_on=on).reference for on in received]


def test_the_list_shows_open_cases_due_first_and_ended_ones_only_when_asked(
    run, sessions, partnership, policy
):
    later, earlier = _cases(sessions, partnership, policy, [date(2025, 11, 24), date(2025, 11, 20)])
    with write_transaction(sessions) as session:
        withdrawn = case_in_state(session, partnership, policy, "withdrawn").reference

    listed = run("case", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    # Acknowledge-by Thursday 27 November for the earlier case, Monday 1 December for the later.
    assert [line.split()[0] for line in lines[:-1]] == [earlier, later]
    assert "Acknowledge due Thursday 27 November 2025" in lines[0]
    assert withdrawn not in listed.output
    assert lines[-1] == "Page 1 of 1: 2 open cases, 50 a page."

    every = run("case", "list", "--all")
    assert [line.split()[0] for line in every.output.splitlines()[:-1]] == [
        earlier,
        later,
        withdrawn,
    ]
    assert f"{withdrawn:<14} {'Withdrawn':<28} nothing due" in every.output
    assert every.output.splitlines()[-1] == "Page 1 of 1: 3 cases, 50 a page."

    only = run("case", "list", "--state", "withdrawn")
    assert only.output.splitlines() == [
        f"{withdrawn:<14} {'Withdrawn':<28} nothing due",
        "Page 1 of 1: 1 withdrawn case, 50 a page.",
    ]
    assert run("case", "list", "--state", "closed").output == "No closed cases.\n"


def test_a_bad_state_or_page_is_one_clear_line(run, sessions, partnership, policy):
    _cases(sessions, partnership, policy, [date(2025, 11, 20)])
    unknown = run("case", "list", "--state", "lost")
    assert unknown.exit_code == 2 and "'lost' is not one of" in unknown.output
    past = run("case", "list", "--page", "2")
    assert past.exit_code == 2 and "there is only 1 page" in past.output
    both = run("case", "list", "--all", "--state", "closed")
    assert both.exit_code == 2 and "--state and --all do not go together" in both.output
    assert "Traceback" not in unknown.output + past.output + both.output


def test_pages_follow_on_in_due_order(sessions, partnership, policy):
    received = [date(2025, 11, day) for day in (21, 17, 19, 18, 20)]
    references = _cases(sessions, partnership, policy, received)
    due_order = [ref for _, ref in sorted(zip(received, references, strict=True))]
    with read_session(sessions) as session:
        pages = [list_cases(session, OPEN_STATES, page, page_size=2) for page in (1, 2, 3)]
    assert [[case.reference for case in page.cases] for page in pages] == [
        due_order[0:2],
        due_order[2:4],
        due_order[4:],
    ]
    assert {(page.total, page.pages) for page in pages} == {(5, 3)}
    assert pages[0].cases[0].step == "acknowledge"


def test_a_page_costs_two_statements_whatever_the_number_of_cases(
    engine, sessions, partnership, policy
):
    """No deadline is loaded case by case: the page and the count, for 2 cases or for 8."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    spent = []
    for how_many in (2, 6):
        _cases(sessions, partnership, policy, [date(2025, 11, 20)] * how_many)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            with read_session(sessions) as session:
                listed = list_cases(session, OPEN_STATES, 1)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert all(case.due_on is not None for case in listed.cases)
        spent.append(sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")))
    assert spent == [2, 2]
