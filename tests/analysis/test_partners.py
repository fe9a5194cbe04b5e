"""Partner complementarity on constructed profiles with known answers, and on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.strategy.frontier import load_epoch_models
from aigap.analysis.strategy.partners import (
    PartnerWeights,
    complementarity,
    load_gov_readiness,
    load_tortoise_profile,
    partners,
    weak_pillars,
)
from aigap.errors import AigapError

PROFILE = pd.DataFrame(
    {"talent": [10, 90, 60, 10, 50], "compute": [20, 80, 60, 20, 50],
     "research": [90, 10, 60, 90, 50], "policy": [80, 20, 60, 80, 50]},
    index=["KOR", "AAA", "BBB", "CCC", "DDD"], dtype=float)


def test_weak_pillars_are_the_weaker_half() -> None:
    w = weak_pillars(PROFILE, "KOR")
    assert set(w.index) == {"talent", "compute"}
    assert (w > 0).all()


def test_partner_strong_exactly_where_weak_scores_highest() -> None:
    score, _, covers = complementarity(PROFILE, "KOR")
    assert score.idxmax() == "AAA"
    assert score["AAA"] == pytest.approx(1.0)  # the best unit on every weak pillar
    assert score["CCC"] == 0.0  # a clone of KOR covers nothing
    assert score["AAA"] > score["BBB"] > score["DDD"] > 0
    assert set(covers["AAA"]) == {"talent", "compute"}


def test_total_is_the_weighted_mean_of_its_parts() -> None:
    models = pd.DataFrame({"countries": [["KOR", "BBB"], ["KOR", "BBB"], ["KOR", "DDD"],
                                         ["AAA"]]})
    gov = pd.Series({"KOR": 80.0, "AAA": 60.0, "BBB": 80.0, "CCC": 80.0})
    w = PartnerWeights(0.5, 0.3, 0.2)
    res = partners(PROFILE, "KOR", models=models, gov=gov, weights=w,
                   candidates=["AAA", "BBB", "CCC", "DDD"])
    t = res.table.set_index("partner")
    assert t.loc["BBB", "co_developed_models"] == 2
    assert t.loc["BBB", "collaboration"] == pytest.approx(1.0)
    assert t.loc["DDD", "collaboration"] == pytest.approx(np.log(2) / np.log(3))
    assert t.loc["AAA", "governance_similarity"] == pytest.approx(0.8)
    expect = (0.5 * t.loc["AAA", "complementarity"] + 0.3 * t.loc["AAA", "collaboration"]
              + 0.2 * 0.8)
    assert t.loc["AAA", "total"] == pytest.approx(expect)
    # DDD has no readiness score: its total uses the two other parts, renormalised
    assert t.loc["DDD", "parts_missing"] == "governance_similarity"
    assert t.loc["DDD", "total"] == pytest.approx(
        (0.5 * t.loc["DDD", "complementarity"] + 0.3 * t.loc["DDD", "collaboration"]) / 0.8)
    assert res.table["rank"].tolist() == [1, 2, 3, 4]
    assert res.table["total"].is_monotonic_decreasing


def test_pillar_source_is_pluggable_and_errors_are_clear() -> None:
    res = partners(PROFILE, "KOR", candidates=["AAA", "BBB"], top=1,
                   pillar_source="aigap index")
    assert res.table["partner"].tolist() == ["AAA"]
    assert res.table["parts_missing"].iloc[0] == "collaboration, governance_similarity"
    with pytest.raises(AigapError, match="no pillar scores"):
        partners(PROFILE, "JPN")
    with pytest.raises(AigapError, match="weights"):
        PartnerWeights(-1, 0, 0)


# --- real data -----------------------------------------------------------------------------
def test_real_kor_partners(real_wh: object) -> None:
    profile = load_tortoise_profile(real_wh)
    assert profile.shape[1] == 7 and "KOR" in profile.index
    gov, year = load_gov_readiness(real_wh, "KOR")
    assert year is not None and year >= 2023
    em = load_epoch_models(real_wh)
    res = partners(profile, "KOR", models=em.models, gov=gov, gov_year=year, top=10)
    t = res.table
    assert len(t) == 10 and "KOR" not in set(t["partner"])
    for col in ("complementarity", "collaboration", "governance_similarity", "total"):
        assert t[col].between(0, 1).all()
    assert t.set_index("partner").loc["USA", "co_developed_models"] >= 1
    assert len(res.weak) >= 1


def test_real_partners_section(real_wh: object) -> None:
    from aigap.present.strategy import partners_section

    sec = partners_section(real_wh, "KOR", "ko", top=5)
    assert len(sec["tables"]["partners"]) == 5 and sec["figures"][0].data
    assert any("가중치" in s for s in sec["text"]["ko"])
