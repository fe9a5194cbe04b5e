"""Live golden tests: aigap against COINr 1.1.14 itself, on ASEM, for every method.

One R process (``tests/index/coinr/cases.R``) builds every case with COINr and writes each data
set, the ranks and any weights as CSV into a temp dir; each test builds the same case with
aigap and compares every data set and rank at 1e-9. Needs ``Rscript`` and COINr 1.1.14
(``scripts/install-r.sh``; ``scripts/test.sh`` runs it, so CI has them): skipped with the
reason otherwise, and an error when ``CI`` is set. Deliberate differences are listed in
:data:`DIFFERENCES` (and in the README's parity table); each has its own test of what does hold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from aigap.index import Spec, build_index
from aigap.index.methods.aggregate import aggregate
from aigap.index.methods.weight import opt_objective
from aigap.index.plan import Aggregation, resolve

CASES_R = Path(__file__).parent / "coinr" / "cases.R"
TOL = 1e-9

# method -> why aigap differs from COINr on purpose (the README's table)
DIFFERENCES = {
    "copeland, missing data": "COINr sets O[j,i] = 1 - O[i,j] from i < j only, so its scores "
                              "depend on unit order; aigap compares each pair over shared "
                              "indicators (permuting units permutes scores); same without NaN",
    "genmean, missing data": "COINr's a_genmean returns NA for a unit with any missing child; "
                             "aigap skips missing children like every other mean",
    "genmean, p = 0": "COINr refuses p = 0; aigap takes the limit (geometric mean)",
    "optimised weights": "COINr stops R's Nelder-Mead at reltol 0.1 and lets weights go "
                         "negative; aigap minimises the same objective to convergence over "
                         "positive weights (objective checked equal at COINr's weights, and "
                         "aigap's is at most COINr's)",
    "pca signed loadings, sign": "an eigenvector's sign is the solver's choice (R's reference "
                                 "LAPACK and NumPy's OpenBLAS differ); aigap makes each group's "
                                 "loadings sum > 0; scores are the same",
    "pca loadings: squared (default)": "COINr uses the signed loadings; aigap's default squares "
                                       "them (non-negative, sign-free); loadings: signed = COINr",
    "weighted median": "COINr 1.1.14 has no median aggregation; aigap's is its own",
}


def _require_coinr() -> None:
    why = None
    if shutil.which("Rscript") is None:
        why = "Rscript not found (run scripts/install-r.sh)"
    else:
        got = subprocess.run(
            ["Rscript", "-e", "cat(as.character(packageVersion('COINr')))"],
            capture_output=True, text=True, timeout=120)
        if got.returncode != 0 or got.stdout.strip() != "1.1.14":
            why = f"COINr 1.1.14 not installed (run scripts/install-r.sh): {got.stdout.strip()}"
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"live COINr tests must run in CI: {why}")
        pytest.skip(why)


@pytest.fixture(scope="module")
def coinr(tmp_path_factory, asem_dir) -> Path:
    """The temp dir with every case built by COINr (one R process for the module)."""
    _require_coinr()
    out = tmp_path_factory.mktemp("coinr")
    run = subprocess.run(["Rscript", str(CASES_R), str(out)], capture_output=True, text=True,
                         timeout=1800)
    assert run.returncode == 0 and (out / "DONE").is_file(), run.stderr[-2000:]
    return out


def _read(out: Path, case: str, what: str) -> pd.DataFrame:
    err = out / f"{case}__ERROR.txt"
    assert not err.is_file(), f"COINr failed on {case}: {err.read_text()[:500]}"
    return pd.read_csv(out / f"{case}__{what}.csv")


def _frame(out: Path, case: str, what: str) -> pd.DataFrame:
    df = _read(out, case, what).set_index("uCode")
    return df.apply(pd.to_numeric, errors="coerce") if len(df.columns) else df


def _spec(name: str, steps: list[dict[str, Any]], panel: bool = False) -> Spec:
    return Spec.from_dict({"name": name, "data": {"source": "asem", "panel": panel},
                           "structure": {"from": "asem_imeta"}, "steps": steps})


def _same(got: pd.DataFrame, want: pd.DataFrame, where: str) -> None:
    cols = [c for c in want.columns if c in got.columns]
    assert cols, f"{where}: no common columns"
    assert sorted(got.index) == sorted(want.index), f"{where}: units differ"
    g = got.loc[want.index, cols].to_numpy(dtype=float)
    w = want[cols].to_numpy(dtype=float)
    bad = np.isnan(g) != np.isnan(w)
    assert not bad.any(), (f"{where}: missing values differ at "
                           f"{[(want.index[i], cols[j]) for i, j in np.argwhere(bad)][:5]}")
    np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL, err_msg=where)


def _compare(res: Any, out: Path, case: str, dsets: tuple[str, ...] = ()) -> None:
    """Every data set COINr wrote for ``case`` that aigap also has, and the ranks."""
    names = dsets or tuple(p.name.split("__")[1][:-4] for p in out.glob(f"{case}__*.csv"))
    compared = 0
    for name in names:
        if name in res.datasets:
            _same(res.dataset(name), _frame(out, case, name), f"{case}/{name}")
            compared += 1
    assert compared >= 2, f"{case}: too few data sets compared ({names})"
    want = _frame(out, case, "ranks")
    _ranks_agree(res.scores.loc[want.index, want.columns], res.ranks.loc[want.index, want.columns],
                 want, f"{case}/ranks")


def _ranks_agree(vals: pd.DataFrame, ours: pd.DataFrame, want: pd.DataFrame, where: str) -> None:
    """Ranks equal, where a tie within 1e-9 may be broken either way (the last bit of two
    mathematically equal scores can differ between R and NumPy)."""
    np.testing.assert_array_equal(ours.isna().to_numpy(), want.isna().to_numpy(), err_msg=where)
    for c in want.columns:
        v, r, w = (x[c].to_numpy(dtype=float) for x in (vals, ours, want))
        for i in np.flatnonzero(~np.isnan(w)):
            with np.errstate(invalid="ignore"):
                near = (v == v[i]) | (np.abs(v - v[i]) <= TOL * max(1.0, abs(v[i])))
            lo = np.nanmin(r[near])
            assert lo <= w[i] <= lo + near.sum() - 1, f"{where}: {want.index[i]} {c}"


N = {"step": "normalise"}
A = {"step": "aggregate"}
IMP = {"step": "impute", "method": "indicator_mean"}


def _imeta(asem_dir: Path) -> pd.DataFrame:
    return pd.read_csv(asem_dir / "iMeta.csv")


def _ind_codes(asem_dir: Path) -> list[str]:
    m = _imeta(asem_dir)
    return list(m.loc[m["Type"] == "Indicator", "iCode"])


SIMPLE: dict[str, list[dict[str, Any]]] = {
    "n_minmax": [N, A],
    "n_minmax_1_100": [{"step": "normalise", "l": 1, "u": 100}, A],
    "n_zscore": [{"step": "normalise", "method": "zscore", "mean": 10, "sd": 2}, A],
    "n_rank": [{"step": "normalise", "method": "rank"}, A],
    "n_prank": [{"step": "normalise", "method": "prank"}, A],
    "n_borda": [{"step": "normalise", "method": "borda"}, A],
    "n_dist2max": [{"step": "normalise", "method": "dist2max"}, A],
    "n_fracmax": [{"step": "normalise", "method": "fracmax"}, A],
    "n_dist2ref": [{"step": "normalise", "method": "dist2ref", "ref_unit": "DEU",
                    "cap_max": True}, A],
    "a_gmean": [{"step": "normalise", "l": 1, "u": 100},
                {"step": "aggregate", "method": "geometric"}],
    "a_hmean": [{"step": "normalise", "l": 1, "u": 100},
                {"step": "aggregate", "method": "harmonic"}],
    "a_genmean_p2": [IMP, N, {"step": "aggregate", "method": "genmean", "params": {"p": 2}}],
    "a_genmean_pm05": [IMP, {"step": "normalise", "l": 1, "u": 100},
                       {"step": "aggregate", "method": "genmean", "params": {"p": -0.5}}],
    "i_mean": [IMP, N, A],
    "i_median": [{"step": "impute", "method": "indicator_median"}, N, A],
    "i_mean_grp": [{"step": "impute", "method": "group_mean", "group": "EurAsia_group"}, N, A],
    "i_median_grp": [{"step": "impute", "method": "group_median", "group": "EurAsia_group"},
                     N, A],
    "screen_byNA": [{"step": "screen", "unit_thresh": 0.9}, N, A],
    "screen_both": [{"step": "screen", "unit_thresh": 0.85, "nonzero_thresh": 0.9}, N, A],
    "denom_imeta": [{"step": "denominate", "by": "meta"}, N, A],
    "treat_default": [IMP, {"step": "treat"}, N, A],
    "treat_win3_orig": [IMP, {"step": "treat", "winmax": 3, "f2": "log_CT_orig"}, N, A],
    "treat_combine": [IMP, {"step": "treat", "combine": True}, N, A],
    "dat_thresh_zero_w": [N, {"step": "weight", "method": "manual",
                              "weights": {"Flights": 0, "Goods": 0, "Embs": 0}},
                          {"step": "aggregate", "dat_thresh": 0.8}],
}


@pytest.mark.parametrize("case", sorted(SIMPLE))
def test_case_matches_coinr(coinr, case):
    _compare(build_index(_spec(case, SIMPLE[case])), coinr, case)


def test_infinite_values_propagate_like_coinr(coinr):
    # fracmax of direction -1 data: COINr's Inf stays in its pillar and parents only
    res = build_index(_spec("n_fracmax", SIMPLE["n_fracmax"]))
    agg = res.dataset("Aggregated")
    assert np.isinf(agg.to_numpy(dtype=float)).any()
    assert agg["Index"].notna().all()


def test_dist2targ_per_indicator_cap(coinr, asem_dir):
    capped = _ind_codes(asem_dir)[::3]  # as cases.R: every third indicator capped
    steps = [{"step": "normalise", "method": "dist2targ", "targets": "meta",
              "per_indicator": {c: {"cap_max": True} for c in capped}}, A]
    _compare(build_index(_spec("n_dist2targ", steps)), coinr, "n_dist2targ")


def test_goalposts_per_indicator(coinr):
    gp = _read(coinr, "n_goalposts", "goalposts")
    steps = [{"step": "normalise", "method": "goalposts", "scale": 100,
              "goalposts": {r.iCode: [r.lower, r.upper] for r in gp.itertuples()},
              "per_indicator": {r.iCode: {"scale": float(r.scale), "trunc": bool(r.trunc)}
                                for r in gp.itertuples() if r.scale != 100 or not r.trunc}},
             A]
    _compare(build_index(_spec("n_goalposts", steps)), coinr, "n_goalposts")


def test_denominate_external_table_and_scale_factors(coinr):
    table = str(coinr / "denom_world__denoms.csv")
    steps = [{"step": "denominate", "by": "GDP", "indicators": ["Goods", "Services"],
              "scales": {"Services": 100}, "table": table},
             {"step": "denominate", "by": "Population", "indicators": ["Flights"],
              "scale": 1000},
             {"step": "denominate", "by": "Area", "indicators": ["Renew"]}, N, A]
    res = build_index(_spec("denom_world", steps))
    _compare(res, coinr, "denom_world")
    raw, den = res.dataset("Raw"), res.dataset("Denominated")
    untouched = [c for c in den.columns if c not in ("Goods", "Services", "Flights", "Renew")]
    pd.testing.assert_frame_equal(den[untouched], raw[untouched])


def test_copeland_matches_coinr_on_complete_data(coinr):
    want = _frame(coinr, "a_copeland", "scores")
    res = build_index(_spec("a_copeland", [IMP, N, {"step": "aggregate",
                                                   "method": {2: "copeland"}}]))
    _same(res.dataset("Aggregated"), want, "a_copeland/scores")


def test_pca_signed_loadings_match_coinr(coinr):
    steps = [IMP, N, {"step": "weight", "method": "pca", "levels": [2],
                      "params": {"loadings": "signed"}}, A]
    res = build_index(_spec("pca_l1", steps))
    w = _read(coinr, "pca_l1", "weights").set_index("iCode")
    ind = w[w["Level"] == 1]["Weight"]
    fw = res.framework
    for p in fw.at_level(2):
        kids = [c for c in fw.children(p) if c in ind.index]
        got = np.array([fw.weight[c] for c in kids])
        want = ind.loc[kids].to_numpy(dtype=float)
        # the sign of an eigenvector is the LAPACK's choice: equal up to one sign per group
        assert got.sum() > 0
        np.testing.assert_allclose(got, np.sign(want.sum()) * want, rtol=TOL, atol=TOL)
    _compare(res, coinr, "pca_l1")  # a group's mean does not change when its weights flip


def test_pca_above_the_indicators_matches_coinr(coinr):
    """PCA weights of the pillars within their sub-indices (COINr get_PCA, Level = 2)."""
    steps = [IMP, N, {"step": "weight", "method": "pca", "levels": [3],
                      "params": {"loadings": "signed"}}, A]
    res = build_index(_spec("pca_l2", steps))
    w = _read(coinr, "pca_l2", "weights").set_index("iCode")
    lv2 = w[w["Level"] == 2]["Weight"]
    fw = res.framework
    for p in fw.at_level(3):
        kids = [c for c in fw.children(p) if c in lv2.index]
        got = np.array([fw.weight[c] for c in kids])
        want = lv2.loc[kids].to_numpy(dtype=float)
        assert got.sum() > 0
        np.testing.assert_allclose(got, np.sign(want.sum()) * want, rtol=TOL, atol=TOL)
    _compare(res, coinr, "pca_l2")


@pytest.mark.parametrize(("case", "level"), [("opt_l2", 3), ("opt_l3", 4)])
def test_optimised_weights_objective(coinr, case, level):
    """Same objective as COINr at COINr's weights; aigap's optimum is at least as good."""
    sp = _spec(case, [IMP, N, A])
    base = build_index(sp)
    plan = resolve(sp, _imeta_frame())
    fw, agg = base.framework, Aggregation.of(plan.aggregation.step)
    X = base.dataset("Normalised")[fw.indicators].to_numpy(dtype=float)
    w = _read(coinr, case, "weights").set_index("iCode")["Weight"]
    kids = fw.membership(level)[0]
    t = np.full(len(kids), 1 / len(kids))
    coinr_value = float(_read(coinr, case, "value")["value"].iloc[0])
    ours_at_coinr = opt_objective(w.loc[kids].to_numpy(dtype=float), X, fw, agg, level, t)
    assert ours_at_coinr == pytest.approx(coinr_value, rel=TOL, abs=TOL)
    opt = build_index(_spec(case, [IMP, N, {"step": "weight", "method": "optimised",
                                            "levels": [level]}, A]))
    w_opt = np.array([opt.framework.weight[k] for k in kids])
    assert (w_opt > 0).all()
    assert opt_objective(w_opt, X, fw, agg, level, t) <= coinr_value + 1e-9


def _imeta_frame() -> pd.DataFrame:
    from aigap.data.sources.coinr_asem import read_asem

    return read_asem(None)[1]


def test_panel_global_normalisation(coinr):
    res = build_index(_spec("panel", [{"step": "normalise", "global_panel": True}, A],
                            panel=True))
    assert len(res.years) == 5
    for y in res.years:
        _compare(res[y], coinr, f"panel_global_{y}", ("Raw", "Normalised", "Aggregated"))


def test_copeland_and_genmean_differences_are_listed():
    assert {"copeland, missing data", "genmean, missing data"} <= set(DIFFERENCES)
    # the batched genmean is the pipeline's
    X = np.array([[1.0, 4.0], [2.0, np.nan]])
    W = np.ones((2, 1))
    np.testing.assert_allclose(aggregate(X, W, "genmean", params={"p": 2})[:, 0],
                               [np.sqrt(8.5), 2.0])


def test_audit_statistics_match_coinr(coinr: Path) -> None:
    """`aigap audit` statistics = COINr get_stats (Raw) and get_cronbach (per pillar)."""
    from aigap.index.audit import audit

    res = build_index(_spec("audit", [IMP, N, A]))
    got = audit(res)
    want = _read(coinr, "audit", "stats").set_index("iCode")
    pairs = {"Min": "min", "Max": "max", "Mean": "mean", "Median": "median", "Std": "std",
             "Skew": "skew", "Kurt": "kurt", "N.Avail": "n_avail", "N.NonZero": "n_nonzero",
             "N.Unique": "n_unique", "Frc.Avail": "frc_avail"}
    for theirs, ours in pairs.items():
        np.testing.assert_allclose(got.stats.loc[want.index, ours].to_numpy(float),
                                   want[theirs].to_numpy(float), rtol=TOL, atol=TOL,
                                   err_msg=theirs)
    for theirs, ours in (("Flag.Avail", "flag_avail"), ("Flag.SkewKurt", "flag_skewkurt"),
                         ("Flag.Unique", "flag_unique"), ("Flag.NonZero", "flag_nonzero")):
        assert list(got.stats.loc[want.index, ours]) == list(want[theirs]), theirs
    alpha = _read(coinr, "audit", "cronbach").set_index("aggregate")["alpha"]
    np.testing.assert_allclose(got.aggregates.loc[alpha.index, "cronbach_alpha"], alpha,
                               rtol=TOL, atol=TOL)
