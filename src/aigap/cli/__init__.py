"""The `aigap` command line. Each sub-module registers its own commands on ``app``."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import typer

from aigap.cli.multivalue import defer, use_everywhere

app = typer.Typer(
    name="aigap",
    help="Diagnose a country's AI competitiveness gap with reproducible, inspectable numbers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_ROOT_DB = typer.Option(None, "--db", help="warehouse file for every command "
                        "(default: $AIGAP_DB or $AIGAP_HOME/warehouse.duckdb)")


@app.callback()
def _root(db: Path | None = _ROOT_DB) -> None:
    """Diagnose a country's AI competitiveness gap with reproducible, inspectable numbers."""
    from aigap.cli._common import reset_lang

    reset_lang()  # each command starts in English until its own --lang is parsed
    if db is not None:
        os.environ["AIGAP_DB"] = str(db)


# Modules that add commands to ``app`` (each exposes ``register(app)``).
_COMMAND_MODULES = [
    "aigap.cli.acceptability",
    "aigap.cli.analysis",
    "aigap.cli.claims",
    "aigap.cli.data",
    "aigap.cli.diagnosis",
    "aigap.cli.index",
    "aigap.cli.serve",
    "aigap.cli.report",
    "aigap.cli.strategy",
    "aigap.cli.tournament",
    "aigap.cli.targets",
    "aigap.cli.robustness",
    "aigap.cli.reconcile",
    "aigap.cli.audit",
]

for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)
use_everywhere(app)  # --vs USA CHN: multi-value options (aigap.cli.multivalue)
# `aigap data kosis|kipris` (HTTP clients, pandas) load when `aigap data ...` is used.
defer("data", importlib.import_module("aigap.cli.data").data_app, ["aigap.cli.official"])


def main() -> None:
    """Run the CLI; usage errors (bad option values) print one line, like other user errors."""
    from aigap.cli._common import err_console

    try:  # recent Typer vendors click as typer._click; older ones use click itself
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # pragma: no cover - depends on the Typer version
        from click.exceptions import ClickException

        class NoArgsIsHelpError(Exception):  # type: ignore[no-redef]
            """Not raised by click itself (it shows help on its own)."""
    from typer import Abort

    try:
        rv = app(args=sys.argv[1:], prog_name="aigap",
                 standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(0)
    except ClickException as exc:
        cmd = getattr(getattr(exc, "ctx", None), "command_path", "aigap")
        msg = exc.format_message().replace("Value error, ", "")
        err_console.print(f"[bold red]error:[/] {msg} (see `{cmd} --help`)",
                          highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except Abort:
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
