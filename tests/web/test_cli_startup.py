"""`casereview` answers at once: `--help` imports none of what the commands work with, a
command imports its own module only, and the schema check does not import Alembic. Each
in a fresh interpreter, since this one has imported everything already."""

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import click.testing
import pytest

from tests.factories import application
from tests.web.conftest import ROOT
from web.case_cli import CORRECTIONS
from web.cli import COMMANDS
from web.cli_lazy import LazyCommand, load

#: What the commands work with, and what `--help` must not pay for.
HEAVY = ("sqlalchemy", "alembic", "holidays", "pydantic", "flask", "jinja2", "transitions")


def modules_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules loaded by `casereview ARGS`, run in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from web.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "finally:\n"
        "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_nothing_the_commands_work_with():
    loaded = modules_after("--help")
    assert top(loaded) & set(HEAVY) == set()
    assert {name for name in loaded if name.startswith(("triggers", "workflows"))} == set()
    assert {name for name in loaded if name.startswith("web.")} == {
        "web.cli",
        "web.cli_context",
        "web.cli_lazy",
    }


def test_a_command_imports_its_own_module_only():
    loaded = modules_after("stats", "--help")
    assert "web.figures_cli" in loaded
    assert {"web.case_cli", "web.serve_cli", "web.people_cli", "web.audit_cli"} & loaded == set()


def test_a_command_checks_the_schema_without_alembic(engine, database_url):
    """`case list` reads the database (its schema row first) without importing Alembic."""
    loaded = modules_after(
        "case",
        "list",
        env={"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(ROOT / "config.toml")},
    )
    assert "sqlalchemy" in top(loaded) and "alembic" not in top(loaded)


@pytest.mark.parametrize(
    ("name", "entry"),
    [*COMMANDS.items(), *(("case " + name, entry) for name, entry in CORRECTIONS.items())],
)
def test_each_listed_help_line_is_the_commands_own(name: str, entry: LazyCommand):
    command = load(entry)
    assert command.name == name.split()[-1]
    listed = click.Command(command.name, help=entry.help).get_short_help_str(200)
    assert listed == command.get_short_help_str(200)


def test_help_lists_every_command_as_when_all_are_loaded():
    """The lazy listing reads as click's own would, with every module imported."""
    from web.cli import main

    lazy = click.testing.CliRunner().invoke(main, ["--help"], terminal_width=100).output
    every = click.Group(
        main.name,
        params=main.params,
        help=main.help,
        commands={name: load(entry) for name, entry in COMMANDS.items()},
    )
    eager = click.testing.CliRunner().invoke(every, ["--help"], terminal_width=100).output
    assert lazy.replace("Usage: main", "Usage: casereview") == eager.replace(
        "Usage: main", "Usage: casereview"
    )
    assert "subject-access" in lazy and "case" in lazy


def test_stats_reads_the_figures_without_the_process_the_calendar_or_the_mappers(
    engine, database_url
):
    """`casereview stats` counts with Core queries of the year's rows: no process declaration
    (transitions, pydantic, the notifications), no bank holidays, no Flask, and no mapper
    configured (the models' relationships cost more than the year's aggregates)."""
    code = (
        "import json, sys\n"
        "from web.cli import main\n"
        "try:\n"
        "    main(['stats'])\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "finally:\n"
        "    from triggers.models import CaseReview\n"
        "    print(json.dumps([sorted(sys.modules), CaseReview.__mapper__.configured]),"
        " file=sys.stderr)\n"
    )
    env = {"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(ROOT / "config.toml")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded, configured = json.loads(done.stderr.strip().splitlines()[-1])
    assert top(set(loaded)) & {"holidays", *SHOWING_ONLY} == set()
    assert {name for name in loaded if name.startswith(("workflows", "notifications"))} == set()
    assert configured is False


#: What a command that only shows cases or figures must not import: the input's schemas
#: (pydantic), the letters' templates (Jinja), the senders (smtplib), the state machine
#: (transitions), the pages (Flask), and the libraries that check the configuration's rates
#: and e-mail addresses (limits, email-validator), which it never uses.
SHOWING_ONLY = (
    "pydantic",
    "jinja2",
    "smtplib",
    "transitions",
    "flask",
    "limits",
    "email_validator",
)


def test_case_show_reads_the_declaration_without_its_schemas_letters_or_senders(
    run, database_url, tmp_path: Path
):
    """`casereview case show` of a case with a clock running: the process's states and
    clocks and the working-day calendar, none of what applying a step or sending a letter
    needs. The same run with `case list` (which reads the same declaration)."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(application()))
    assert run("case", "open", str(path)).exit_code == 0
    env = {"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(ROOT / "config.toml")}
    for args in (("case", "show", "CT-2025-001"), ("case", "list")):
        loaded = modules_after(*args, env=env)
        assert "workflows.case_review" in loaded and "holidays" in top(loaded), args
        assert top(loaded) & set(SHOWING_ONLY) == set(), args
        assert {"workflows.schemas", "notifications.letters", "notifications.senders"} & (
            loaded
        ) == set(), args
