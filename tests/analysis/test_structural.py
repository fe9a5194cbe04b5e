"""Structural uncertainty: indicator/pillar leave-outs, alternative series, scale vs
intensity and heavily imputed units, scored by the batched engine like any other factor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.uncertainty.robustness import imputed_share, prepare, robustness
from aigap.analysis.uncertainty.sensitivity import sensitivity
from aigap.errors import SpecError
from aigap.index import Spec
from aigap.index.pipeline import build_latest

# Two pillars; x2 has a second series (x2b) and x3 is a scale measure with a denominator.
FRAME = pd.DataFrame({
    "x1": [1.0, 0.8, 0.6, 0.2, 0.1, 0.5],
    "x2": [0.2, 0.9, 0.5, 0.4, np.nan, 0.3],
    "x2b": [0.9, 0.1, 0.6, 0.3, 0.2, np.nan],
    "x3": [100.0, 10.0, 50.0, 80.0, 5.0, 40.0],
    "x4": [3.0, 1.0, 2.0, 2.5, 1.5, 0.5],
    "pop": [10.0, 1.0, 2.0, 40.0, 1.0, 4.0],
}, index=pd.Index(["A", "B", "C", "D", "E", "F"], name="uCode"))


def spec() -> Spec:
    return Spec.from_dict({
        "name": "toy3",
        "indicators": [{"code": "x1", "parent": "P1"}, {"code": "x2", "parent": "P1"},
                       {"code": "x3", "parent": "P2"}, {"code": "x4", "parent": "P2"}],
        "aggregates": [{"code": "P1", "parent": "Index"}, {"code": "P2", "parent": "Index"},
                       {"code": "Index"}],
        "steps": [{"step": "impute", "method": "indicator_mean"},
                  {"step": "normalise", "method": "minmax", "l": 0, "u": 100},
                  {"step": "aggregate", "method": "arithmetic"}],
    })


UNC: dict[str, Any] = {
    "name": "structural-test",
    "weights": [{"level": 2, "spread": 0.25}],
    "structural": {
        "exclusions": [{"level": 1}, {"level": 2}],
        "series": [{"indicator": "x2", "alternatives": ["x2b"]}],
        "edition": {"by": "pop", "indicators": ["x3"]},
        "heavy_imputation": {"threshold": 0.2},
    },
}


def test_factors_and_data_sets() -> None:
    st = prepare(spec(), UNC, data=FRAME)
    names = [f.name for f in st.engine.factors]
    assert names == ["series: x2", "edition", "leave out (level 1)", "leave out (level 2)",
                     "heavily imputed units", "weights (level 2)"]
    assert st.engine.X.shape == (4, 6, 4)  # 2 series x 2 editions
    labels = {f.name: f.labels for f in st.engine.factors}
    assert labels["leave out (level 1)"] == ("none", "x1", "x2", "x3", "x4")
    assert labels["leave out (level 2)"] == ("none", "P1", "P2")


def test_every_replication_equals_the_plain_pipeline() -> None:
    st = prepare(spec(), UNC, data=FRAME)
    e = st.engine
    d = e.decode(np.random.default_rng(3).random((40, e.n_dims)))
    S, _ = e.score(d)
    heavy = next(j for j, f in enumerate(e.discrete) if f.name == "heavily imputed units")
    assert len(np.unique(d.k)) == 4
    for b in range(40):
        sp, frame = st.replication_inputs(d, b)
        want = build_latest(sp, data=frame).index.reindex(e.units).to_numpy(float)
        if d.choices[b, heavy] == 1:  # E (one of its four indicators missing) is left out
            want[e.units.index("E")] = np.nan
        np.testing.assert_allclose(S[b], want, rtol=1e-12, atol=1e-12)


def test_alternative_series_and_intensity_change_the_data() -> None:
    st = prepare(spec(), UNC, data=FRAME)
    v = st.variants
    assert v is not None
    series = v.frame({"series: x2": 1, "edition": 0})
    assert series.loc["A", "x2"] == 0.9 and np.isnan(series.loc["F", "x2"])
    per = v.frame({"series: x2": 0, "edition": 1})
    np.testing.assert_allclose(per["x3"], FRAME["x3"] / FRAME["pop"])
    assert per.loc["A", "x2"] == 0.2


def test_heavily_imputed_units_are_named_and_left_out() -> None:
    st = prepare(spec(), UNC, data=FRAME)
    share = imputed_share(st.nominal)
    assert share["E"] == pytest.approx(1 / 4) and share["A"] == 0
    res = robustness(spec(), n=4096, uncertainty=UNC, data=FRAME, setup=st,
                     keep_replications=True)
    j = next(i for i, f in enumerate(res.factors) if f.name == "heavily imputed units"
             and f.kind != "weights")
    out = res.choices[:, j] == 1
    e_col = res.units.index("E")
    assert (res.ranks[out, e_col] == 0).all() and (res.ranks[~out, e_col] > 0).all()
    assert 0.4 < out.mean() < 0.6


def test_sobol_names_structural_dimensions() -> None:
    res = sensitivity(spec(), n=256, uncertainty=UNC, data=FRAME)
    got = set(res.indices["factor"])
    assert {"series: x2", "edition", "leave out (level 1)", "leave out (level 2)"} <= got
    first = res.indices[res.indices["target"] == "mean_abs_shift"]
    assert (first["ST"].fillna(0) >= -0.05).all()


def test_bad_structural_specs_name_the_field(tmp_path: Path) -> None:
    bad = {**UNC, "structural": {"series": [{"indicator": "nope", "alternatives": ["x2b"]}]}}
    with pytest.raises(SpecError, match=r"structural.series\[0\].indicator: 'nope'"):
        prepare(spec(), bad, data=FRAME)
    bad = {**UNC, "structural": {"edition": {"by": "pop", "indicators": ["x9"]}}}
    with pytest.raises(SpecError, match=r"structural.edition.indicators: \['x9'\]"):
        prepare(spec(), bad, data=FRAME)
    bad = {**UNC, "structural": {"series": [{"indicator": "x2", "alternatives": ["zz"]}]}}
    with pytest.raises(SpecError, match="structural alternative 'zz'"):
        prepare(spec(), bad, data=FRAME)
    bad = {**UNC, "structural": {"exclusions": [{"level": 1}, {"level": 1}]}}
    with pytest.raises(SpecError, match=r"exclusions: level\(s\) \[1\] given more than once"):
        prepare(spec(), bad, data=FRAME)
    bad = {**UNC, "exclusion": {"level": 2}, "structural": {"exclusions": [{"level": 2}]}}
    with pytest.raises(SpecError, match="both name level"):
        prepare(spec(), bad, data=FRAME)


def test_edition_divides_each_indicator_by_its_own_denominator() -> None:
    unc = {"name": "t", "structural": {"edition": {
        "by": "pop", "indicators": ["x3", "x4"], "denominators": {"x4": "x1"}}}}
    st = prepare(spec(), unc, data=FRAME)
    assert st.variants is not None and st.variants.labels["edition"] == [
        "as specified", "per pop / x1"]
    per = st.variants.frame({"edition": 1})
    np.testing.assert_allclose(per["x3"], FRAME["x3"] / FRAME["pop"])
    np.testing.assert_allclose(per["x4"], FRAME["x4"] / FRAME["x1"])
    np.testing.assert_allclose(per["x1"], FRAME["x1"])  # not listed: untouched


def test_edition_denominators_must_be_edition_indicators() -> None:
    unc = {"name": "t", "structural": {"edition": {
        "indicators": ["x3"], "denominators": {"x1": "pop"}}}}
    with pytest.raises(SpecError, match=r"structural.edition.denominators: \['x1'\]"):
        prepare(spec(), unc, data=FRAME)


def test_full_uncertainty_of_a_spec_leaves_out_each_node() -> None:
    from aigap.analysis.uncertainty.structural import full_uncertainty

    full = full_uncertainty(spec(), edition=False)  # not a warehouse spec: no concept series
    st = full.spec.structural
    assert st is not None and full.series == {}
    assert [(e.level, e.codes) for e in st.exclusions] == [
        (1, ["x1", "x2", "x3", "x4"]), (2, ["P1", "P2"])]
    assert st.heavy_imputation is not None and st.heavy_imputation.threshold == 0.25
    assert full.spec.imputation and full.spec.normalisation  # the default's methods kept
    with pytest.raises(SpecError, match="already has a structural block"):
        full_uncertainty(spec(), full.spec)
