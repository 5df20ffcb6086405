"""The packages depend one way (README, Architecture): web → workflows → notifications →
triggers, and migrations → triggers. A module importing against the arrow fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: package → the project's packages it must never import.
FORBIDDEN = {
    "triggers": {"workflows", "notifications", "web", "migrations"},
    "notifications": {"workflows", "web", "migrations"},
    "workflows": {"web", "migrations"},
    # A migration describes its tables with sa.table(), never the live models: a model that
    # gains a column later would break every migration written before it (issue 17).
    "migrations": {"workflows", "notifications", "web", "triggers.models"},
}
#: module → what it may import all the same, and why.
ALLOWED = {
    # Alembic's environment hands autogenerate the live models to compare with the database.
    "migrations/env.py": {"triggers.models"},
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    against = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        module = str(path.relative_to(ROOT))
        imported = imported_packages(path) | imported_modules(path)
        against[module] = sorted(imported & FORBIDDEN[package] - ALLOWED.get(module, set()))
    assert {module: wrong for module, wrong in against.items() if wrong} == {}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from triggers import models`` imports triggers.models too.
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_web_modules_do_not_import_the_application_back():
    """``services()`` lives in web.services: a page needs the application's services, not
    the module that builds the application (only the CLI's `serve`, which serves it, imports
    that)."""
    importers = {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "web").rglob("*.py"))
        if "web.app" in imported_modules(path)
    }
    assert importers <= {"web/serve_cli.py"}


def test_the_models_and_the_audit_trail_do_not_import_each_other():
    assert "triggers.audit" not in imported_modules(ROOT / "triggers" / "models.py")


def test_the_sub_command_modules_do_not_import_the_command_line_back():
    """Each ``web/*_cli.py`` declares its commands; ``web.cli`` names them in its lazy table:
    none imports ``web.cli`` back or takes its private names."""
    importers = [
        path.name
        for path in sorted((ROOT / "web").glob("*_cli.py"))
        if "web.cli" in imported_modules(path)
    ]
    assert importers == []
