"""Revealed comparative advantage on constructed tables with known answers, and on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.strategy.frontier import load_epoch_models
from aigap.analysis.strategy.niche import (
    ceti_technology_rca,
    domain_activity,
    epoch_domain_rca,
    load_ceti_scores,
    niche,
    rca,
    symmetric_rca,
)
from aigap.errors import AigapError


def make_models(rows: list[tuple[int, list[str], list[str]]]) -> pd.DataFrame:
    """(year, countries, domains) rows."""
    return pd.DataFrame({
        "model": [f"m{i}" for i in range(len(rows))],
        "year": pd.array([r[0] for r in rows], dtype="Int64"),
        "countries": [r[1] for r in rows],
        "domains": [r[2] for r in rows],
    })


def test_twice_the_world_share_is_rca_two() -> None:
    act = pd.DataFrame({"d1": [2.0, 0.0], "d2": [8.0, 10.0]}, index=["A", "B"])
    r = rca(act)
    assert r.loc["A", "d1"] == pytest.approx(2.0)  # 20% of A vs 10% of the world
    assert r.loc["B", "d1"] == 0.0
    assert symmetric_rca(2.0) == pytest.approx(1 / 3)
    assert symmetric_rca(0.5) == pytest.approx(-1 / 3)


def test_unit_without_activity_has_no_rca() -> None:
    act = pd.DataFrame({"d1": [0.0, 1.0], "d2": [0.0, 1.0]}, index=["A", "B"])
    assert rca(act).loc["A"].isna().all()


def test_fractional_and_whole_counting() -> None:
    models = make_models([(2020, ["KOR", "USA"], ["Language", "Vision"]),
                          (2020, ["USA"], ["Language"])])
    frac, cnt = domain_activity(models, 2020, 2020, "fractional")
    assert frac.loc["KOR", "Language"] == 0.5 and frac.loc["USA", "Language"] == 1.5
    assert cnt.loc["USA", "Language"] == 2
    whole, _ = domain_activity(models, 2020, 2020, "whole")
    assert whole.loc["KOR", "Vision"] == 1.0
    with pytest.raises(AigapError):
        domain_activity(models, 2020, 2020, "half")  # type: ignore[arg-type]


def test_domain_table_flags_strong_growing_and_small() -> None:
    rows = [(2015, ["USA"], ["Language"])] * 8 + [(2015, ["USA"], ["Vision"])] * 2
    rows += [(2015, ["KOR"], ["Language"])] * 2
    rows += [(2021, ["USA"], ["Language"])] * 8 + [(2021, ["USA"], ["Vision"])] * 2
    rows += [(2021, ["KOR"], ["Vision"])] * 6
    out = epoch_domain_rca(make_models(rows), "KOR", early=(2014, 2018), recent=(2019, 2023))
    vis = out.set_index("domain").loc["Vision"]
    assert vis["strong"] and vis["growing"] and not vis["small_count"]
    assert vis["count"] == 6 and vis["count_early"] == 0 and vis["rca_early"] == 0
    # world 10 Vision of 28 models: KOR 6 of 8 -> RCA (6/8)/(10/28)
    assert vis["rca"] == pytest.approx((6 / 8) / (10 / 28))
    lang = out.set_index("domain").loc["Language"]
    assert lang["small_count"] and not lang["strong"]
    assert out["rank"].iloc[0] == 1 and out["domain"].iloc[0] == "Vision"
    with pytest.raises(AigapError, match="no notable models"):
        epoch_domain_rca(make_models(rows), "JPN")


def test_ceti_technology_rca_uses_mean_subpillar_scores() -> None:
    scores = pd.DataFrame({
        "ceti_ai_data": [0.8, 0.2], "ceti_ai_algorithms": [0.8, 0.2],
        "ceti_semicon_manufacturing": [0.2, 0.8], "ceti_semicon_summary_score": [9.0, 9.0],
    }, index=["KOR", "USA"])
    out = ceti_technology_rca(scores, "KOR").set_index("technology")
    assert list(out.index) == ["ai", "semicon"]  # summary column ignored
    assert out.loc["ai", "rca"] == pytest.approx((0.8 / 1.0) / (1.0 / 2.0))
    assert out.loc["ai", "n_subpillars"] == 2 and out.loc["ai", "rank_of_countries"] == 1
    with pytest.raises(AigapError):
        ceti_technology_rca(scores, "CHN")


# --- real data -----------------------------------------------------------------------------
def test_real_kor_niche_has_counts(real_wh: object) -> None:
    em = load_epoch_models(real_wh)
    res = niche(em.models, "KOR", ceti_scores=load_ceti_scores(real_wh))
    d = res.domains
    assert res.country_models > 5 and d["count"].sum() >= res.country_models
    # shares sum to one, so the world-share-weighted RCA averages to 1
    assert (d["rca"] * d["world_share"]).sum() == pytest.approx(1.0)
    assert d["label_ko"].str.contains("언어").any()
    assert set(res.technologies["technology"]) == {"ai", "biotech", "semicon", "space",
                                                   "quantum"}
    assert np.isfinite(res.technologies["rca"]).all()
    assert res.to_dict()["domains"]


def test_real_niche_section(real_wh: object) -> None:
    from aigap.present.strategy import niche_section

    sec = niche_section(real_wh, "KOR", "en")
    assert sec["figures"][0].data and sec["tables"]["domains"]
    assert any("RCA" in s for s in sec["text"]["ko"])


# --- papers and small counts (issue 15) ----------------------------------------------------
def test_three_variants_of_one_paper_count_once() -> None:
    rows = [(2020, ["USA"], ["Language"])] * 9 + [(2020, ["USA"], ["Biology"])]
    rows += [(2021, ["KOR"], ["Biology"])] * 3 + [(2021, ["KOR"], ["Language"])] * 5
    models = make_models(rows)
    models["paper"] = [*range(10), 10, 10, 10, 11, 12, 13, 14, 15]
    papers_ = niche(models, "KOR", early=(2014, 2018), recent=(2019, 2023))
    bio = papers_.domains.set_index("domain").loc["Biology"]
    assert bio["count"] == 1 and bio["models"] == 3
    assert bio["small_count"] and not bio["strong"] and not bio["growing"]
    assert papers_.country_models == 8 and papers_.country_papers == 6
    assert "Biology" not in papers_.strong_and_growing()["domain"].tolist()
    assert "8 models (6 papers)" in papers_.notes[0]
    # counted per model (the earlier reading) the three variants make biology look strong
    per_model = niche(models.drop(columns="paper"), "KOR", early=(2014, 2018),
                      recent=(2019, 2023), min_count=1)
    assert per_model.domains.set_index("domain").loc["Biology", "count"] == 3


def test_min_count_must_be_positive() -> None:
    models = make_models([(2020, ["KOR"], ["Language"])])
    with pytest.raises(AigapError, match="min_count"):
        niche(models, "KOR", min_count=0)


def test_real_korea_rca_stands_on_15_models_and_biology_is_not_strong(real_wh: object
                                                                      ) -> None:
    """April-2025 vintage, 2014-2023: 15 Korean models, 12 papers; biology is three
    ProtTrans variants of one paper, so it is flagged and never "strong and growing"."""
    em = load_epoch_models(real_wh, "Epoch AI notable models snapshot (~Apr 2025)")
    res = niche(em.models, "KOR", early=(2014, 2018), recent=(2019, 2023))
    assert res.country_models == 15 and res.country_papers == 12
    bio = res.domains.set_index("domain").loc["Biology"]
    assert bio["models"] == 3 and bio["count"] == 1 and bio["small_count"]
    assert "Biology" not in res.strong_and_growing()["domain"].tolist()
    assert not res.domains.loc[res.domains["small_count"], "strong"].any()
    late = niche(load_epoch_models(real_wh).models, "KOR")
    assert late.recent[1] == 2025 and "Biology" not in late.strong_and_growing()["domain"].tolist()
