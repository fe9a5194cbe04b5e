"""One JSON cleaner, one convention: NaN and +/-inf become null, output parses as strict JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from aigap.jsonsafe import json_safe


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_non_finite_become_null_and_json_is_strict(xs: list[float]) -> None:
    out = json_safe({"xs": xs, "frame": pd.DataFrame({"x": xs}), "arr": np.array(xs)})
    text = json.dumps(out, allow_nan=False)  # raises on NaN/Infinity
    back = json.loads(text)
    for got in (back["xs"], [r["x"] for r in back["frame"]], back["arr"]):
        assert got == [x if math.isfinite(x) else None for x in xs]


def test_open_interval_is_a_flag_not_a_string() -> None:
    from aigap.analysis.diagnosis.trend import Convergence, TrendResult

    c = Convergence(iso3="KOR", other="USA", ratio_now=29.8, reference_year=2023,
                    log_ratio_slope=-0.01, log_ratio_slope_ci=(-0.2, 0.1), ratio_change=-0.01,
                    status="converging", close_year=2300.0, years_to_close=277.0,
                    years_to_close_ci=(40.0, math.inf), p_close=0.6)
    res = TrendResult(indicator="x", unit="KOR", measure_unit="US$", window=(None, None),
                      fits={}, comparisons=[c])
    d = res.to_dict()["comparisons"][0]
    assert d["years_to_close_ci"] == [40.0, None] and d["may_never_close"] is True
    json.dumps(res.to_dict(), allow_nan=False)
