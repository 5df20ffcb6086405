"""`make run` beside another server: one line that says so, before anything is touched."""

import socket
import subprocess

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from tests.conftest import ROOT
from web.cli import main


@pytest.fixture
def taken_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_one_line_before_the_database_is_touched(tmp_path, taken_port, command):
    database = tmp_path / "fresh.db"
    result = CliRunner().invoke(
        main,
        [command, "--host", "127.0.0.1", "--port", str(taken_port)],
        env={
            "DATABASE_URL": f"sqlite:///{database}",
            "CASEREVIEW_CONFIG": str(ROOT / "config.toml"),
        },
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"port {taken_port} on 127.0.0.1 is already in use" in lines[0]
    assert f"make run PORT={taken_port + 1}" in lines[0]
    assert "Traceback" not in result.output
    # Nothing was created or loaded: the demo did not run against a database first.
    assert inspect(create_engine(f"sqlite:///{database}")).get_table_names() == []


def test_make_run_takes_the_port():
    planned = subprocess.run(
        ["make", "-n", "-o", "install", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "casereview demo --port 8001" in planned
    default = subprocess.run(
        ["make", "-n", "-o", "install", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--port" not in default
