"""Files that hold personal data (the SQLite database, backups, letters written as .eml) are
readable by the service's own account only: 0600 files in 0700 folders, whatever the umask.

UK GDPR Article 32 asks for security of processing; on a shared server a world-readable
(0644) backup gives every local account every case file. The published figures are public
and are not written through here.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

#: Read and write for the owner, nothing for anyone else.
PRIVATE_FILE = 0o600
#: The owner may list, enter and write; nobody else may.
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """Make ``path`` and any missing parents as private folders; folders that already exist
    are left as they are (they may be the administrator's choice, such as a mail spool)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # made by another process in between: fine
            continue
        os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is masked by the umask
    return path


def new_private_file(path: Path) -> Path:
    """Create ``path`` empty and private; refuse (FileExistsError) if it exists, so a backup
    is never written over and nobody can slip in a file to be written into."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return path


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a private file (made private if it was not)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb", closefd=False) as handle:
            handle.write(data)
    finally:
        os.close(descriptor)


def make_private(*paths: Path) -> None:
    """Take group and world access away from files that exist (an older install's 0644
    database); a file owned by another account is logged, not fatal."""
    for path in paths:
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                os.chmod(path, PRIVATE_FILE)
        except PermissionError:
            log.warning("%s is readable by other accounts and not ours to change", path)
