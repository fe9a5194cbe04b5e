"""A method registered in a test is picked up by the schema, the pipeline, the batched
evaluator, robustness, what-it-takes and scenarios: one function plus one registration."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.targets.scenarios import scenario
from aigap.analysis.targets.what_it_takes import what_it_takes
from aigap.analysis.uncertainty.robustness import prepare, robustness
from aigap.errors import SpecError
from aigap.index import Spec, build_index
from aigap.index.batched import batched_scores, random_weights
from aigap.index.methods import names, register, unregister
from aigap.index.methods.aggregate import QuasiMean
from aigap.index.pipeline import aggregate_tree

# ------------------------------------------------------------------ the two new methods


def n_meanratio(X: np.ndarray, *, scale: float = 1.0, base: float = 100.0) -> np.ndarray:
    """Each value as a share of its indicator's mean, times ``base * scale``."""
    return X / np.nanmean(X, axis=0) * (base * scale)


def _meanratio_affine(X: np.ndarray, *, scale: float = 1.0, base: float = 100.0
                      ) -> tuple[np.ndarray, np.ndarray]:
    a = base * scale / np.nanmean(X, axis=0)
    return a, np.zeros_like(a)


def _sqrt(v: np.ndarray) -> np.ndarray:
    return np.sqrt(v)


def _squared_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return (num / den) ** 2


def _negative(v: np.ndarray) -> np.ndarray:
    return v < 0


# the power mean of order 1/2: concave, so what-it-takes' convex solver applies
ROOT = QuasiMean(_sqrt, _squared_ratio, _negative, "root mean of negative values")


@pytest.fixture()
def registered() -> Iterator[None]:
    register("normalise", "meanratio", n_meanratio, affine=_meanratio_affine,
             label="meanratio({base:g})")
    register("aggregate", "root", ROOT, concave=True)
    yield
    unregister("normalise", "meanratio")
    unregister("aggregate", "root")


def spec(norm: str = "meanratio", agg: str = "root", **params: float) -> Spec:
    return Spec.from_dict({
        "name": "plug-in",
        "indicators": [{"code": f"x{k}", "parent": "P1" if k < 2 else "P2", "weight": 1 + k}
                       for k in range(4)],
        "aggregates": [{"code": "P1", "parent": "Index"}, {"code": "P2", "parent": "Index"},
                       {"code": "Index"}],
        "steps": [{"step": "normalise", "method": norm, **({"params": params} if params else {})},
                  {"step": "aggregate", "method": agg}],
    })


def data(n: int = 15, seed: int = 2) -> pd.DataFrame:
    X = np.random.default_rng(seed).lognormal(size=(n, 4)) + 0.5
    return pd.DataFrame(X, index=[f"U{k:02d}" for k in range(n)],
                        columns=[f"x{k}" for k in range(4)])


# ------------------------------------------------------------------ schema


def test_unregistered_name_lists_the_registered_ones() -> None:
    with pytest.raises(SpecError) as exc:
        spec()
    msg = str(exc.value)
    assert "steps[0].method: unknown normalisation method 'meanratio'" in msg
    assert "registered: minmax, zscore" in msg
    assert "meanratio" not in names("normalise")


def test_schema_checks_the_methods_own_parameters(registered: None) -> None:
    assert spec(base=10).steps[0].params == {"base": 10}
    with pytest.raises(SpecError, match=r"steps\[0\]: params: normalisation 'meanratio' takes "
                                         r"no parameter\(s\) \['bsae'\]; it takes \['base'\]"):
        spec(bsae=10)
    with pytest.raises(SpecError, match=r"steps\[1\].method: unknown aggregation method 'mean'"):
        spec(agg="mean")


# ------------------------------------------------------------------ pipeline and batched


def test_pipeline_runs_the_registered_methods(registered: None) -> None:
    df = data()
    res = build_index(spec(base=10), data=df)
    N = df.to_numpy() / df.to_numpy().mean(axis=0) * 10
    np.testing.assert_allclose(res.dataset("Normalised").to_numpy(), N, rtol=1e-14)
    w = np.array([1, 2.0])
    p1 = (np.sqrt(N[:, :2]) @ w / w.sum()) ** 2
    np.testing.assert_allclose(res.scores["P1"].to_numpy(), p1, rtol=1e-13)
    # the fitted map the build keeps is the method's own affine registration
    assert res.fitted["normalise"].loc["x0", "a"] == pytest.approx(10 / df["x0"].mean())
    # values outside the registered mean's domain fail with its own message
    with pytest.raises(SpecError, match="aggregate level 2: root mean of negative values"):
        build_index(spec(), data=df.assign(x2=df["x2"] - df["x2"].median()))


def test_batched_evaluator_uses_the_registered_mean(registered: None) -> None:
    df = data()
    sp = spec(norm="minmax", agg="root")
    res = build_index(sp, data=df)
    fw = res.framework
    X = res.dataset("Normalised")[fw.indicators].to_numpy()
    W = random_weights(fw, 7, rng=np.random.default_rng(0))
    S = batched_scores(X, fw, W, res.aggregation)
    for b in range(7):
        w = {k: float(v) for lv, M in W.items()
             for k, v in zip(fw.membership(lv)[0], M[b], strict=True)}
        want = aggregate_tree(X, fw.with_weights(w), res.aggregation)[:, -1]
        np.testing.assert_allclose(S[b], want, rtol=1e-12)


# ------------------------------------------------------------------ analyses


def test_robustness_varies_the_registered_methods(registered: None) -> None:
    unc = {"normalisation": [{"method": "minmax", "l": 1, "u": 100},
                             {"method": "meanratio", "params": {"base": 50}}],
           "aggregation": ["arithmetic", "root"],
           "weights": [{"level": 2, "spread": 0.3}]}
    sp = spec(norm="minmax", agg="arithmetic")
    df = data()
    st = prepare(sp, unc, data=df)
    labels = {f.name: f.labels for f in st.engine.factors}
    assert labels["normalisation"] == ("minmax[1,100]", "meanratio(50)")
    assert labels["aggregation"] == ("arithmetic", "root")
    d = st.engine.decode(np.random.default_rng(4).random((16, st.engine.n_dims)))
    S, fail = st.engine.score(d)
    assert not fail.any() and set(d.a) == {0, 1} and set(d.k) == {0, 1}
    for b in range(16):  # every replication equals the plain pipeline on its spec
        want = st.build(st.replication_spec(d, b)).index.reindex(st.engine.units)
        np.testing.assert_allclose(S[b], want.to_numpy(), rtol=1e-12)
    res = robustness(sp, n=500, seed=1, uncertainty=unc, data=df)
    assert res.n_failed == 0 and res.to_frame()["median_rank"].notna().all()


def test_what_it_takes_inverts_the_registered_normalisation(registered: None) -> None:
    df = data()
    sp = spec()
    ranks = build_index(sp, data=df).ranks["Index"]
    unit = ranks.sort_values().index[8]
    res = what_it_takes(sp, unit, rank=3, data=df)
    assert res.feasible and res.method.startswith("convex")
    assert res.verified_rank is not None and res.verified_rank <= 3
    mean = df.mean()
    for m in res.moves.itertuples():  # raw = normalised * mean / 100, exactly (direction +1)
        assert m.raw_to == pytest.approx(m.normalised_to * mean[m.indicator] / 100, rel=1e-12)
    moved = df.copy()
    for m in res.moves.itertuples():
        moved.loc[unit, m.indicator] = m.raw_to
    assert build_index(sp, data=moved).ranks.loc[unit, "Index"] <= 3


def test_scenario_runs_the_registered_methods(registered: None) -> None:
    frames = []
    for k, y in enumerate(range(2016, 2022)):
        f = data(seed=k)
        f["Time"] = y
        frames.append(f)
    panel = Spec.from_dict({**spec().model_dump(by_alias=True, exclude_none=True),
                            "data": {"source": "frame", "panel": True}})
    res = scenario(panel, to=2025, n=60, seed=0, data=pd.concat(frames))
    assert res.table["median_rank"].notna().all() and res.table["p_top3"].sum() >= 3


def test_pipeline_import_leaves_the_optimiser_out() -> None:
    code = ("import sys, aigap.index, aigap.index.pipeline; "
            "print('scipy.optimize' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
