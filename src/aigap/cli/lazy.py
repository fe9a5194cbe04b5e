"""Command groups that import a command's module only when that command runs.

`aigap --help` lists every command from a table of (name -> module, one-line help) without
importing any command module, and `aigap gap ...` imports the one module that holds `gap`
(each module exposes ``register(app)``). The group's own help is click's plain layout: rich's
help formatter alone costs more start-up time than the target for `aigap --help`; each
command's ``--help`` keeps rich's layout.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

from typer.core import TyperGroup

# name -> (module with ``register(app)``, the one line the group's help shows)
Commands = Mapping[str, tuple[str, str]]


class LazyGroup(TyperGroup):
    """A group whose commands come from :attr:`COMMANDS`, each module imported on first use."""

    COMMANDS: ClassVar[Commands] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rich_markup_mode = None  # plain help for the group itself (see the module doc)
        self._loaded: set[str] = set()

    def _load(self, module: str) -> None:
        import typer
        from typer.main import get_group

        from aigap.cli.multivalue import use_everywhere

        if module in self._loaded:
            return
        self._loaded.add(module)
        sub = typer.Typer()
        importlib.import_module(module).register(sub)
        use_everywhere(sub)
        for name, cmd in get_group(sub).commands.items():
            self.add_command(cmd, name)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.COMMANDS:
            self._load(self.COMMANDS[cmd_name][0])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*(c for c in self.commands if c not in self.COMMANDS), *self.COMMANDS]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands and their one-line help, without importing their modules."""
        rows = [(name, self.COMMANDS[name][1] if name in self.COMMANDS
                 else self.commands[name].get_short_help_str(200))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def lazy_group(commands: Commands) -> type[LazyGroup]:
    """A :class:`LazyGroup` class for these commands (``typer.Typer(cls=...)``)."""
    return type("LazyCommands", (LazyGroup,), {"COMMANDS": dict(commands)})
