"""A read path holds the audit chain's head only for the view's append and the commit.

The head is the one row every writer of the installation queues for (triggers.audit): a
view appended before the page or the answer is built would hold it while Python works, and
every other view and step would wait (issue 22). The statements a request sends are
recorded in order: once the head is touched, nothing but the chain's own statements may
come before the COMMIT.
"""

import threading

import pytest
from sqlalchemy import event, select

from tests.conftest import make_token
from tests.factories import SAMPLE_NOW
from tests.web.test_access import sign_in
from triggers.audit import append_at_commit, verify_chain
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview

#: The chain's own tables: the only ones a transaction may touch once it holds the head.
CHAIN_TABLES = ("audit_chain", "audit_events")


def held_with_the_head(sent: list[str]) -> list[list[str]]:
    """For each transaction that touched the chain's head: what it sent from then on up to
    its COMMIT (the COMMIT included)."""
    spans, current = [], None
    for statement in sent:
        if current is None and "audit_chain" in statement:
            current = []
        if current is not None:
            current.append(statement)
            if statement == "COMMIT":
                spans.append(current)
                current = None
    assert current is None, f"the head was still held when the request ended: {current}"
    return spans


def only_the_chain(span: list[str]) -> bool:
    *held, commit = span
    return commit == "COMMIT" and all(
        any(table in statement for table in CHAIN_TABLES) for statement in held
    )


def viewed(sessions) -> list[str]:
    with read_session(sessions) as session:
        return [
            audit.data["what"]
            for audit in session.scalars(
                select(AuditEvent).where(AuditEvent.event == "viewed").order_by(AuditEvent.id)
            )
        ]


def test_the_api_case_read_holds_the_head_only_to_append_its_view_and_commit(
    client, world, sessions, partnership, statements
):
    token = make_token(sessions, partnership, "manager", "api@example.org")
    statements.clear()
    response = client.get(
        f"/api/v1/cases/{world['case']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    spans = held_with_the_head(statements)
    assert len(spans) == 1 and only_the_chain(spans[0]), spans
    # The answer was built before the head was taken: the case's rows were read before it.
    assert any("case_reviews" in s for s in statements[: statements.index(spans[0][0])])
    assert viewed(sessions) == ["API"]
    with read_session(sessions) as session:
        assert verify_chain(session).intact


def test_the_case_page_holds_the_head_only_to_append_its_view_and_commit(
    app, world, sessions, statements
):
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    statements.clear()
    assert client.get(f"/cases/{world['case']}").status_code == 200
    spans = held_with_the_head(statements)
    assert len(spans) == 1 and only_the_chain(spans[0]), spans
    assert viewed(sessions) == ["case page"]
    with read_session(sessions) as session:
        assert verify_chain(session).intact


def test_a_view_is_appended_after_the_transaction_s_own_writes(sessions, world, statements):
    """Recorded first and the case changed after: the view still goes last."""
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == world["case"]))
        append_at_commit(
            session,
            {
                "partnership_id": case.partnership_id,
                "case_id": case.id,
                "at": SAMPLE_NOW,
                "actor": "reader@example.org",
                "event": "viewed",
                "data": {"what": "test"},
            },
        )
        case.dissatisfaction = f"{case.dissatisfaction} (read)"
    spans = held_with_the_head(statements)
    assert len(spans) == 1 and only_the_chain(spans[0]), spans
    assert viewed(sessions) == ["test"]


def test_a_view_rolled_back_is_not_written(sessions, world):
    with pytest.raises(RuntimeError), write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == world["case"]))
        append_at_commit(
            session,
            {
                "partnership_id": case.partnership_id,
                "case_id": case.id,
                "at": SAMPLE_NOW,
                "actor": "reader@example.org",
                "event": "viewed",
            },
        )
        raise RuntimeError("the page failed")
    assert viewed(sessions) == []
    with write_transaction(sessions) as session:
        pass  # a later transaction of another session commits nothing left behind
    assert viewed(sessions) == []


def test_views_from_many_threads_keep_the_chain_intact(app, world, sessions, partnership):
    """Concurrent readers each append their view at commit; the chain never forks."""
    token = make_token(sessions, partnership, "manager", "api@example.org")
    failures: list[int] = []

    def read() -> None:
        client = app.test_client()
        for _ in range(5):
            answer = client.get(
                f"/api/v1/cases/{world['case']}", headers={"Authorization": f"Bearer {token}"}
            )
            if answer.status_code != 200:
                failures.append(answer.status_code)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert viewed(sessions) == ["API"] * 20
    with read_session(sessions) as session:
        assert verify_chain(session).intact


#: What a statement that writes or takes a write lock begins with, or holds.
WRITING = ("INSERT", "UPDATE", "DELETE", "WITH", "BEGIN IMMEDIATE")


def writing_spans(sent: list[str]) -> list[list[str]]:
    """For each transaction that wrote or took a write lock: what it sent from its first
    such statement up to its COMMIT."""
    spans, current = [], None
    for statement in sent:
        if current is None and (statement.startswith(WRITING) or "FOR UPDATE" in statement):
            current = []
        if current is not None:
            current.append(statement)
            if statement == "COMMIT":
                spans.append(current)
                current = None
    assert current is None, f"a write was still open when the request ended: {current}"
    return spans


def only_its_view(sent: list[str]) -> bool:
    """One writing transaction, the view's: from its write lock (SQLite's BEGIN IMMEDIATE)
    to its COMMIT, nothing but the chain's own statements (no read under the lock)."""
    spans = writing_spans(sent)
    return len(spans) == 1 and all(
        any(table in statement for table in CHAIN_TABLES)
        for statement in spans[0]
        if statement not in ("BEGIN IMMEDIATE", "COMMIT")
    )


@pytest.mark.parametrize(
    "path, what",
    [
        ("/api/v1/cases/{case}", "API"),
        ("/api/v1/cases/{case}/documents", "API documents"),
        ("/api/v1/cases/{case}/notes", "API notes"),
    ],
)
def test_an_api_read_writes_nothing_but_its_view(
    client, world, sessions, partnership, statements, path, what
):
    """Not the token's last use (recorded moments ago), nor a write lock over the reads."""
    token = make_token(sessions, partnership, "manager", "api@example.org")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200  # the token's use
    statements.clear()
    assert client.get(path.format(case=world["case"]), headers=headers).status_code == 200
    assert only_its_view(statements), statements
    assert viewed(sessions) == [what]


def test_the_case_page_writes_nothing_but_its_view(app, world, sessions, statements):
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    statements.clear()
    assert client.get(f"/cases/{world['case']}").status_code == 200
    assert only_its_view(statements), statements
    assert viewed(sessions) == ["case page"]


def test_on_postgresql_the_view_is_committed_by_the_server_as_its_statement_ends(
    client, world, sessions, partnership, engine
):
    """No COMMIT round trip while the head is held (the client's thread may wait for the GIL
    before it could send one): the append runs in autocommit. SQLite's writers are one at a
    time, and its append is a write transaction as before."""
    token = make_token(sessions, partnership, "manager", "api@example.org")
    autocommitted: list[bool] = []

    def executed(conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "audit_chain" in statement:
            # psycopg's own flag (the driver's state, not what was asked of it); pysqlite
            # on Python 3.11 has none: its transactions are the BEGINs triggers.db sends.
            autocommitted.append(getattr(conn.connection.dbapi_connection, "autocommit", False))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        answer = client.get(
            f"/api/v1/cases/{world['case']}", headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    assert answer.status_code == 200
    postgresql = engine.dialect.name == "postgresql"
    assert autocommitted and all(is_auto == postgresql for is_auto in autocommitted)
    with read_session(sessions) as session:
        assert verify_chain(session).intact
