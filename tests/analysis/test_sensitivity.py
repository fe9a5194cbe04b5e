"""Sobol indices: analytic additive function, and the wrapper on a toy index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.uncertainty.sensitivity import SHIFT, sensitivity, sobol
from aigap.errors import SpecError
from aigap.index import Spec


def test_additive_function_matches_analytic_indices() -> None:
    """Y = a . X, X ~ U(0,1)^3: S_i = ST_i = a_i^2 / sum a_j^2 (no interactions)."""
    a = np.array([1.0, 2.0, 3.0])
    exact = a**2 / (a**2).sum()
    df = sobol(lambda U: U @ a, ["x1", "x2", "x3"], 2048, seed=3)
    assert list(df["factor"]) == ["x1", "x2", "x3"]
    assert (np.abs(df["S1"] - exact) <= df["S1_conf"]).all()
    assert (np.abs(df["ST"] - exact) <= df["ST_conf"]).all()
    assert df["S1_conf"].gt(0).all()


def test_grouped_factor_and_multiple_outputs() -> None:
    """Two coordinates in one group act as one factor; each output column is one target."""
    df = sobol(lambda U: np.stack([U[:, 0] + U[:, 1], U[:, 2]], axis=1),
               ["w[0]", "w[1]", "z"], 1024, seed=0, groups=["w", "w", "z"],
               targets=["sum", "z"])
    sub = df.set_index(["target", "factor"])
    assert sub.loc[("sum", "w"), "ST"] == pytest.approx(1, abs=0.1)
    assert sub.loc[("z", "z"), "S1"] == pytest.approx(1, abs=0.1)
    assert sub.loc[("z", "w"), "ST"] == 0.0  # z never changes when w moves


def toy() -> tuple[Spec, pd.DataFrame]:
    spec = Spec.from_dict({
        "name": "toy",
        "indicators": [{"code": f"x{i}", "parent": "P1" if i < 2 else "P2"} for i in range(4)],
        "aggregates": [{"code": "P1", "parent": "Index"}, {"code": "P2", "parent": "Index"},
                       {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                  {"step": "aggregate", "method": "arithmetic"}],
    })
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.lognormal(size=(8, 4)), columns=[f"x{i}" for i in range(4)],
                        index=[f"U{i}" for i in range(8)])
    return spec, data


def test_sensitivity_on_index() -> None:
    spec, data = toy()
    unc = {"imputation": ["indicator_mean", "indicator_median"],  # no gaps: no effect
           "aggregation": ["arithmetic", "geometric"],
           "weights": [{"level": 1, "spread": 0.5}, {"level": 2, "spread": 0.5}]}
    res = sensitivity(spec, n=512, seed=1, uncertainty=unc, data=data)
    assert res.factors == ["imputation", "aggregation", "weights (level 1)",
                           "weights (level 2)"]
    assert res.n_runs == 512 * 6
    shift = res.to_frame().set_index("factor")
    assert shift.loc["imputation", "ST"] == 0.0  # exactly: outputs identical when it moves
    assert shift["ST"].drop("imputation").max() > 0.05
    assert set(res.indices["target"]) == {SHIFT, *data.index}
    one = sensitivity(spec, "U3", n=512, seed=1, uncertainty=unc, data=data)
    assert set(one.indices["target"]) <= {SHIFT, "U3"}
    pd.testing.assert_frame_equal(one.to_frame(SHIFT), res.to_frame(SHIFT))


def test_sensitivity_errors() -> None:
    spec, data = toy()
    unc = {"aggregation": ["arithmetic", "geometric"], "weights": [{"level": 2}]}
    with pytest.raises(SpecError, match="power of 2"):
        sensitivity(spec, n=1000, uncertainty=unc, data=data)
    with pytest.raises(SpecError, match="unit 'XXX'"):
        sensitivity(spec, "XXX", n=64, uncertainty=unc, data=data)
    with pytest.raises(SpecError, match="at least two"):
        sensitivity(spec, n=64, uncertainty={"weights": [{"level": 2}]}, data=data)


def test_vectorised_indices_equal_salib() -> None:
    """One bootstrap over all targets gives SALib's indices and intervals, target by target."""
    import warnings

    from SALib.analyze import sobol as salib_sobol

    from aigap.analysis.uncertainty.sensitivity import sobol_design, sobol_indices, sobol_problem

    prob = sobol_problem(["a", "b", "c[0]", "c[1]"], ["a", "b", "c", "c"])
    U = sobol_design(prob, 256, 3)
    Y = np.stack([U[:, 0] + 2 * U[:, 1] ** 2 + U[:, 2] * U[:, 3], np.floor(U[:, 0] * 3),
                  np.ones(len(U))], axis=1)
    got = sobol_indices(prob, Y, seed=5, targets=["t0", "t1", "flat"])
    for j in (0, 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = salib_sobol.analyze(prob, Y[:, j], calc_second_order=False,
                                       num_resamples=100, conf_level=0.95, seed=5)
        g = got[got["target"] == f"t{j}"]
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            np.testing.assert_allclose(g[key], want[key], rtol=1e-12, atol=1e-15)
    assert got[got["target"] == "flat"][["S1", "ST"]].isna().all().all()
