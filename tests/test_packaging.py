"""Our packages share names with unrelated PyPI projects: make sure ours are the ones used."""

from pathlib import Path

import notifications
import triggers
import web
import workflows

ROOT = Path(__file__).resolve().parent.parent


def test_packages_come_from_this_checkout():
    for package in (triggers, workflows, notifications, web):
        assert Path(package.__file__).resolve().parent.parent == ROOT


def test_triggers_does_not_import_flask():
    import subprocess
    import sys

    code = (
        "import sys, triggers.models, triggers.threshold, triggers.calendar, "
        "triggers.accounts, triggers.schema; print('flask' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
