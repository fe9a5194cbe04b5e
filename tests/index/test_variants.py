"""The four non-reference ASEM specs, re-derived independently from COINr's definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aigap.index import build_index
from aigap.index.methods.stats import kurt, skew
from aigap.index.methods.treat import treat_column


def _coinr_treat(x: np.ndarray, winmax: int = 5) -> tuple[np.ndarray, str]:
    """Independent re-implementation of COINr's default Treat on one column."""
    def fails(v):
        v = v[~np.isnan(v)]
        s = stats.skew(v, bias=False)
        k = stats.kurtosis(v, fisher=True, bias=False)
        return abs(s) >= 2 and k >= 3.5

    if not fails(x):
        return x, "none"
    y = x.copy()
    treated: set[int] = set()
    while fails(y) and len(treated) < winmax:
        v = y[~np.isnan(y)]
        if stats.skew(v, bias=False) >= 0:
            top = np.nanmax(y)
            hit = np.flatnonzero(y == top)
            y[hit] = np.max(v[v < top])
        else:
            bot = np.nanmin(y)
            hit = np.flatnonzero(y == bot)
            y[hit] = np.min(v[v > bot])
        treated |= set(hit.tolist())
    if not fails(y):
        return y, "winsorise"
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo)), "log_CT"


def test_skew_kurt_are_type2():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])
    assert skew(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
    assert kurt(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)
    # the textbook G1 formula n / ((n-1)(n-2)) * sum(((x - mean) / s)^3), s = sample sd
    n, m, s = len(x), x.mean(), x.std(ddof=1)
    assert skew(x) == pytest.approx(n / ((n - 1) * (n - 2)) * np.sum(((x - m) / s) ** 3))
    assert np.isnan(skew(np.ones(5))) and np.isnan(kurt(np.array([1.0, 2, 3])))


def test_treated_matches_independent_rederivation(asem_treated):
    imp = asem_treated.dataset("Imputed")
    trt = asem_treated.dataset("Treated")
    log = asem_treated.treatment_log.set_index("iCode")
    n_changed = 0
    for code in imp.columns:
        want, how = _coinr_treat(imp[code].to_numpy())
        np.testing.assert_allclose(trt[code].to_numpy(), want, rtol=1e-12, err_msg=code)
        assert log.at[code, "treatment"] == how, code
        n_changed += how != "none"
    assert n_changed >= 5  # ASEM has several skewed indicators


def test_one_skewed_indicator_by_hand(asem_treated):
    # Tariff is winsorised at the top: the 4 largest values all become the 5th largest
    imp = asem_treated.dataset("Imputed")["Tariff"].to_numpy()
    trt = asem_treated.dataset("Treated")["Tariff"].to_numpy()
    log = asem_treated.treatment_log.set_index("iCode").loc["Tariff"]
    top = np.sort(imp)[::-1]
    assert log["treatment"] == "winsorise" and log["n_winsorised"] == 4
    assert np.sort(trt)[::-1][:5].tolist() == [top[4]] * 5
    assert abs(log["skew0"]) >= 2 and log["kurt0"] >= 3.5
    assert abs(log["skew1"]) < 2 or log["kurt1"] < 3.5
    assert len(log["winsorised_high"].split(",")) == 4
    # only the top 4 changed
    assert (trt != imp).sum() == 4


def test_log_fallback_when_winsorising_is_not_enough():
    x = np.r_[np.arange(100.0), 1e6 + np.arange(7)]  # 7 outliers: 5 winsorised are not enough
    out, info = treat_column(x)
    assert info.treatment == "log_CT"
    np.testing.assert_allclose(out, np.log(x - x.min() + 0.01 * (x.max() - x.min())))
    assert info.passed1 is False and not np.isnan(info.skew1)  # winsorising was tried first
    assert info.n_winsorised == 0  # log applies to the original data (combine_treat = FALSE)


def test_imputation_is_indicator_mean(asem_treated):
    raw = asem_treated.dataset("Raw")
    imp = asem_treated.dataset("Imputed")
    assert raw.isna().sum().sum() > 0 and imp.isna().sum().sum() == 0
    code = raw.columns[raw.isna().any()][0]
    unit = raw.index[raw[code].isna()][0]
    assert imp.at[unit, code] == pytest.approx(raw[code].mean())


def test_zscore_mean_sd():
    res = build_index("asem-zscore")
    N = res.dataset("Normalised")
    np.testing.assert_allclose(N.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(N.std(ddof=1), 1, rtol=1e-12)
    # direction -1 indicators are flipped: the best (lowest) raw value gets the top z-score
    trt = res.dataset("Treated")
    assert N["CO2"].idxmax() == trt["CO2"].idxmin()
    agg = res.dataset("Aggregated")
    env = ["Renew", "PrimEner", "CO2", "MatCon", "Forest"]
    np.testing.assert_allclose(agg["Environ"], N[env].mean(axis=1), rtol=1e-12)


def test_geometric_one_unit_by_hand():
    res = build_index("asem-geometric")
    N = res.dataset("Normalised")
    assert N.min().min() == pytest.approx(1) and N.max().max() == pytest.approx(100)
    agg = res.dataset("Aggregated")
    fw = res.framework
    u = "KOR"
    pill = {p: np.exp(np.mean(np.log(N.loc[u, fw.children(p)]))) for p in fw.at_level(2)}
    for p, v in pill.items():
        assert agg.at[u, p] == pytest.approx(v, rel=1e-12)
    conn = np.exp(np.mean(np.log([pill[p] for p in fw.children("Conn")])))
    sust = np.exp(np.mean(np.log([pill[p] for p in fw.children("Sust")])))
    assert agg.at[u, "Index"] == pytest.approx(np.sqrt(conn * sust), rel=1e-12)
    # geometric <= arithmetic of the same pillars (AM-GM)
    assert agg.at[u, "Index"] <= (conn + sust) / 2


def test_denominated_divides_by_imeta_denominator(asem_dir):
    res = build_index("asem-denominated")
    raw, den = res.dataset("Raw"), res.dataset("Denominated")
    idata = pd.read_csv(asem_dir / "iData.csv").set_index("uCode")
    np.testing.assert_allclose(den["Flights"], raw["Flights"] / idata["Population"], rtol=1e-14)
    np.testing.assert_allclose(den["Goods"], raw["Goods"] / idata["GDP"], rtol=1e-14)
    pd.testing.assert_series_equal(den["LPI"], raw["LPI"])  # no denominator
    # then the treated chain: its Treated set is the re-derived treatment of Imputed
    want, _ = _coinr_treat(res.dataset("Imputed")["Flights"].to_numpy())
    np.testing.assert_allclose(res.dataset("Treated")["Flights"], want, rtol=1e-12)
    assert res.index.idxmax() != build_index("asem-treated").index.idxmax()
