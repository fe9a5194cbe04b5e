"""Spec fields of the COINr-parity work: clear errors for bad per-indicator parameters,
aggregation params and denominator tables."""

from __future__ import annotations

import pandas as pd
import pytest

from aigap.errors import SpecError
from aigap.index import build_index

from .conftest import small_data, small_spec


def _steps(norm: dict, agg: dict | None = None) -> list[dict]:
    return [{"step": "normalise", **norm}, agg or {"step": "aggregate"}]


def test_per_indicator_parameters_are_checked():
    with pytest.raises(SpecError, match=r"per_indicator\.i1: minmax takes no per-indicator "
                                        r"parameter\(s\) \['scale'\]"):
        small_spec(_steps({"method": "minmax", "per_indicator": {"i1": {"scale": 2}}}))
    with pytest.raises(SpecError, match=r"per_indicator\.i2: min-max bounds need l < u"):
        small_spec(_steps({"method": "minmax", "per_indicator": {"i2": {"l": 5, "u": 1}}}))
    sp = small_spec(_steps({"method": "minmax", "per_indicator": {"nope": {"u": 1}}}))
    with pytest.raises(SpecError, match=r"unknown indicator/aggregate code\(s\) \['nope'\]"):
        build_index(sp, small_data())


def test_per_indicator_minmax_bounds():
    res = build_index(small_spec(_steps({"method": "minmax",
                                         "per_indicator": {"i0": {"l": 1, "u": 10}}})),
                      small_data())
    n = res.dataset("Normalised")
    assert n["i0"].min() == pytest.approx(1) and n["i0"].max() == pytest.approx(10)
    assert n["i1"].max() == pytest.approx(100)
    fit = res.fitted["normalise"]  # the affine map follows the per-indicator bounds
    raw = res.dataset("Raw")
    assert (fit.at["i0", "a"] * raw["i0"] + fit.at["i0", "b"]).max() == pytest.approx(10)


def test_aggregate_params_must_belong_to_a_method():
    with pytest.raises(SpecError, match=r"no aggregation of this step \(arithmetic\) takes "
                                        r"parameter\(s\) \['p'\]"):
        small_spec(_steps({}, {"step": "aggregate", "params": {"p": 2}}))
    sp = small_spec(_steps({}, {"step": "aggregate", "method": {2: "arithmetic", 3: "genmean"},
                                "params": {"p": 3}}))
    assert build_index(sp, small_data()).index.notna().all()


def test_denominator_table_errors(tmp_path):
    spec = small_spec([{"step": "denominate", "by": "D", "table": str(tmp_path / "no.csv")},
                       {"step": "normalise"}, {"step": "aggregate"}])
    with pytest.raises(SpecError, match=r"steps\[0\]\.table: denominator table .* not found"):
        build_index(spec, small_data())
    bad = tmp_path / "d.csv"
    pd.DataFrame({"uCode": ["U00", "U01"], "D": ["1", "x"]}).to_csv(bad, index=False)
    spec = small_spec([{"step": "denominate", "by": "D", "table": str(bad)},
                       {"step": "normalise"}, {"step": "aggregate"}])
    with pytest.raises(SpecError, match=r"row 3, column 'D': not a number \('x'\)"):
        build_index(spec, small_data())
    pd.DataFrame({"uCode": ["U00", "U01"], "D": [1, 2]}).to_csv(bad, index=False)
    with pytest.raises(SpecError, match=r"unit\(s\) \['U02'"):
        build_index(spec, small_data())
