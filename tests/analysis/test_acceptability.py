"""SMAA-2 rank acceptability: exact toy values, uniform weights, brute force via the pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aigap.analysis.uncertainty.acceptability import (
    BLOCK,
    NOMINAL,
    Sampler,
    acceptability,
    weight_draws,
)
from aigap.analysis.uncertainty.robustness import prepare
from aigap.analysis.uncertainty.weightspace import (
    WeightSpace,
    parse_bound,
    parse_named_bound,
    parse_preference,
)
from aigap.errors import SpecError
from aigap.index import Spec, build_index, shipped_specs
from aigap.index.spec import NormaliseStep, WeightStep
from aigap.present import document, figure, sentence
from analysis.test_robustness import TOY, toy_spec  # D first, C last; A beats B iff w1 > 1/3


def synth_spec(agg: str = "arithmetic") -> Spec:
    """Six indicators in three pillars, min-max normalised."""
    return Spec.from_dict({
        "name": "synth",
        "indicators": [{"code": f"x{i}", "parent": f"P{(i + 1) // 2}"} for i in range(1, 7)],
        "aggregates": [{"code": f"P{j}", "parent": "Index"} for j in (1, 2, 3)]
        + [{"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                  {"step": "aggregate", "method": agg}],
    })


def synth_data(seed: int = 0, n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.random((n, 6)), columns=[f"x{i}" for i in range(1, 7)],
                        index=[f"U{u}" for u in range(n)])


def test_toy_acceptabilities_central_weights_and_wins() -> None:
    n = 40_000
    res = acceptability(toy_spec(), n=n, seed=5, data=TOY, confidence=None)
    acc = res.acceptabilities
    se = np.sqrt(2 / 9 / n)
    assert acc.loc["D", 1] == 1.0 and acc.loc["C", 4] == 1.0
    assert abs(acc.loc["A", 2] - 2 / 3) < 4 * se and abs(acc.loc["B", 2] - 1 / 3) < 4 * se
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    # w1 ~ U(0, 1): B is 2nd iff w1 < 1/3, so its central w1 is 1/6; A's is 2/3
    cw = res.central_weights()
    assert abs(cw.loc["B", "P1"] - 1 / 6) < 0.01 and abs(cw.loc["A", "P1"] - 2 / 3) < 0.01
    np.testing.assert_allclose(cw.sum(axis=1), 1.0)
    assert list(res.central_rank) == [1, 2, 2, 4]  # units in build order D, A, B, C
    assert abs(res.p_above("A", "B") - 2 / 3) < 4 * se
    assert res.p_above("A", "B") + res.p_above("B", "A") == pytest.approx(1.0)
    assert res.p_above("D", "C") == 1.0 and res.p_above("C", "D") == 0.0
    # no data uncertainty: every unit holds its central rank at its central weights
    assert (res.confidence == 1.0).all() and "nominal" in res.confidence_basis
    df = res.to_frame()
    assert list(df.index) == ["D", "A", "B", "C"]
    assert {"expected_rank", "p_top1", "p_top3", "central_rank", "confidence", "w_P1",
            "b1", "b4"} <= set(df.columns)


def test_bounds_change_the_law_exactly() -> None:
    """w1 uniform on [0.1, 0.5]: P(A 2nd) = P(w1 > 1/3) = (0.5 - 1/3) / 0.4."""
    n = 20_000
    res = acceptability(toy_spec(), n=n, seed=1, data=TOY, confidence=None,
                        bounds={"P1": (0.1, 0.5)})
    p = (0.5 - 1 / 3) / 0.4
    assert abs(res.acceptabilities.loc["A", 2] - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert res.summary()["weights"]["bounds"]["P1"] == [0.1, 0.5]


def _space(c: int, **kw: object) -> WeightSpace:
    spec = Spec.from_dict({
        "name": "flat", "indicators": [{"code": f"x{i}", "parent": "Index"} for i in range(c)],
        "aggregates": [{"code": "Index"}],
        "steps": [{"step": "normalise", "method": "none"},
                  {"step": "aggregate", "method": "arithmetic"}]})
    data = pd.DataFrame(np.eye(c), columns=[f"x{i}" for i in range(c)])
    fw = build_index(spec, data=data).framework  # type: ignore[union-attr]
    return WeightSpace.from_framework(fw, 1, **kw)  # type: ignore[arg-type]


def test_weights_are_dirichlet_one_not_normalised_uniforms() -> None:
    W, drawn, _ = _space(4).sample(np.random.default_rng(0), 20_000)
    assert drawn == 20_000
    np.testing.assert_allclose(W.sum(axis=1), 1.0)
    # uniform on the simplex: each marginal is Beta(1, c - 1)
    for j in range(4):
        assert stats.kstest(W[:, j], stats.beta(1, 3).cdf).pvalue > 1e-3
    U = np.random.default_rng(0).random((20_000, 4))
    assert stats.kstest((U / U.sum(1, keepdims=True))[:, 0], stats.beta(1, 3).cdf).pvalue < 1e-6


def test_bounded_and_ordered_sampling_is_uniform_on_the_polytope() -> None:
    sp = _space(3, default=(0.1, 0.6), order=[("x0", "x1")])
    W, drawn, _ = sp.sample(np.random.default_rng(2), 20_000)
    assert sp.contains(W).all() and (W[:, 0] >= W[:, 1]).all() and drawn > 20_000
    # a uniform law on the polytope: compare with rejection from plain Dirichlet(1,1,1)
    ref = np.random.default_rng(3).dirichlet(np.ones(3), 400_000)
    ref = ref[sp.contains(ref)]
    for j in range(3):
        assert stats.ks_2samp(W[:, j], ref[:, j]).pvalue > 1e-3
    # a lower bound alone needs no rejection (shifted simplex)
    W2, drawn2, _ = _space(3, default=(0.2, 1.0)).sample(np.random.default_rng(0), 1000)
    assert drawn2 == 1000 and (W2 >= 0.2 - 1e-12).all()


def _brute_force_counts(spec: Spec, data: pd.DataFrame, W: np.ndarray, codes: tuple[str, ...]
                        ) -> np.ndarray:
    """Rank counts from full pipeline runs, one per weight vector (the plain loop)."""
    n = len(data)
    counts = np.zeros((n, n), dtype=int)
    for w in W:
        steps = [*spec.steps[:-1], WeightStep(step="weight", method="manual",
                                              weights=dict(zip(codes, map(float, w),
                                                               strict=True))), spec.steps[-1]]
        res = build_index(spec.model_copy(update={"steps": steps}), data=data)
        r = res.ranks[res.framework.root].reindex(data.index)  # type: ignore[union-attr]
        counts[np.arange(n), r.to_numpy(int) - 1] += 1
    return counts


def test_matches_plain_pipeline_loop_with_the_same_weights() -> None:
    spec, data = synth_spec(), synth_data(0)
    n, seed = 300, 11
    res = acceptability(spec, n=n, seed=seed, data=data, confidence=None)
    st = prepare(spec, NOMINAL, data=data)
    W = weight_draws(Sampler(st.engine, res.space), n, seed)
    brute = _brute_force_counts(spec, data, W, res.space.codes)
    order = [res.units.index(u) for u in data.index]
    np.testing.assert_array_equal(res.counts[order], brute)


def test_matches_independent_brute_force_within_its_error() -> None:
    """A plain loop with numpy's own Dirichlet draws agrees within Monte Carlo error."""
    spec, data = synth_spec(), synth_data(3, n=6)
    res = acceptability(spec, n=20_000, seed=0, data=data, confidence=None)
    W = np.random.default_rng(99).dirichlet(np.ones(3), 400)
    brute = _brute_force_counts(spec, data, W, res.space.codes) / 400
    acc = res.acceptabilities.reindex(data.index).to_numpy()
    se = np.sqrt(acc * (1 - acc) / 400 + acc * (1 - acc) / 20_000) + 1e-9
    assert (np.abs(acc - brute) <= 4.5 * se + 1e-12).all()


def test_seeded_and_chunk_invariant() -> None:
    spec, data = synth_spec(), synth_data(1)
    n = 2 * BLOCK + 17
    st = prepare(spec, NOMINAL, data=data)
    a = acceptability(spec, n=n, seed=3, setup=st, chunk_size=BLOCK, confidence=None)
    b = acceptability(spec, n=n, seed=3, setup=st, chunk_size=10 * BLOCK, confidence=None)
    c = acceptability(spec, n=n, seed=4, setup=st, confidence=None)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.central, b.central)
    np.testing.assert_array_equal(a.wins, b.wins)
    assert not np.array_equal(a.counts, c.counts)
    assert a.n_ok == n and a.counts.sum() == n * len(data)


def test_data_uncertainty_and_confidence_factor_by_enumeration() -> None:
    spec, data = synth_spec(), synth_data(2)
    unc = {"name": "two-norms", "normalisation": [{"method": "minmax", "l": 1, "u": 100},
                                                  {"method": "zscore", "mean": 10, "sd": 2}]}
    res = acceptability(spec, n=3000, seed=0, data=data, uncertainty=unc)
    assert res.uncertainty == "two-norms" and "two-norms" in res.confidence_basis
    np.testing.assert_allclose(res.acceptabilities.sum(axis=1), 1.0)
    # confidence: each of the 2 data sets at the central weights, counted by hand
    st = prepare(spec, unc, data=data)
    for i, u in enumerate(res.units):
        w = dict(zip(res.space.codes, res.central[i], strict=True))
        hits = []
        for norm in unc["normalisation"]:  # type: ignore[union-attr]
            steps = [NormaliseStep(step="normalise", **norm),  # type: ignore[arg-type]
                     WeightStep(step="weight", method="manual", weights=w), spec.steps[-1]]
            built = build_index(spec.model_copy(update={"steps": steps}), data=data)
            r = built.ranks[st.nominal.framework.root]  # type: ignore[union-attr]
            hits.append(r[u] <= res.central_rank[i])
        assert res.confidence[i] == pytest.approx(np.mean(hits))


def test_indicator_level_and_preferences() -> None:
    spec, data = synth_spec(), synth_data(4)
    res = acceptability(spec, level=1, n=2000, seed=0, data=data, confidence=None,
                        order=[("x1", "x2")])
    assert res.space.codes == tuple(f"x{i}" for i in range(1, 7))
    cw = res.central_weights()
    ok = cw.dropna()
    assert (ok["x1"] >= ok["x2"] - 1e-9).all()
    np.testing.assert_allclose(ok[["x1", "x2"]].sum(axis=1), 1.0)  # within pillar P1
    assert 0.4 < res.acceptance < 0.6  # half the simplex of P1 has w_x1 >= w_x2


@pytest.mark.parametrize("kw, msg", [
    ({"bounds": {"Nope": (0.1, 0.2)}}, "'Nope': not a level-2 node"),
    ({"default_bounds": (0.6, 0.9)}, "lower bounds of the children of 'Index' add up to 1.8"),
    ({"default_bounds": (0.0, 0.3)}, "upper bounds"),
    ({"bounds": {"P1": (0.5, 0.2)}}, "0 <= lo <= hi <= 1"),
    ({"order": [("P1", "P2"), ("P2", "P1")], "bounds": {"P1": (0.6, 1.0)}}, "admit no weights"),
    ({"level": 3}, "level: 3 out of range 1..2"),
    ({"n": 0}, "n must be >= 1"),
])
def test_clear_errors(kw: dict[str, object], msg: str) -> None:
    with pytest.raises(SpecError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        acceptability(synth_spec(), data=synth_data(0), confidence=None,
                      **{"n": 10, **kw})  # type: ignore[arg-type]


def test_parsers() -> None:
    assert parse_bound("0.1:0.4") == (0.1, 0.4) and parse_bound(":0.3") == (0.0, 0.3)
    assert parse_named_bound("Investment & Commercial=0.1:0.3") == \
        ("Investment & Commercial", (0.1, 0.3))
    assert parse_preference("Talent>=Research") == ("Talent", "Research")
    assert parse_preference("Talent<=Research") == ("Research", "Talent")
    for bad in ("0.1", "a:b", "0.5:0.1", "0.2:1.5"):
        with pytest.raises(SpecError, match="--bounds"):
            parse_bound(bad)
    with pytest.raises(SpecError, match="CODE=LO:HI"):
        parse_named_bound("0.1:0.3")
    with pytest.raises(SpecError, match="A>=B"):
        parse_preference("Talent>Research")


def test_sentences_in_both_languages() -> None:
    res = acceptability(synth_spec(), n=500, seed=0, data=synth_data(0), confidence=None)
    en, ko = sentence(res, "en", unit="U3"), sentence(res, "ko", unit="U3")
    assert "U3" in en and "U3" in ko and en != ko
    doc = document(res)
    assert {"sentence_en", "sentence_ko", "units", "pairwise"} <= set(doc)
    fig = figure(res, "ko", top=5, highlight="U7")
    assert fig.layout.title.text.startswith("순위 수용도") and len(fig.data[0].y) == 6
    assert fig.data[0].z.shape == (6, 5) and "<b>" in fig.data[0].y[-1]


# --------------------------------------------------------------------------- real mirror


@pytest.fixture()
def aigap_spec(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shipped aigap edition (aigap, or aigap-scale once the index is split)."""
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    names = [s for s in shipped_specs() if s.startswith("aigap")]
    return "aigap-scale" if "aigap-scale" in names else names[0]


def test_properties_on_the_real_mirror(aigap_spec: str) -> None:
    res = acceptability(aigap_spec, n=3000, seed=0)
    acc = res.acceptabilities
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    assert (res.counts.sum(axis=0) >= 0).all() and acc.loc["KOR"].max() > 0
    pa, pb = res.p_above("KOR", "JPN"), res.p_above("JPN", "KOR")
    assert 0 <= pa <= 1 and pa + pb <= 1 + 1e-12
    ok = ~np.isnan(res.central).any(axis=1)
    assert res.space.contains(res.central[ok], tol=1e-6).all()
    conf = res.confidence[ok]
    assert ((conf >= 0) & (conf <= 1)).all()
    # the rank-1 acceptabilities of all units add up to at least 1 (ties share rank 1)
    assert acc[1].sum() >= 1 - 1e-12
