"""Who may do what is decided in one place, ``workflows.permissions``: no page, API view,
command or template compares a person's role by hand (issue 17)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from workflows.permissions import ROLES

ROOT = Path(__file__).parent.parent.parent
#: The packages whose code decides who may do what, and the templates that show it.
PACKAGES = ("triggers", "workflows", "notifications", "web")
#: The one module allowed to compare roles.
PERMISSIONS = Path("workflows/permissions.py")
#: The permissions' names for roles and groups of roles.
ROLE_NAMES = {"MANAGER", "VIEWER", "CHAIR", "AGENCY", "PANEL", "AGENCY_ROLES", "MANAGER_ONLY"}


def _is_role(node: ast.AST) -> bool:
    """``user.role``, ``actor.role``, ``role``: something holding a person's role."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role"
    return isinstance(node, ast.Name) and node.id == "role"


def _names_a_role(node: ast.AST) -> bool:
    """A role's word ("manager"), a permissions constant for one (``MANAGER``), or a
    tuple, list or set of them."""
    if isinstance(node, ast.Constant):
        return node.value in ROLES
    if isinstance(node, ast.Attribute):
        return node.attr in ROLE_NAMES
    if isinstance(node, ast.Name):
        return node.id in ROLE_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_a_role(item) for item in node.elts)
    return False


def role_comparisons(source: str) -> list[int]:
    """The lines of ``source`` that compare a role with a role by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_role(side) for side in sides) and any(
                _names_a_role(side) for side in sides if not _is_role(side)
            ):
                found.append(node.lineno)
    return found


_TEMPLATE_COMPARISON = re.compile(
    r"\brole\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*(?P<other>[^%}]*)"
    r"|(?P<before>[\"']\w+[\"'])\s*(?:==|!=)\s*[\w.]*\brole\b"
)
_ROLE_WORD = re.compile(
    r"[\"'](?:" + "|".join(ROLES) + r")[\"']|\b(?:" + "|".join(ROLE_NAMES) + r")\b"
)


def template_role_comparisons(text: str) -> list[int]:
    """The lines of a template that compare a role with a role by hand."""
    found = []
    for match in _TEMPLATE_COMPARISON.finditer(text):
        other = match.group("other") or match.group("before") or ""
        if _ROLE_WORD.search(other):
            found.append(text.count("\n", 0, match.start()) + 1)
    return found


def test_no_role_is_compared_outside_the_permissions():
    """Each decision asks ``permissions.may`` / ``require`` (or a helper of theirs), so a
    role given a new right, or losing one, changes in one table, not in twenty files."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT) == PERMISSIONS:
                continue
            for line in role_comparisons(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}")
        for path in sorted((ROOT / package).rglob("*.html")):
            for line in template_role_comparisons(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []


def test_the_check_finds_a_role_compared_by_hand():
    source = """
if current_user.role != "manager": pass
if actor.role == permissions.PANEL and actor.agency_id: pass
ok = role in AGENCY_ROLES
ok = actor.role in ("manager", None)
ok = link.role == "lead"
ok = actor.role in step.roles
"""
    assert sorted(role_comparisons(source)) == [2, 3, 4, 5]
    template = """{% if current_user.role == "manager" %}
{{ "Lead" if link.role == "lead" else "Involved" }}
{% if "chair" == current_user.role %}"""
    assert template_role_comparisons(template) == [1, 3]
