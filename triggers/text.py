"""What text and numbers the service accepts, the same on every channel and both databases.

Pages, the API, the CLI and the spreadsheet import all pass what people type through these
rules, so one channel never stores what another refuses:

- no control characters (NUL, escape, ...): PostgreSQL refuses NUL outright, SQLite stores
  it, and either way it breaks letters and exports. Tab and new lines only in multi-line text.
- no line break in a single-line field (a name, a reference, a subject): such text ends up
  in e-mail headers and letter address blocks, where a line break is an injection or a
  failure that repeats on every retry.
- whole numbers in ASCII digits only and within a range: ``str.isdigit()`` is true for "²"
  and "٣", and a number past 64 bits cannot be bound as a query parameter.
- an e-mail address is exactly one address (no comma-separated second recipient), checked
  by the ``email-validator`` package without any DNS look-up.
"""

from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email

#: C0 control characters and DEL, less tab, line feed and carriage return (which browsers
#: send in every multi-line field as CR LF).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Everything ``str.splitlines`` breaks a line at, and tab: none of it in a one-line field.
LINE_BREAK = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_ASCII_NUMBER = re.compile(r"[0-9]{1,20}")
#: The largest id a database integer column (32-bit signed) holds.
LARGEST_ID = 2**31 - 1


def control_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None; tab and new lines are allowed here."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return f"must not contain control characters (found {_name(found.group())})"


def one_line_problem(text: str) -> str | None:
    """Why ``text`` is not one line of plain text, or None."""
    if problem := control_problem(text):
        return problem
    if LINE_BREAK.search(text):
        return "must be on one line (no line breaks or tabs)"
    return None


def strings_with_control(data: Any, where: str = "") -> dict[str, str]:
    """Each string (or key) inside nested dicts and lists that holds a control character,
    by its dotted path: what a JSON body or a form post would store."""
    found: dict[str, str] = {}
    if isinstance(data, str):
        if problem := control_problem(data):
            found[where or "body"] = problem
    elif isinstance(data, dict):
        for key, value in data.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and (problem := control_problem(key)):
                found[where or "body"] = f"has a field name that {problem}"
            found.update(strings_with_control(value, path))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(strings_with_control(value, f"{where}.{index}" if where else str(index)))
    return found


def header_text(text: str) -> str:
    """Text made safe for one header line (a subject, a name): every run of control
    characters, line breaks and spaces becomes one space. For text stored before the
    one-line rule, or from templates: what the channels check, this makes sure of."""
    return " ".join(LINE_BREAK.sub(" ", CONTROL.sub(" ", text)).split())


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``, written in ASCII digits; None when
    it is anything else (empty, "²", "1e3", " 3", "-1", a number too big for the database)."""
    if text is None or not _ASCII_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def email_problem(address: str) -> str | None:
    """Why ``address`` is not exactly one e-mail address, or None (no DNS look-up)."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return f"is not an e-mail address, like name@example.org ({error})"
    return None


def _name(character: str) -> str:
    return {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL"}.get(character, f"U+{ord(character):04X}")
