"""The one output function (render), multi-value options, start-up imports and user errors."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aigap.cli import app
from aigap.cli.render import OutputFormat, neutralise, render

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def rendered(obj: object, fmt: str, lang: str = "en", **kw: str) -> str:
    buf = io.StringIO()
    old, sys.stdout = sys.stdout, buf
    try:
        render(obj, fmt, lang, **kw)
    finally:
        sys.stdout = old
    return buf.getvalue()


# --- CSV: formula injection ---------------------------------------------------------------

def test_csv_neutralises_formula_cells_and_keeps_numbers() -> None:
    df = pd.DataFrame({"claim": ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3", "\tx",
                                 "plain"],
                       "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0],
                       "text_number": ["-1.5", "+2", "3", "-4e3", "5%", "x"]})
    back = pd.read_csv(io.StringIO(rendered(df, "csv")), keep_default_na=False)
    assert list(back["claim"]) == ["'=cmd|' /C calc'!A0", "'+1+1", "'@SUM(A1)", "'-2+3",
                                   "'\tx", "plain"]
    assert list(back["value"]) == [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0]  # numbers stay numbers
    assert list(back["text_number"]) == ["-1.5", "+2", "3", "-4e3", "5%", "x"]


@given(st.text(min_size=1))
def test_no_neutralised_cell_starts_a_formula(text: str) -> None:
    out = neutralise(text)
    assert not out.startswith(("=", "+", "@", "\t", "\r")) or out == text  # numeric text only
    assert out in (text, "'" + text)


def test_check_claims_csv_has_no_formula_cells(real_db: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n"
        "  - id: \"=cmd|' /C calc'!A0\"\n"
        "    kind: ratio\n"
        "    text_en: \"@SUM(1+1)\"\n"
        "    indicator: private_ai_investment\n"
        "    vs: [USA]\n"
        "    min: 1\n"
        "    max: 100\n", encoding="utf-8")
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    code, out, err = run("check-claims", "--file", str(claims), "--no-shipped", "--format",
                         "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 2
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(("=", "@", "+"))]
    assert any(c.startswith("'=cmd") or c.startswith("'@SUM") for c in cells)


# --- JSON: one cleaner ---------------------------------------------------------------------

def test_json_goes_through_the_one_cleaner() -> None:
    df = pd.DataFrame({"a": [1.0, math.nan, math.inf], "b": ["x", "y", "z"]})
    out = json.loads(rendered({"rows": df, "n": float("-inf")}, "json"))
    assert out == {"rows": [{"a": 1.0, "b": "x"}, {"a": None, "b": "y"},
                            {"a": None, "b": "z"}], "n": None}


# --- tables ----------------------------------------------------------------------------------

def test_whole_number_columns_print_as_integers() -> None:
    df = pd.DataFrame({"median_rank": [3.0, 1.0, 2.0], "score": [0.5, 1.25, 2.0],
                       "rank": pd.array([1, None, 3], dtype="Int64")})
    out = rendered(df, "table")
    assert "3.00" not in out and "3.0 " not in out
    assert " 3 " in out and "1.25" in out and "–" in out and "<NA>" not in out


def test_table_never_splits_words() -> None:
    df = pd.DataFrame({"method": ["proportional allocation of the remaining budget"] * 2,
                       "n": [1, 2]})
    from rich.console import Console

    import aigap.cli.render as r

    old = r._console
    r._console = Console(width=30, file=io.StringIO())
    try:
        r.render(df, OutputFormat.table, "en")
        out = r._console.file.getvalue()  # type: ignore[attr-defined]
    finally:
        r._console = old
    assert "proportional" in out  # the word is whole on one line


# --- multi-value options -------------------------------------------------------------------

def test_values_after_vs_are_comparators_unit_first(real_db: Path) -> None:
    code, out, err = run("gap", "KOR", "--vs", "USA", "CHN", "-i", "private_ai_investment",
                         "--years", "2023", "--format", "json", "--db", str(real_db))
    assert code == 0, err
    assert {r["other"] for r in json.loads(out)["rows"]} == {"USA", "CHN"}


def test_unit_after_vs_is_a_usage_error_not_a_comparator(real_db: Path) -> None:
    code, out, err = run("trend", "--vs", "USA", "KOR", "-i", "private_ai_investment",
                         "--db", str(real_db))
    assert code == 2
    assert "missing UNIT" in err and "aigap trend KOR --vs USA" in err
    assert out == ""


def test_option_after_values_ends_them() -> None:
    import typer

    cmd = typer.main.get_command(app).get_command(None, "trend")  # type: ignore[attr-defined]
    ctx = cmd.make_context("trend", ["KOR", "--vs", "USA", "CHN", "-i", "x", "--vs", "JPN"])
    assert ctx.params["unit"] == "KOR" and ctx.params["vs"] == ["USA", "CHN", "JPN"]
    assert ctx.params["indicator"] == "x"


# --- user errors: exit 2, one line ---------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("data", "show", "private_ai_investment", "--from", "2030"), "no observations"),
    (("data", "show", "private_ai_investment", "--from", "2023", "--to", "2019"), "after"),
    (("gap", "KOR", "--vs", "USA", "-i", "private_ai_investment", "--years", "2023-2019"),
     "reversed years"),
    (("trend", "KOR", "-i", "private_ai_investment", "--window", "2023-2015"),
     "reversed window"),
])
def test_user_errors_exit_2_with_one_line(real_db: Path, args: tuple[str, ...],
                                          message: str) -> None:
    code, _, err = run(*args, "--db", str(real_db))
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


# --- start-up imports ----------------------------------------------------------------------

def _imported_after(code: str) -> set[str]:
    probe = (f"import sys; {code}; "
             "print('MODULES:' + ','.join(m for m in ('pandas', 'numpy', 'duckdb', 'scipy', "
             "'scipy.optimize', 'plotly', 'fastapi', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    return set(filter(None, out.rsplit("MODULES:", 1)[1].split(",")))


def test_import_aigap_cli_loads_no_heavy_library() -> None:
    assert _imported_after("import aigap.cli") == set()


def test_help_loads_no_heavy_library() -> None:
    code = ("import aigap.cli as c\n"
            "try:\n    c.app(['--help'], prog_name='aigap', standalone_mode=False)\n"
            "except SystemExit:\n    pass")
    assert _imported_after(f"exec({code!r})") == set()


# --- help text -----------------------------------------------------------------------------

def test_help_paragraphs_are_not_hard_wrapped() -> None:
    from aigap.cli.multivalue import reflow

    assert reflow("First line\ngoes on.\n\nSecond para\ncontinues here.\n- item one\n- item two"
                  ) == "First line goes on.\n\nSecond para continues here.\n- item one\n- item two"
    res = CliRunner().invoke(app, ["profile", "--help"], terminal_width=200)
    assert res.exit_code == 0
    assert "Pillars use index scores; indicators raw values" in res.stdout
