"""decompose(): contributions add up to the gap exactly, linear and Shapley, with missing data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from aigap.analysis.diagnosis.decompose import (
    DecompositionError,
    decompose,
    effective_weights,
    shapley_pillars,
)
from aigap.errors import AigapError
from aigap.index import IndexResult, Spec, build_index
from aigap.present import sentence
from aigap.present.diagnosis import decomposition_figure

UNITS = ["KOR", "USA", "CHN", "JPN", "DEU", "GBR", "FRA", "CAN"]


def spec(method: str = "arithmetic", impute: bool = False, weights: bool = True) -> Spec:
    """Three pillars of 3, 2 and 1 indicators with unequal weights; i2 lower-is-better."""
    parents = ["P1", "P1", "P1", "P2", "P2", "P3"]
    w = [1.0, 2.0, 1.0, 1.0, 3.0, 1.0] if weights else [1.0] * 6
    lo = 1 if method != "arithmetic" else 0  # geometric needs positive values
    steps = [{"step": "impute", "method": "indicator_mean"}] if impute else []
    return Spec.from_dict({
        "name": "small",
        "indicators": [{"code": f"i{k}", "parent": parents[k], "weight": w[k],
                        "direction": -1 if k == 2 else 1} for k in range(6)],
        "aggregates": [{"code": "P1", "name": "Talent", "parent": "Index", "weight": 2},
                       {"code": "P2", "name": "Research", "parent": "Index", "weight": 1},
                       {"code": "P3", "name": "Government & Policy", "parent": "Index",
                        "weight": 1},
                       {"code": "Index"}],
        "steps": [*steps, {"step": "normalise", "method": "minmax", "l": lo, "u": 100},
                  {"step": "aggregate", "method": method}],
    })


def data(missing: bool, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(size=(len(UNITS), 6))
    df = pd.DataFrame(X, index=UNITS, columns=[f"i{k}" for k in range(6)])
    if missing:
        df.loc["KOR", "i1"] = np.nan  # KOR misses one Talent indicator
        df.loc["USA", ["i3"]] = np.nan  # USA misses one Research indicator
        df.loc["JPN", ["i0", "i1", "i2"]] = np.nan  # JPN has no Talent pillar at all
    return df


def build(method: str = "arithmetic", missing: bool = False, **kw: bool) -> IndexResult:
    res = build_index(spec(method, **kw), data=data(missing))
    assert isinstance(res, IndexResult)
    return res


def check_exact(res: IndexResult, a: str, b: str, method: str = "auto") -> None:
    d = decompose("aigap", a, vs=b, result=res, method=method)  # type: ignore[arg-type]
    gap = res.index[a] - res.index[b]
    assert d.gap == gap
    ind = d.to_frame("indicator")
    pil = d.to_frame("pillar")
    assert abs(ind["contribution"].sum() - gap) < 1e-12
    assert abs(pil["contribution"].sum() - gap) < 1e-12
    for _, row in pil.iterrows():  # indicators add up to their pillar
        kids = ind[ind["parent"] == row["code"]]["contribution"].sum()
        assert abs(kids - row["contribution"]) < 1e-12


@pytest.mark.parametrize("missing", [False, True])
def test_linear_sums_exactly(missing: bool) -> None:
    res = build("arithmetic", missing)
    if missing:
        assert res.dataset("Normalised").isna().to_numpy().sum() == 5
    for a in UNITS:
        for b in UNITS:
            check_exact(res, a, b)


def test_linear_is_weight_times_difference_without_missing_data() -> None:
    res = build("arithmetic")
    d = decompose("aigap", "KOR", vs="USA", result=res)
    assert d.method == "linear"
    n = res.dataset("Normalised")
    W = effective_weights(res.dataset("Aggregated").loc["KOR"], res.framework)
    # i1 in P1: (2/4 within P1) x (2/4 of the index)
    assert W["i1"] == pytest.approx(0.25)
    ind = d.to_frame("indicator").set_index("code")
    for code in n.columns:
        assert ind.at[code, "contribution"] == pytest.approx(
            W[code] * (n.at["KOR", code] - n.at["USA", code]), abs=1e-12)


def test_linear_missing_uses_each_units_own_weights() -> None:
    res = build("arithmetic", missing=True)
    agg = res.dataset("Aggregated")
    d = decompose("aigap", "KOR", vs="USA", result=res)
    ind = d.to_frame("indicator").set_index("code")
    wk = effective_weights(agg.loc["KOR"], res.framework)
    wu = effective_weights(agg.loc["USA"], res.framework)
    assert wk["i1"] == 0 and wu["i3"] == 0
    assert wk["i0"] == pytest.approx(0.5 * 1 / 2)  # i1's weight went to i0 and i2
    # KOR lacks i1: its contribution is minus the USA's term
    assert ind.at["i1", "contribution"] == pytest.approx(-wu["i1"] * agg.at["USA", "i1"])
    # pillar = W_a,P P_a - W_b,P P_b
    pil = d.to_frame("pillar").set_index("code")
    for p in ("P1", "P2", "P3"):
        assert pil.at[p, "contribution"] == pytest.approx(
            wk[p] * agg.at["KOR", p] - wu[p] * agg.at["USA", p], abs=1e-12)
    # JPN has no Talent pillar: P1 contributes only the other side's term
    dj = decompose("aigap", "JPN", vs="KOR", result=res).to_frame("pillar").set_index("code")
    assert dj.at["P1", "contribution"] == pytest.approx(-wk["P1"] * agg.at["KOR", "P1"])


@pytest.mark.parametrize("method", ["geometric", "harmonic"])
@pytest.mark.parametrize("missing", [False, True])
def test_shapley_sums_exactly(method: str, missing: bool) -> None:
    res = build(method, missing)
    for a, b in [("KOR", "USA"), ("USA", "KOR"), ("JPN", "CHN"), ("DEU", "JPN")]:
        check_exact(res, a, b)
        assert decompose("aigap", a, vs=b, result=res).method == "shapley"


def test_shapley_pillars_match_plain_shapley_over_pillars() -> None:
    res = build("geometric", missing=True)
    fw, agg = res.framework, res.dataset("Aggregated")
    for a, b in [("KOR", "USA"), ("JPN", "DEU")]:
        d = decompose("aigap", a, vs=b, result=res).to_frame("pillar") \
            .set_index("code")["contribution"]
        direct = shapley_pillars(agg.loc[a, fw.indicators].to_numpy(dtype=float),
                                 agg.loc[b, fw.indicators].to_numpy(dtype=float), fw,
                                 res.aggregation)
        for p, v in direct.items():
            assert d[p] == pytest.approx(v, abs=1e-12)


def test_shapley_two_pillars_known_answer() -> None:
    """Two one-indicator pillars, equal weights, geometric: I = sqrt(x1 x2)."""
    sp = Spec.from_dict({
        "name": "two", "indicators": [{"code": "x1", "parent": "A"},
                                      {"code": "x2", "parent": "B"}],
        "aggregates": [{"code": "A", "parent": "Index"}, {"code": "B", "parent": "Index"},
                       {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                  {"step": "aggregate", "method": "geometric"}],
    })
    df = pd.DataFrame({"x1": [1.0, 5.0, 9.0], "x2": [4.0, 2.0, 8.0]}, index=["KOR", "USA", "CHN"])
    res = build_index(sp, data=df)
    assert isinstance(res, IndexResult)
    n = res.dataset("Normalised")
    a1, a2 = n.at["KOR", "x1"], n.at["KOR", "x2"]
    b1, b2 = n.at["USA", "x1"], n.at["USA", "x2"]

    def f(x: float, y: float) -> float:
        return math.sqrt(x * y)

    phi1 = 0.5 * ((f(a1, b2) - f(b1, b2)) + (f(a1, a2) - f(b1, a2)))
    phi2 = 0.5 * ((f(b1, a2) - f(b1, b2)) + (f(a1, a2) - f(a1, b2)))
    d = decompose("aigap", "KOR", vs="USA", result=res).to_frame("pillar").set_index("code")
    assert d.at["A", "contribution"] == pytest.approx(phi1, abs=1e-12)
    assert d.at["B", "contribution"] == pytest.approx(phi2, abs=1e-12)


def test_shapley_equals_linear_for_an_arithmetic_index_without_missing_data() -> None:
    res = build("arithmetic")
    lin = decompose("aigap", "KOR", vs="CHN", result=res, method="linear").to_frame()
    sh = decompose("aigap", "KOR", vs="CHN", result=res, method="shapley").to_frame()
    np.testing.assert_allclose(sh["contribution"], lin["contribution"], atol=1e-12)


@pytest.mark.parametrize(("method", "missing"), [("arithmetic", True), ("geometric", True),
                                                 ("geometric", False)])
def test_antisymmetric_and_zero_for_identical(method: str, missing: bool) -> None:
    res = build(method, missing)
    ab = decompose("aigap", "KOR", vs="JPN", result=res).to_frame()
    ba = decompose("aigap", "JPN", vs="KOR", result=res).to_frame()
    np.testing.assert_allclose(ab["contribution"], -ba["contribution"], atol=1e-12)
    same = decompose("aigap", "USA", vs="USA", result=res)
    assert same.gap == 0 and (same.to_frame()["contribution"] == 0).all()
    assert "compared with itself" in sentence(same, "en")


def test_linear_refused_for_geometric_and_unknown_units() -> None:
    res = build("geometric")
    with pytest.raises(DecompositionError, match="arithmetic aggregation"):
        decompose("aigap", "KOR", vs="USA", result=res, method="linear")
    with pytest.raises(AigapError, match="ITA is not in the small index"):
        decompose("aigap", "KOR", vs="ITA", result=res)


def test_sentences_name_the_drivers_and_offsets() -> None:
    res = build("arithmetic")
    d = decompose("aigap", "KOR", vs="USA", result=res)
    lead = "South Korea" if d.gap > 0 else "the United States"
    assert f"-point gap between {lead}" in sentence(d, "en")
    assert f"{abs(d.gap):.1f}점은" in sentence(d, "ko")
    biggest = d.to_frame("pillar").assign(lead=lambda f: f["contribution"] * np.sign(d.gap))
    top = biggest.sort_values("lead").iloc[-1]
    assert top["name"] in sentence(d, "en") and top["name_ko"] in sentence(d, "ko")
    assert d.to_dict()["gap"] == d.gap and len(d.to_dict()["contributions"]) == 9


def test_waterfall_runs_from_b_to_a() -> None:
    res = build("geometric", missing=True)
    d = decompose("aigap", "KOR", vs="USA", result=res)
    fig = decomposition_figure(d, "ko")
    assert isinstance(fig, go.Figure)
    w = fig.data[0]
    assert list(w.measure) == ["absolute", "relative", "relative", "relative", "total"]
    assert w.y[0] + sum(w.y[1:-1]) == pytest.approx(w.y[-1], abs=1e-12)
    assert tuple(w.x)[::len(w.x) - 1] == ("미국", "한국")
    fi = decomposition_figure(d, "en", level="indicator")
    assert len(fi.data[0].x) == 6 + 2


# --------------------------------------------------------------------------- real warehouse


@pytest.fixture()
def real_aigap(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> IndexResult:
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    res = build_index("aigap")
    assert isinstance(res, IndexResult)
    return res


def test_real_kor_usa_sums_to_the_index_gap(real_aigap: IndexResult) -> None:
    d = decompose("aigap", "KOR", vs="USA", result=real_aigap)
    gap = real_aigap.index["KOR"] - real_aigap.index["USA"]
    assert d.method == "linear" and d.gap == gap and gap < 0
    assert abs(d.to_frame("pillar")["contribution"].sum() - gap) < 1e-12
    assert abs(d.to_frame("indicator")["contribution"].sum() - gap) < 1e-12
    assert len(d.to_frame("pillar")) == 7  # index v2: six AI pillars + Enablers (v1: 5)
    assert sentence(d, "ko").startswith("미국(") and "한국(" in sentence(d, "ko")
    # the Shapley split of the same gap also adds up; the waterfall ends at KOR's score
    s = decompose("aigap", "KOR", vs="USA", result=real_aigap, method="shapley")
    assert abs(s.to_frame("indicator")["contribution"].sum() - gap) < 1e-12
    running = [d.score_b, *(d.score_b + d.to_frame("pillar")["contribution"].cumsum())]
    assert running[-1] == pytest.approx(d.score_a, abs=1e-12)
