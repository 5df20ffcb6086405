"""Where the bytes of documents live: behind one small interface, so that a later object
store (S3, Azure Blob) is one more class and nothing else changes.

Two stores ship: a folder (``documents.storage = "folder"``, files private to the service's
account as every file of personal data is, ``triggers.private_files``) and the database
itself (``"database"``: one backup holds everything). Either way a store's writes follow the
transaction of the document's row: a file written for an upload that then fails is removed
when the transaction rolls back, and a file deleted (retention) goes only once the deletion
is committed, so a row never points at nothing and nothing is left behind by a failure.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from triggers.config import Config, relative_path
from triggers.models import DocumentContent
from triggers.private_files import private_folder, write_private_bytes

_AFTER_COMMIT = "casereview_after_commit"
_AFTER_ROLLBACK = "casereview_after_rollback"


class DocumentMissing(Exception):
    """The store has no content for a key, or content that is not what was stored."""


class DocumentStore(Protocol):
    """Keeps document bytes by key, in step with ``session``'s transaction."""

    def put(self, session: Session, key: str, content: bytes) -> None: ...

    def get(self, session: Session, key: str) -> bytes: ...

    def delete(self, session: Session, key: str) -> None: ...


def new_key() -> str:
    """A random key: a file's name never reaches a path or a query."""
    return secrets.token_hex(16)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session``'s transaction has committed (never if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if ``session``'s transaction rolls back (never if it commits)."""
    session.info.setdefault(_AFTER_ROLLBACK, []).append(action)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_AFTER_ROLLBACK, None)
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    for action in session.info.pop(_AFTER_ROLLBACK, []):
        action()


class FolderStore:
    """Files under one folder, two levels deep by key (ab/abcdef...), each 0600."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        if len(key) < 3 or not all(c in "0123456789abcdef" for c in key):
            raise DocumentMissing(f"not a document key: {key!r}")
        return self.folder / key[:2] / key

    def put(self, session: Session, key: str, content: bytes) -> None:
        path = self._path(key)
        private_folder(path.parent)
        write_private_bytes(path, content)
        on_rollback(session, lambda: path.unlink(missing_ok=True))

    def get(self, session: Session, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentMissing(f"no file for document {key}") from None

    def delete(self, session: Session, key: str) -> None:
        path = self._path(key)
        on_commit(session, lambda: path.unlink(missing_ok=True))


class DatabaseStore:
    """Rows of ``document_contents``: written and deleted in the transaction itself."""

    def put(self, session: Session, key: str, content: bytes) -> None:
        session.add(DocumentContent(key=key, data=content))

    def get(self, session: Session, key: str) -> bytes:
        content = session.scalar(select(DocumentContent.data).where(DocumentContent.key == key))
        if content is None:
            raise DocumentMissing(f"no content for document {key}")
        return content

    def delete(self, session: Session, key: str) -> None:
        session.execute(delete(DocumentContent).where(DocumentContent.key == key))


def store_for(config: Config) -> DocumentStore:
    """The store ``config`` names (``[documents] storage``)."""
    if config.documents.storage == "database":
        return DatabaseStore()
    return FolderStore(relative_path(config, config.documents.folder))
