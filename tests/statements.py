"""What a piece of code sends to the database, for tests that count round trips."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


@contextmanager
def sent(target: Connection | Engine) -> Iterator[list[str]]:
    """Each statement sent through ``target`` meanwhile, as its verb and first table:
    "SELECT deadlines", "INSERT audit_events", "UPDATE case_reviews"."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        verb = statement.lstrip().split()[0].upper()
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement)
        seen.append(f"{verb} {table.group(1) if table else ''}".strip())

    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


def tables_read(statements: list[str]) -> list[str]:
    """The table of each SELECT among ``statements`` (from ``sent``)."""
    return [text.split()[1] for text in statements if text.startswith("SELECT ")]
