"""trend: exact CAGR and years-to-close on noise-free series, intervals, short series."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from aigap.analysis.diagnosis.trend import TrendError, cagr, converge, fit_log_linear, trend
from aigap.data.warehouse import Warehouse, pull
from aigap.present import sentence

OWID = "raw/owid_cset_ai/private-investment-in-artificial-intelligence-cset.csv"
NAMES = {"KOR": "South Korea", "USA": "United States", "CHN": "China", "JPN": "Japan"}
K = 50.0
YEARS = range(2014, 2024)


def _owid(root: Path, data: dict[str, dict[int, float]]) -> None:
    rows = [f"{NAMES[c]},{c},{y},{v!r}" for c, s in data.items() for y, v in s.items()]
    (root / OWID).parent.mkdir(parents=True, exist_ok=True)
    (root / OWID).write_text("\n".join(["Entity,Code,Year,Estimated investment - Field: All",
                                        *rows]) + "\n")


@pytest.fixture()
def wh(tmp_path: Path):
    """KOR grows 20%/yr from 1e8; USA grows 10%/yr from K times more; CHN 10%/yr from half KOR;
    JPN has two points only."""
    root = tmp_path / "m"
    _owid(root, {
        "KOR": {y: 1e8 * 1.2 ** (y - 2014) for y in YEARS},
        "USA": {y: K * 1e8 * 1.1 ** (y - 2014) for y in YEARS},
        "CHN": {y: 0.5e8 * 1.1 ** (y - 2014) for y in YEARS},
        "JPN": {2022: 1e8, 2023: 2e8},
    })
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=root, datasets=["owid_cset_private_ai_investment"])
    with Warehouse.open(db) as w:
        yield w


def test_exact_cagr_and_growth(wh: Warehouse) -> None:
    res = trend(wh, "KOR", ["USA"], "private_ai_investment")
    kor = res.fits["KOR"]
    assert kor.cagr == pytest.approx(0.2, abs=1e-12)
    assert kor.growth == pytest.approx(0.2, abs=1e-12)
    assert kor.slope_se == pytest.approx(0, abs=1e-9)
    assert res.fits["USA"].cagr == pytest.approx(0.1, abs=1e-12)
    assert kor.source == "owid_cset_private_ai_investment" and kor.vintage


def test_exact_years_to_close(wh: Warehouse) -> None:
    (c,) = trend(wh, "KOR", ["USA"], "private_ai_investment").comparisons
    expected = math.log(K) / math.log(1.2 / 1.1)  # from the first year, 2014
    assert c.status == "converging"
    assert c.close_year - 2014 == pytest.approx(expected, abs=1e-6)
    assert c.years_to_close == pytest.approx(expected - 9, abs=1e-6)  # reference year 2023
    lo, hi = c.years_to_close_ci
    assert lo == pytest.approx(c.years_to_close, abs=1e-3)
    assert hi == pytest.approx(c.years_to_close, abs=1e-3)
    assert c.ratio_change == pytest.approx(1.1 / 1.2 - 1)
    assert "closes in" in sentence(c, "en") and "해소" in sentence(c, "ko")


def test_diverging_says_never(wh: Warehouse) -> None:
    # KOR leads CHN and grows faster: the gap widens
    (c,) = trend(wh, "KOR", ["CHN"], "private_ai_investment").comparisons
    assert c.status == "diverging" and c.years_to_close is None
    assert "never closes at current rates" in sentence(c, "en")
    assert c.p_close == 0


def test_short_series(wh: Warehouse) -> None:
    with pytest.raises(TrendError, match="at least 3"):
        trend(wh, "JPN", ["USA"], "private_ai_investment")
    res = trend(wh, "KOR", ["JPN", "USA"], "private_ai_investment")
    assert "JPN" in res.skipped and "at least 3" in res.skipped["JPN"]
    assert [c.other for c in res.comparisons] == ["USA"]


def test_window_restricts_fit(wh: Warehouse) -> None:
    res = trend(wh, "KOR", None, "private_ai_investment", window=(2018, 2020))
    f = res.fits["KOR"]
    assert f.years == (2018, 2019, 2020) and f.cagr_years == (2018, 2020)
    with pytest.raises(TrendError, match="after its end"):
        trend(wh, "KOR", None, "private_ai_investment", window=(2020, 2018))


def test_noisy_fit_interval_and_zeros() -> None:
    s = pd.DataFrame({"year": [2018, 2019, 2020, 2021, 2022, 2023],
                      "value": [0.0, 10.0, 13.0, 14.0, 20.0, 22.0]})
    f = fit_log_linear(s, iso3="X", indicator="x")
    assert f.n == 5 and "2018" in f.notes[0]  # the zero is dropped, and said so
    assert f.growth_ci[0] < f.growth < f.growth_ci[1]
    mid, lo, hi = f.predict(2026)
    assert lo < mid < hi and hi / lo > 1.1
    assert cagr(10, 22, 4) == pytest.approx((2.2) ** 0.25 - 1)
    assert math.isnan(cagr(0, 22, 4))


def test_uncertain_convergence_flags_non_convergence() -> None:
    years = list(range(2015, 2024))
    wobble = [0.3, -0.3, 0.25, -0.2, 0.3, -0.35, 0.2, -0.25, 0.3]
    u = pd.DataFrame({"year": years, "value": [math.exp(0.05 * i + w)
                                               for i, w in enumerate(wobble)]})
    o = pd.DataFrame({"year": years, "value": [3 * math.exp(0.03 * i - w)
                                               for i, w in enumerate(wobble)]})
    c = converge(fit_log_linear(u, iso3="U"), fit_log_linear(o, iso3="O"), n_draws=4000)
    assert c.status == "converging"
    assert c.log_ratio_slope_ci[0] < 0 < c.log_ratio_slope_ci[1]
    assert math.isinf(c.years_to_close_ci[1]) and "includes non-convergence" in sentence(c, "en")


def test_real_korea_usa(real_wh: Warehouse) -> None:
    res = trend(real_wh, "KOR", ["USA"], "private_ai_investment", window=(2014, 2023))
    assert res.fits["KOR"].n == 10 and res.fits["KOR"].cagr > res.fits["USA"].cagr
    (c,) = res.comparisons
    assert c.ratio_now > 10 and c.status == "converging"
    assert c.years_to_close_ci[0] < c.years_to_close < c.years_to_close_ci[1]
