"""The web tests' shared world: one case in appeal, and a person in every role."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select

from tests.factories import case_in_state
from triggers.accounts import create_token, hash_password
from triggers.config import PartnershipConfig
from triggers.db import write_transaction
from triggers.models import Agency, PublishedFigures, User
from triggers.partnerships import sync_partnership

ROOT = Path(__file__).resolve().parents[2]

PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


@pytest.fixture
def world(app, sessions, partnership, policy, config, now):
    from sqlalchemy import select

    from triggers.models import OutboxMessage

    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "appeal")
        merged = session.merge(partnership)
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        housing = session.scalar(select(Agency).where(Agency.name == "Example Housing Association"))
        users = {}
        other = sync_partnership(
            session,
            type(config)(partnership=PartnershipConfig(name="Melton CSP", code="MB")),
            now,
        )
        for role, name, agency, where in (
            ("manager", "manager", None, merged),
            ("viewer", "viewer", None, merged),
            ("chair", "chair", None, merged),
            ("agency", "agency-in", police, merged),
            ("agency", "agency-out", housing, merged),
            ("panel", "panel-in", police, merged),
            ("panel", "panel-out", housing, merged),
            ("manager", "other-manager", None, other),
        ):
            session.add(
                User(
                    partnership=where,
                    email=f"{name}@example.org",
                    password_hash=HASH,
                    role=role,
                    is_active=True,
                    created_at=now,
                    agency_id=agency.id if agency else None,
                )
            )
            users[name] = f"{name}@example.org"
        message = session.scalars(select(OutboxMessage)).first()
        message.status = "failed"
        session.add(  # a published version of the figures (web/published.py)
            PublishedFigures(
                partnership=merged,
                start_year=2025,
                version=1,
                published_at=now,
                published_on=now.date(),
                published_by="manager@example.org",
                is_provisional=True,
                reason="",
                index_html="<!DOCTYPE html><title>Figures</title>",
                figures_csv="partnership,year\n",
                figures_json="{}\n",
            )
        )
        session.flush()
        viewer = session.scalar(select(User.id).where(User.email == users["viewer"]))
        document, note = _papers(session, case, config, now)
        return {
            "document": document,
            "note": note,
            "person": viewer,
            "case": case.reference,
            "message": message.id,
            "users": users,
            "recommendation": case.recommendations[0].id,
        }


def _papers(session, case, config, now):
    """A document from the police and a fresh note by the manager on the world's case (rows
    written directly: the world's audit trail stays as the other tests know it)."""
    from triggers.document_store import new_key, store_for
    from triggers.models import Document, Note

    key = new_key()
    store_for(config).put(session, key, PDF)
    police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
    manager = session.scalar(select(User).where(User.email == "manager@example.org"))
    document = Document(
        case_id=case.id,
        title="Police chronology",
        file_name="chronology.pdf",
        kind="pdf",
        media_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
        storage_key=key,
        agency=police,
        added_at=now,
        added_by="manager@example.org",
    )
    note = Note(
        case_id=case.id,
        kind="call",
        occurred_on=now.date(),
        with_whom="the victim",
        text="Called the victim.",
        author="manager@example.org",
        author_user_id=manager.id,
        added_at=now,
    )
    session.add_all([document, note])
    session.flush()
    return document.id, note.id


#: A PDF as small as a reader accepts, for uploads.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: The API people of the shared world: name → (role, agency).
API_PEOPLE = {
    "manager": ("manager", None),
    "viewer": ("viewer", None),
    "chair": ("chair", None),
    "agency-in": ("agency", "Leicestershire Police"),
    "agency-out": ("agency", "Example Housing Association"),
    "panel-in": ("panel", "Leicestershire Police"),
    "panel-out": ("panel", "Example Housing Association"),
    "other-manager": ("manager", None),
}


@pytest.fixture
def tokens(world, sessions, now):
    """An API token for each person of the shared world (their role, agency and partnership)."""
    with write_transaction(sessions) as session:
        found = {}
        for name, (role, agency_name) in API_PEOPLE.items():
            user = session.scalar(select(User).where(User.email == f"{name}@example.org"))
            agency = session.scalar(select(Agency).where(Agency.name == agency_name))
            assert user.role == role and (agency is None or user.agency_id == agency.id)
            found[name] = create_token(session, user, now)
    return found


@pytest.fixture
def statements(engine) -> Iterator[list[str]]:
    """Every statement the engine sends, and each COMMIT, in order."""
    sent: list[str] = []

    def executed(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    def committed(_conn) -> None:  # type: ignore[no-untyped-def]
        sent.append("COMMIT")

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    yield sent
    event.remove(engine, "before_cursor_execute", executed)
    event.remove(engine, "commit", committed)
