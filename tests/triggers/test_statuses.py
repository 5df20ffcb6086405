"""The status and recipient words, named once (triggers.statuses), are the words stored."""

import ast
import re
from pathlib import Path

from sqlalchemy import inspect

from triggers.models import Deadline, OutboxMessage
from triggers.statuses import (
    DeadlineStatus,
    DeliveryOutcome,
    OutboxStatus,
    Recipients,
    RecommendationStatus,
    agency_of,
    agency_recipient,
)


def test_a_recipient_names_an_agency_or_none():
    assert agency_of(agency_recipient(12)) == 12
    assert agency_of(Recipients.ESCALATION) is None
    assert agency_of("applicant") is None
    assert agency_of("agency:") is None and agency_of("agency:x") is None


def test_the_members_are_the_stored_strings():
    assert OutboxStatus.PENDING == "pending" and f"{OutboxStatus.SENT}" == "sent"
    columns = inspect(OutboxMessage).columns
    assert columns["status"].default.arg == OutboxStatus.PENDING
    assert inspect(Deadline).columns["status"].default.arg == DeadlineStatus.RUNNING


#: The packages whose code reads and writes the status columns.
PACKAGES = ("triggers", "workflows", "notifications", "web")
#: Words that are only ever a status or an outcome: nowhere as a bare string.
STATUS_ONLY = {
    *(str(s) for s in OutboxStatus),
    *(str(s) for s in DeadlineStatus),
    *(str(s) for s in DeliveryOutcome),
} - {"held", "digest", "met"}
#: Every status word, also "met", "held", "open"...: not beside a status or an outcome.
EVERY_STATUS = {
    *STATUS_ONLY,
    "held",
    "digest",
    "met",
    *(str(s) for s in RecommendationStatus),
}
STATUS_NAMES = {"status", "outcome"}


def _is_status(node: ast.AST) -> bool:
    """``x.status``, ``Model.outcome``, ``status``: something holding a status."""
    if isinstance(node, ast.Attribute):
        return node.attr in STATUS_NAMES
    return isinstance(node, ast.Name) and node.id in STATUS_NAMES


def _words(node: ast.AST | None) -> list[str]:
    """The string constants of ``node`` (a constant, or a tuple, list or set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [word for item in node.elts for word in _words(item)]
    if isinstance(node, ast.IfExp):
        return _words(node.body) + _words(node.orelse)
    return []


def bare_status_words(source: str) -> list[tuple[int, str]]:
    """(line, word) for each status word written as a bare string in ``source``."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and node.value in STATUS_ONLY
            and id(node) not in docstrings
        ):
            found.append((node.lineno, node.value))
        for side in _beside_a_status(node):
            for word in _words(side):
                if word in EVERY_STATUS - STATUS_ONLY:
                    found.append((side.lineno, word))
    return found


def _beside_a_status(node: ast.AST) -> list[ast.AST]:
    """What ``node`` compares with, assigns or passes as a status or an outcome."""
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        return sides if any(_is_status(side) for side in sides) else []
    if isinstance(node, ast.Assign):
        targets = [t for target in node.targets for t in getattr(target, "elts", [target])]
        return [node.value] if any(_is_status(t) for t in targets) else []
    if isinstance(node, ast.keyword) and node.arg in STATUS_NAMES:
        return [node.value]
    return []


def test_no_status_word_is_written_bare():
    """Each status is its enum's member (triggers.statuses), so a word misspelt or
    renamed fails at import, not as a row no query ever finds again."""
    root = Path(__file__).parent.parent.parent
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "statuses.py" and path.parent.name == "triggers":
                continue
            for line, word in bare_status_words(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(root)}:{line}: {word!r}")
    assert found == []


#: A template's Jinja parts: ``{{ ... }}`` and ``{% ... %}``.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
#: A status compared with words: ``x.status == "sent"``, ``"sent" != x.status``,
#: ``x.outcome in ("a", "b")``.
_TEMPLATE_COMPARISON = re.compile(
    r"\b(?:status|outcome)\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*"
    r"(?P<after>\([^)]*\)|\[[^\]]*\]|\"[^\"]*\"|'[^']*')"
    r"|(?P<before>\"[^\"]*\"|'[^']*')\s*(?:==|!=)\s*[\w.]*\b(?:status|outcome)\b"
)


def bare_template_status_words(text: str) -> list[tuple[int, str]]:
    """(line, word) for each status word a template writes bare: a status-only word
    anywhere in its Jinja parts, any status word compared with a status."""
    found: list[tuple[int, str]] = []
    for part in _JINJA.finditer(text):
        line = text.count("\n", 0, part.start()) + 1
        for quoted in _QUOTED.finditer(part.group()):
            word = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            if word in STATUS_ONLY:
                found.append((line, word))
        for compared in _TEMPLATE_COMPARISON.finditer(part.group()):
            for quoted in _QUOTED.finditer(compared.group("after") or compared.group("before")):
                word = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
                if word in EVERY_STATUS - STATUS_ONLY:
                    found.append((line, word))
    return found


def test_no_status_word_is_written_bare_in_a_template():
    """The templates compare with the enums' members too (``OutboxStatus.FAILED``, Jinja
    globals of web/app.py): a renamed status fails the page, not a branch never taken."""
    root = Path(__file__).parent.parent.parent
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix not in (".html", ".txt") or "static" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for line, word in bare_template_status_words(text):
                found.append(f"{path.relative_to(root)}:{line}: {word!r}")
    assert found == []


def test_the_template_check_finds_a_bare_status_word():
    template = """{% if message.status == "failed" %}x{% endif %}
{{ "Sent" if m.status != 'sent' }}
{% if rec.status in ("open", "done") %}{% endif %}
{% if "held" == message.status %}{% endif %}
{% set waiting = "pending" %}
<p>It failed; {{ _s("Sent %(day)s", day=d) }} {{ "open" if door }}</p>"""
    assert sorted(bare_template_status_words(template)) == [
        (1, "failed"),
        (2, "sent"),
        (3, "done"),
        (3, "open"),
        (4, "held"),
        (5, "pending"),
    ]


def test_the_check_finds_a_bare_status_word():
    """The check above can fail: each way a status is written bare is found."""
    source = """
row.status = "pending"
if deadline.status == "met": pass
deadline.status, deadline.ended_on = "running", None
rec.status = "open" if late else "done"
MessageDelivery(outcome="retrying")
select(X).where(Deadline.status != "held")
'''A docstring may say "sent".'''
"""
    words = [word for _, word in bare_status_words(source)]
    assert sorted(words) == sorted(
        ["pending", "met", "running", "open", "done", "retrying", "held"]
    )
