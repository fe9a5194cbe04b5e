"""Statistical audit and Excel export of an index build."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aigap.cli import app
from aigap.errors import AigapError
from aigap.index import Spec, build_index
from aigap.index.audit import (
    audit,
    cronbach_alpha,
    first_order_effect,
    indicator_stats,
    pc1_share,
)
from aigap.report.xlsx import export_xlsx

runner = CliRunner()
RNG = np.random.default_rng(7)


def toy() -> Spec:
    return Spec.from_dict({
        "name": "toy-audit",
        "indicators": [{"code": c, "parent": p} for c, p in
                       (("a", "P"), ("b", "P"), ("c", "Q"), ("d", "Q"))],
        "aggregates": [{"code": "P", "parent": "Index"}, {"code": "Q", "parent": "Index"},
                       {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax"},
                  {"step": "aggregate", "method": "arithmetic"}],
    })


def data(n: int = 40) -> pd.DataFrame:
    z = RNG.normal(size=n)
    return pd.DataFrame({"a": z, "b": z + 0.01 * RNG.normal(size=n),  # collinear with a
                         "c": RNG.normal(size=n), "d": -z + 0.3 * RNG.normal(size=n)},
                        index=[f"U{i:02d}" for i in range(n)])


def test_first_order_effect_known_answers() -> None:
    x = np.linspace(0, 1, 200)
    assert first_order_effect(x, 3 * x + 1) == pytest.approx(1.0, abs=1e-3)
    assert first_order_effect(x, np.sin(6 * x)) > 0.95  # non-linear but a function of x
    noise = RNG.normal(size=200)
    assert first_order_effect(x, noise) < 0.15
    assert np.isnan(first_order_effect(x[:5], x[:5]))  # too few units


@given(st.integers(min_value=2, max_value=6), st.integers(min_value=8, max_value=40))
@settings(max_examples=25, deadline=None)
def test_cronbach_of_identical_columns_is_one(k: int, n: int) -> None:
    col = np.random.default_rng(n).normal(size=(n, 1))
    if np.ptp(col) == 0:
        return
    assert cronbach_alpha(np.repeat(col, k, axis=1)) == pytest.approx(1.0)
    assert pc1_share(np.repeat(col, k, axis=1) + 1e-9 * np.arange(k)) == pytest.approx(
        1.0, abs=1e-6)


def test_flags_follow_coinr_thresholds() -> None:
    X = pd.DataFrame({"skewed": [0.0] * 30 + [100.0], "flat": [1.0] * 31,
                      "sparse": [np.nan] * 20 + list(range(11))})
    s = indicator_stats(X)
    assert s.loc["skewed", "flag_skewkurt"] == "OUT" and s.loc["skewed", "flag_nonzero"] == "LOW"
    assert s.loc["flat", "flag_unique"] == "LOW" and s.loc["flat", "n_unique"] == 1
    assert s.loc["sparse", "flag_avail"] == "LOW" and s.loc["sparse", "n_avail"] == 11


def test_audit_finds_collinear_and_negative_pairs() -> None:
    res = build_index(toy(), data=data())
    a = audit(res)
    flags = {(r.a, r.b): r.flag for r in a.correlations.itertuples()}
    assert flags[("a", "b")] == "collinear"
    assert a.aggregates.loc["P", "cronbach_alpha"] > 0.99
    assert a.importance["weight"].sum() == pytest.approx(1.0)
    # d moves against a/b, which dominate the index: its importance differs from its weight
    assert set(a.most_misweighted(2)) & {"c", "d"}
    json.dumps(a.to_dict())


def test_export_workbook(tmp_path: Path) -> None:
    res = build_index(toy(), data=data())
    out = export_xlsx(res, tmp_path / "toy.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Raw", "Normalised", "Aggregated"]
    assert {"Weights", "Ranks", "Audit stats", "Audit importance"} <= set(wb.sheetnames)
    back = pd.read_excel(out, sheet_name="Aggregated").set_index("uCode")
    np.testing.assert_allclose(back["Index"], res.index.loc[back.index])
    with pytest.raises(AigapError, match=r"must end in \.xlsx"):
        export_xlsx(res, tmp_path / "toy.csv")
    with pytest.raises(AigapError, match="does not exist"):
        export_xlsx(res, tmp_path / "no" / "toy.xlsx")


def test_cli_audit_and_export(tmp_path: Path, asem_dir: Path) -> None:
    r = runner.invoke(app, ["audit", "--spec", "asem"])
    assert r.exit_code == 0, r.output
    assert "flag_skewkurt" in r.stdout and "collinear" in r.stdout
    r = runner.invoke(app, ["audit", "--spec", "asem", "--table", "aggregates", "-f", "csv"])
    assert r.exit_code == 0 and r.stdout.startswith("aggregate,level,children,cronbach_alpha")
    r = runner.invoke(app, ["audit", "--spec", "asem", "-f", "csv"])
    assert r.exit_code != 0 and "--table" in r.output
    r = runner.invoke(app, ["export", "--spec", "asem", "-o", str(tmp_path / "asem.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "asem.xlsx").is_file()
