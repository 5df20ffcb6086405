"""A pooled PostgreSQL connection in a process with many open files (triggers.db)."""

from __future__ import annotations

import os
import resource

from sqlalchemy import text

from tests.conftest import POSTGRES_SERVER
from triggers.db import make_engine

#: select.select() refuses a file descriptor at or above FD_SETSIZE (1024 on Linux).
FD_SETSIZE = 1024


def test_a_healthy_connection_above_fd_setsize_is_usable():
    """demonstrates: triggers/db.py `_hung_up` checks the pooled socket with select.select(),
    which raises ValueError for a descriptor >= 1024; the except turns that into "hung up",
    so every checkout in a server holding more than ~1,000 files or sockets (threads, clients,
    uploads) raises DisconnectionError, reconnects, fails again, and the request gets
    'This connection is closed' (a 500) on a perfectly healthy database."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FD_SETSIZE + 200
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    opened = []
    engine = make_engine(POSTGRES_SERVER)
    try:
        while not opened or opened[-1] < FD_SETSIZE + 20:
            opened.append(os.open(os.devnull, os.O_RDONLY))
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
    finally:
        engine.dispose()
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
