"""The full uncertainty of an index (structural block derived from the spec) and its
per-dimension Sobol indices; per-indicator denominators of the edition factor."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigap.analysis.uncertainty.robustness import prepare
from aigap.analysis.uncertainty.structural import (
    DIMENSIONS,
    dimension,
    dimension_sensitivity,
    edition_denominators,
    full_uncertainty,
    strongest,
)
from aigap.index import load_spec


def test_dimensions_group_every_factor() -> None:
    assert dimension("weights (level 2)") == "weights"
    assert dimension("treatment") == "methods"
    assert dimension("leave out (level 1)") == "indicator_set"
    assert dimension("leave out (level 2)") == "pillar_set"
    assert dimension("series: private_ai_investment_aiindex") == "series"
    assert dimension("heavily imputed units") == "heavy_imputation"
    assert dimension("edition") == "edition" and "edition" in DIMENSIONS


def test_aigap_edition_comes_from_its_intensity_forms() -> None:
    dens, source = edition_denominators("aigap", load_spec("aigap"))
    assert source == "intensity edition"
    assert dens["private_ai_investment_aiindex"] == "gdp_current_usd"
    assert dens["ai_articles"] == "population"
    # a published rate the scale edition multiplies back: divided again, i.e. the rate
    assert dens["ai_patents_granted_per_100k"] == "population"
    assert "ai_talent_net_migration" not in dens  # the same rate in both editions
    assert edition_denominators("aigap-intensity", load_spec("aigap-intensity")) == ({}, "")


def test_full_uncertainty_on_the_real_mirror(real_wh: object, real_db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from aigap.analysis.uncertainty.structural import full_frame

    full = full_uncertainty("aigap", wh=real_wh)  # type: ignore[arg-type]
    # CSET's investment series stands in for the AI Index's (the concept's other series)
    assert full.series == {"private_ai_investment_aiindex": ["private_ai_investment"]}
    assert "Enablers" not in full.leave_out[2] and len(full.leave_out[2]) == 6
    frame = full_frame("aigap", full, real_wh)  # type: ignore[arg-type]
    assert {"private_ai_investment", "gdp_current_usd", "population"} <= set(frame.columns)
    st = prepare("aigap", full.spec, data=frame)
    names = {f.name for f in st.engine.factors}
    assert {"edition", "series: private_ai_investment_aiindex", "leave out (level 1)",
            "leave out (level 2)"} <= names
    res = dimension_sensitivity(st, "KOR", n=64, seed=0)
    kor = res.indices[res.indices["target"] == "KOR"]
    assert set(kor["factor"]) <= set(DIMENSIONS) and {"weights", "methods", "edition",
                                                      "pillar_set"} <= set(kor["factor"])
    top = strongest(res, "KOR")
    assert top is not None and top["ST"] == pytest.approx(kor["ST"].max())
