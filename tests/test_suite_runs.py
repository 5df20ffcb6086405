"""How the suite is run: `make test` runs it on SQLite and on PostgreSQL at once, and the
PostgreSQL run holds only the tests that reach its database (tests/conftest.py)."""

from pathlib import Path
from types import SimpleNamespace

from tests import conftest

TESTS = Path(__file__).resolve().parent
VARIABLE = "CASEREVIEW_TEST_" + "DATABASE"


def test_a_test_learns_its_database_from_the_fixture_not_the_environment():
    """A test reading the variable itself would run in the SQLite run only."""
    readers = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("*.py")
        if path != TESTS / "conftest.py" and VARIABLE in path.read_text()
    ]
    assert readers == []


def test_a_test_on_the_database_reaches_the_fixture_the_postgresql_run_keeps(request, engine):
    assert "test_database" in request.fixturenames


def test_the_postgresql_run_keeps_exactly_the_tests_that_reach_its_database(monkeypatch):
    deselected = []
    config = SimpleNamespace(
        hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items))
    )
    direct, through, without = (
        SimpleNamespace(fixturenames=names)
        for names in (["test_database"], ["engine", "database_url", "test_database"], ["tmp_path"])
    )
    items = [direct, without, through]
    monkeypatch.setattr(conftest, "TEST_DATABASE", "postgresql")
    conftest.pytest_collection_modifyitems(config, items)
    assert items == [direct, through] and deselected == [without]


def test_the_sqlite_run_keeps_every_test(monkeypatch):
    config = SimpleNamespace(hook=SimpleNamespace(pytest_deselected=None))
    every = [SimpleNamespace(fixturenames=["tmp_path"]), SimpleNamespace(fixturenames=[])]
    items = list(every)
    monkeypatch.setattr(conftest, "TEST_DATABASE", "sqlite")
    conftest.pytest_collection_modifyitems(config, items)
    assert items == every
