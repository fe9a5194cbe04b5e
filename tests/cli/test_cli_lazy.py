"""The lazy command table: `aigap --help` from COMMANDS without importing command modules."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer
from typer.main import get_group
from typer.testing import CliRunner

from aigap.cli import COMMANDS, app
from aigap.cli.data import OFFICIAL
from aigap.cli.multivalue import MultiValueCommand

TABLES = {"aigap": COMMANDS, "aigap data": OFFICIAL}


def _probe(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (start-up imports are per process)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def _registered(module: str) -> dict[str, object]:
    sub = typer.Typer()
    importlib.import_module(module).register(sub)
    return dict(get_group(sub).commands)


@pytest.mark.parametrize("group", TABLES)
def test_table_matches_the_commands(group: str) -> None:
    """Each module registers exactly the names the table gives it, each with that help."""
    table = TABLES[group]
    for module in sorted({m for m, _ in table.values()}):
        cmds = _registered(module)
        assert sorted(cmds) == sorted(n for n, (m, _) in table.items() if m == module), module
        for name, cmd in cmds.items():
            first = (cmd.help or "").strip().split("\n\n")[0]  # type: ignore[attr-defined]
            assert " ".join(first.split()) == table[name][1], name


def test_help_imports_no_command_module() -> None:
    code = ("import sys, io, contextlib\nimport aigap.cli as c\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try:\n        c.app(['--help'], prog_name='aigap', standalone_mode=False)\n"
            "    except SystemExit:\n        pass\n"
            "assert 'what-it-takes' in out.getvalue(), out.getvalue()\n"
            "print(sorted(m for m in sys.modules if m.startswith(('aigap', 'rich', 'yaml'))))")
    assert _probe(code) == "['aigap', 'aigap.cli', 'aigap.cli.lazy']"


def test_help_lists_every_command_in_order() -> None:
    res = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert res.exit_code == 0
    where = [res.stdout.index(f"\n  {name} ") for name in COMMANDS]
    assert where == sorted(where)
    assert "Difference, ratio and orders of magnitude against others" in res.stdout


def test_a_command_loads_its_module_only() -> None:
    code = ("import sys\nfrom typer.testing import CliRunner\nimport aigap.cli as c\n"
            "r = CliRunner().invoke(c.app, ['tournament', '--help'])\nassert r.exit_code == 0\n"
            "print(sorted(m for m in sys.modules if m.startswith('aigap.cli.')))")
    assert _probe(code) == ("['aigap.cli._common', 'aigap.cli.lazy', 'aigap.cli.multivalue', "
                   "'aigap.cli.render', 'aigap.cli.tournament']")


def test_loaded_commands_take_multi_value_options() -> None:
    cmd = typer.main.get_command(app).get_command(None, "gap")  # type: ignore[attr-defined]
    assert isinstance(cmd, MultiValueCommand)


def test_unknown_command_is_a_usage_error() -> None:
    res = CliRunner().invoke(app, ["gapp"])
    assert res.exit_code == 2 and "No such command 'gapp'" in res.output


def test_a_gap_sentence_loads_neither_scipy_nor_the_index_engine() -> None:
    """`aigap gap` says its sentence without the trend, decomposition or targets analyses."""
    code = ("import sys\nfrom aigap.analysis.diagnosis.gap import GapSummary\n"
            "from aigap.present.text import sentence\n"
            "fn = sentence.dispatch(GapSummary)\nassert fn.__name__ == '_gap', fn\n"
            "print(sorted(m for m in ('scipy', 'pydantic', 'plotly', 'aigap.index.pipeline', "
            "'aigap.analysis.diagnosis.trend', 'aigap.present.text.targets') "
            "if m in sys.modules))")
    assert _probe(code) == "[]"


def test_every_result_type_still_finds_its_sentence() -> None:
    from aigap.analysis.diagnosis.trend import Convergence, TrendResult
    from aigap.analysis.targets.what_it_takes import TargetResult
    from aigap.present.text import document, sentence

    for cls in (TrendResult, Convergence, TargetResult):
        assert sentence.dispatch(cls) is not sentence.dispatch(object), cls
    assert document.dispatch(TrendResult) is not document.dispatch(object)


def test_every_command_module_is_in_a_table() -> None:
    """A module with ``register(app)`` that no table names would add no command at all."""
    from pathlib import Path

    import aigap.cli

    listed = {m for table in TABLES.values() for m, _ in table.values()}
    found = {f"aigap.cli.{p.stem}" for p in Path(aigap.cli.__file__).parent.glob("*.py")
             if "\ndef register(" in p.read_text(encoding="utf-8")}
    assert found - listed == set(), "add these modules' commands to COMMANDS in aigap/cli"
