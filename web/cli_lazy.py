"""Command groups whose sub-commands are imported only when one of them runs.

A command's module imports what it works with (SQLAlchemy, the models, the calendar,
Alembic, WeasyPrint...): registering every module at start made `casereview --help` take
over a second. A ``LazyGroup`` names each sub-command's ``module:attribute`` and its one-line
help instead, so that a listing imports nothing and a command imports only its own module
(tests/web/test_cli_startup.py keeps both true, and each listed help equal to the command's).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """A sub-command known by name before its module is imported."""

    #: ``module:attribute`` of the click command.
    target: str
    #: The line `--help` shows for it: its docstring's first sentence.
    help: str


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module when that sub-command is asked for."""

    def __init__(self, *args: Any, lazy: dict[str, LazyCommand] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load(self.lazy[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a command not yet imported is listed with its help from the table."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                # Shortened as click shortens a loaded command's help (its public way).
                stand_in = click.Command(name, help=self.lazy[name].help)
                rows.append((name, stand_in.get_short_help_str(limit)))
            elif not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def load(command: LazyCommand) -> click.Command:
    """Import ``command``'s module and return the click command it names."""
    module, _, attribute = command.target.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, click.Command):
        raise TypeError(f"{command.target} is not a click command")
    return found
