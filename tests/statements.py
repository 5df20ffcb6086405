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
        if verb == "WITH":  # one statement of several parts (the chain's append on PostgreSQL)
            seen.extend(_parts(statement))
            return
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement)
        seen.append(f"{verb} {table.group(1) if table else ''}".strip())

    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


def _parts(statement: str) -> list[str]:
    """Each part of a ``WITH`` statement as its verb and table, in order, leaving out the
    reads of its own named parts: "SELECT audit_chain", "INSERT audit_events", ..."""
    named = set(re.findall(r"(\w+) AS\s*\(", statement))
    found = re.finditer(
        r"\bSELECT\b.*?\bFROM\s+(\w+)|\bINSERT INTO\s+(\w+)|\bUPDATE\s+(\w+)", statement, re.S
    )
    parts = []
    for match in found:
        verb = match.group(0).split()[0].upper()
        table = next(name for name in match.groups() if name)
        if table not in named:
            parts.append(f"{verb} {table}")
    return parts


def tables_read(statements: list[str]) -> list[str]:
    """The table of each SELECT among ``statements`` (from ``sent``)."""
    return [text.split()[1] for text in statements if text.startswith("SELECT ")]
