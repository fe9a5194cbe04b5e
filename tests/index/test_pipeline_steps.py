"""Pipeline paths beyond the shipped specs: screening, group imputation, data-driven weights."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.index import Spec, build_index, load_spec


def _asem_with(steps: list[dict]) -> Spec:
    raw = load_spec("asem").model_dump(by_alias=True, exclude_none=True)
    raw["steps"] = steps
    return Spec.from_dict(raw)


def test_screen_and_group_impute(asem_dir):
    res = build_index(_asem_with([
        {"step": "screen", "unit_thresh": 0.95, "indicator_thresh": 0.95},
        {"step": "impute", "method": "group_mean", "group": "EurAsia_group"},
        {"step": "normalise"}, {"step": "aggregate"},
    ]))
    raw, scr, imp = (res.dataset(n) for n in ("Raw", "Screened", "Imputed"))
    avail = 1 - raw.isna().mean(axis=1)
    assert set(scr.index) == set(avail[avail >= 0.95].index) and len(scr) < 51
    assert len(res.framework.indicators) < 49 and list(imp.columns) == res.framework.indicators
    assert raw.shape[1] == 49  # Raw keeps every indicator
    # a filled cell equals the mean of its continent's values
    from aigap.data.sources.coinr_asem import read_asem

    grp = read_asem(asem_dir.parent)[0].set_index("uCode")["EurAsia_group"]
    col = next(c for c in scr.columns if scr[c].isna().any())
    unit = scr.index[scr[col].isna()][0]
    peers = scr.index[grp[scr.index] == grp[unit]]
    assert imp.at[unit, col] == pytest.approx(scr.loc[peers, col].mean())


def test_pca_weights(asem_dir):
    res = build_index(_asem_with([
        {"step": "impute"}, {"step": "normalise"},
        {"step": "weight", "method": "pca", "levels": [2]}, {"step": "aggregate"},
    ]))
    fw = res.framework
    for p in fw.at_level(2):
        w = np.array([fw.weight[c] for c in fw.children(p)])
        assert (w >= 0).all() and w.sum() == pytest.approx(1)
    assert len({round(fw.weight[c], 6) for c in fw.indicators}) > 5  # not all equal


def test_optimised_weights_balance_correlations(asem_dir):
    base = build_index(_asem_with([{"step": "impute"}, {"step": "normalise"},
                                   {"step": "aggregate"}]))
    opt = build_index(_asem_with([
        {"step": "impute"}, {"step": "normalise"},
        {"step": "weight", "method": "optimised", "levels": [2]}, {"step": "aggregate"},
    ]))

    def imbalance(res):
        # COINr get_opt_weights: every level-1 weight jointly, each indicator's correlation
        # with the index against equal targets (log of the mean squared difference)
        agg = res.dataset("Aggregated")
        c = np.array([np.corrcoef(agg[k], agg["Index"])[0, 1] for k in res.framework.indicators])
        return np.log(np.mean((c / c.sum() - 1 / c.size) ** 2))

    # exact balance may be out of reach (correlations are bounded); it must improve markedly
    assert imbalance(opt) < imbalance(base) - np.log(2)


def test_zscore_then_rank_normalisations(asem_dir):
    # (fracmax is left out: like COINr it divides direction-flipped values by their max)
    for method in ("rank", "prank", "borda", "dist2max"):
        res = build_index(_asem_with([{"step": "normalise", "method": method},
                                      {"step": "aggregate"}]))
        assert res.index.notna().all(), method
    ref = build_index(_asem_with([{"step": "normalise", "method": "dist2ref", "ref_unit": "DEU"},
                                  {"step": "aggregate"}]))
    assert (ref.dataset("Normalised").loc["DEU"].dropna() == 1).all()
