"""profile(): percentiles among peers, strengths/weaknesses and the sentence, on known answers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from aigap.analysis.diagnosis.profile import (
    Profile,
    ProfileError,
    classify,
    percentile_among,
    profile,
    resolve_peers,
)
from aigap.index import IndexResult, Spec, build_index
from aigap.present import document, sentence
from aigap.present.diagnosis import profile_figure

PEERS = ["USA", "JPN", "DEU", "FRA", "GBR", "ITA", "CAN", "AUS", "ESP"]  # 9 peers of KOR


def spec(impute: bool = True) -> Spec:
    """Three pillars (Talent: t1, t2 lower-is-better; Research: r1; Government & Policy: g1)."""
    steps = [{"step": "impute", "method": "indicator_mean"}] if impute else []
    return Spec.from_dict({
        "name": "tiny",
        "indicators": [
            {"code": "t1", "parent": "Talent"},
            {"code": "t2", "parent": "Talent", "direction": -1},
            {"code": "r1", "parent": "Research"},
            {"code": "g1", "parent": "Government & Policy"},
        ],
        "aggregates": [
            {"code": "Talent", "name": "Talent", "parent": "Index"},
            {"code": "Research", "name": "Research", "parent": "Index"},
            {"code": "Government & Policy", "name": "Government & Policy", "parent": "Index"},
            {"code": "Index"},
        ],
        "steps": [*steps, {"step": "normalise", "method": "minmax"},
                  {"step": "aggregate", "method": "arithmetic"}],
    })


def build(kor: dict[str, float], extra: dict[str, dict[str, float]] | None = None
          ) -> IndexResult:
    """Peers score 1..9 on every pillar (t2 = 10 - rank, as lower is better); KOR as given."""
    rows = {u: {"t1": k + 1.0, "t2": 9.0 - k, "r1": k + 1.0, "g1": k + 1.0}
            for k, u in enumerate(PEERS)}
    rows["KOR"] = kor
    rows.update(extra or {})
    res = build_index(spec(), data=pd.DataFrame.from_dict(rows, orient="index"))
    assert isinstance(res, IndexResult)
    return res


BEST = {"t1": 10.0, "t2": 0.0, "r1": 10.0, "g1": 10.0}


def test_percentile_convention() -> None:
    peers = np.array([1.0, 2.0, 3.0, np.nan, 4.0])
    assert percentile_among(5.0, peers) == (100.0, 1, 5)  # best: beats all 4 with data
    assert percentile_among(0.0, peers) == (0.0, 5, 5)  # worst
    assert percentile_among(4.0, peers) == (100.0, 1, 5)  # tie with the best counts as beaten
    assert percentile_among(2.5, peers) == (50.0, 3, 5)
    assert percentile_among(0.0, peers, direction=-1) == (100.0, 1, 5)  # lower is better
    pct, rank, n = percentile_among(float("nan"), peers)
    assert math.isnan(pct) and rank == 0 and n == 5
    assert math.isnan(percentile_among(1.0, np.array([np.nan]))[0])  # no peer with data


def test_best_unit_is_100_and_strong_across_the_board() -> None:
    p = profile("aigap", "KOR", peers=PEERS, result=build(BEST))
    assert list(p.pillars["percentile"]) == [100.0, 100.0, 100.0]
    assert (p.indicators["percentile"] == 100.0).all()
    assert p.pattern == "strong_across" and p.weaknesses == []
    assert sentence(p, "en").endswith("is strong across the board, in the top quarter "
                                  "(percentile >= 75) in every pillar.")
    assert "모든 부문에서 상위 25% 안에 들어 전반적으로 강합니다." in sentence(p, "ko")
    assert sentence(p, "ko").startswith("지정한 비교국 9개국과 비교하면 한국은")


def test_mixed_strong_in_a_but_weak_in_b() -> None:
    # best in Talent, worst in Government & Policy, middle (beats 5 of 9) in Research
    p = profile("aigap", "KOR", peers=PEERS, result=build({"t1": 10, "t2": 0, "r1": 5.5, "g1": 0}))
    pct = dict(zip(p.pillars["code"], p.pillars["percentile"], strict=True))
    assert pct["Talent"] == 100.0 and pct["Government & Policy"] == 0.0
    assert pct["Research"] == pytest.approx(100 * 5 / 9)
    assert p.strengths == ["Talent"] and p.weaknesses == ["Government & Policy"]
    assert p.pattern == "mixed"
    assert sentence(p, "en") == ("Compared with the 9 chosen peers, South Korea is strong in "
                                 "Talent but weak in Government & Policy.")
    assert sentence(p, "ko") == ("지정한 비교국 9개국과 비교하면 한국은 인재 부문에서 강하지만 "
                                 "정부·정책 부문에서는 뒤처집니다.")


def test_two_strengths_are_joined_naturally() -> None:
    p = profile("aigap", "KOR", peers=PEERS[:3],
                result=build({"t1": 10, "t2": 0, "r1": 10, "g1": 0}))
    assert p.strengths == ["Talent", "Research"]
    assert "인재와 연구 부문에서 강하지만 정부·정책 부문에서는 뒤처집니다" in sentence(p, "ko")
    assert "strong in Talent and Research but weak in Government & Policy" in sentence(p, "en")
    # a short custom list is named (members in code order): 독일·일본·미국과 비교하면
    assert sentence(p, "ko").startswith("독일·일본·미국과 비교하면 한국은")
    assert sentence(p, "en").startswith("Compared with Germany, Japan and the United States, ")


def test_no_clear_strengths() -> None:
    weak_only = profile("aigap", "KOR", peers=PEERS,
                        result=build({"t1": 0, "t2": 10, "r1": 5.5, "g1": 5.5}))
    assert weak_only.pattern == "weak_only" and weak_only.strengths == []
    assert "has no clear strength and is weak in Talent" in sentence(weak_only, "en")
    assert "뚜렷한 강점 없이 인재 부문에서 뒤처집니다" in sentence(weak_only, "ko")
    middle = profile("aigap", "KOR", peers=PEERS,
                     result=build({"t1": 4.5, "t2": 5.5, "r1": 4.5,
                                                       "g1": 5.5}))
    assert middle.pattern == "middle" and middle.strengths == middle.weaknesses == []
    assert "no clear strength or weakness" in sentence(middle, "en")
    assert "뚜렷한 강점도 약점도 없습니다" in sentence(middle, "ko")


def test_strong_without_weakness_but_not_across_the_board() -> None:
    p = profile("aigap", "KOR", peers=PEERS,
                result=build({"t1": 10, "t2": 0, "r1": 3.5, "g1": 5.5}))
    assert p.pattern == "strong_only"  # Research at the 33rd percentile: below the median
    assert "strong in Talent and weak in no pillar (its lowest is Research, percentile 33)" \
        in sentence(p, "en")
    assert ("인재 부문에서 강하고, 뚜렷하게 뒤처지는 부문은 없습니다"
            "(가장 낮은 부문은 연구, 백분위 33)") in sentence(p, "ko")


def test_classify_thresholds_are_inclusive() -> None:
    assert classify({"a": 75.0, "b": 25.0}) == "mixed"
    assert classify({"a": 74.9, "b": 25.1}) == "middle"
    assert classify({"a": 60.0, "b": 50.0}) == "even_above"
    assert classify({"a": 10.0, "b": 20.0}) == "weak_across"
    assert classify({"a": float("nan")}) == "no_data"


def test_imputed_unit_value_is_flagged_not_ranked() -> None:
    res = build({"t1": 10, "t2": np.nan, "r1": 10, "g1": 10})
    p = profile("aigap", "KOR", peers=PEERS, result=res)
    t2 = p.indicators.set_index("code").loc["t2"]
    assert bool(t2["imputed"]) and math.isnan(t2["percentile"]) and t2["status"] == ""
    assert not p.indicators.set_index("code").loc["t1", "imputed"]
    # the index itself used the imputed (mean) value: the pillar score is not 100
    assert res.dataset("Imputed").at["KOR", "t2"] == pytest.approx(5.0)
    assert p.pillars.set_index("code").at["Talent", "score"] < 100


def test_peer_missing_values_are_left_out() -> None:
    res = build(BEST, extra={"USA": {"t1": np.nan, "t2": 1, "r1": 1, "g1": 1}})
    p = profile("aigap", "KOR", peers=PEERS, result=res)
    t1 = p.indicators.set_index("code").loc["t1"]
    assert t1["n"] == 9 and t1["percentile"] == 100.0  # 8 peers with data + KOR


def test_unit_outside_the_group_is_compared_with_its_members() -> None:
    # G7: USA JPN DEU FRA GBR ITA CAN (all in the data); KOR is not a member
    p = profile("aigap", "KOR", peers="G7", result=build(BEST))
    assert not p.unit_is_member and p.group == "G7"
    assert p.pillars["n"].tolist() == [8, 8, 8]  # 7 members + KOR
    assert sentence(p, "en").startswith("Compared with G7 members, South Korea")
    assert sentence(p, "ko").startswith("G7 국가와 비교하면 한국은")


def test_group_members_absent_from_the_index_are_named() -> None:
    p = profile("aigap", "KOR", peers="G20", result=build(BEST))
    assert "CHN" in p.peers_without_data and "USA" not in p.peers_without_data
    assert p.pillars["n"].tolist() == [9, 9, 9]  # 8 G20 members in the data + KOR


def test_user_errors() -> None:
    res = build(BEST)
    with pytest.raises(ProfileError, match="not in the tiny index"):
        profile("aigap", "CHN", peers=PEERS, result=res)
    with pytest.raises(ProfileError, match="unknown peer group 'OCED'"):
        profile("aigap", "KOR", peers="OCED", result=res)
    with pytest.raises(ProfileError, match="no member other than KOR"):
        profile("aigap", "KOR", peers=["KOR"], result=res)
    assert resolve_peers("eu")[0] == "EU27"
    assert resolve_peers("JPN, DEU") == ("custom", ["DEU", "JPN"])


def test_frames_dict_and_figure() -> None:
    p = profile("aigap", "KOR", peers=PEERS, result=build({"t1": 10, "t2": 0, "r1": 5.5, "g1": 0}))
    f = p.to_frame()
    assert list(f["level"]).count("pillar") == 3 and list(f["level"]).count("indicator") == 4
    d = document(p)
    assert d["pattern"] == "mixed" and d["thresholds"] == {"strong": 75.0, "weak": 25.0}
    assert len(d["pillars"]) == 3 and d["sentence_ko"] == sentence(p, "ko")
    fig = profile_figure(p, "ko", compare=["USA", "CHN"])  # CHN is not in the index: skipped
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["비교국 중앙값", "미국", "한국"]
    assert list(fig.data[-1].r[:3]) == list(p.pillars["score"])
    pf = profile_figure(p, "en", compare=[], metric="percentile")
    assert list(pf.data[-1].r[:3]) == list(p.pillars["percentile"])


# --------------------------------------------------------------------------- real warehouse


@pytest.fixture()
def real_aigap(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> IndexResult:
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    res = build_index("aigap")
    assert isinstance(res, IndexResult)
    return res


def test_real_kor_among_oecd(real_aigap: IndexResult) -> None:
    p = profile("aigap", "KOR", peers="OECD", result=real_aigap)
    assert isinstance(p, Profile)
    # index v2: six AI pillars + the zero-weight Enablers (v1: 5 pillars)
    assert len(p.pillars) == 7 and p.pillars["percentile"].between(0, 100).all()
    assert p.pillars["n"].max() <= 38  # OECD has 38 members, KOR among them
    assert set(p.pillars["name_ko"]) == {"인재", "연구", "프런티어 모델", "투자·상업화",
                                         "인프라·컴퓨팅", "정부·정책", "기반 여건(합산 안 함)"}
    assert "Enablers" not in p.strengths + p.weaknesses  # shown, not counted
    assert len(p.indicators) == len(real_aigap.framework.indicators)
    ok = p.indicators["percentile"].dropna()
    assert ok.between(0, 100).all()
    assert sentence(p, "ko").startswith("OECD 회원국과 비교하면 한국은")
    for code in p.strengths:  # every strength named in the sentence, in Korean
        name = p.pillars.set_index("code").at[code, "name_ko"]
        assert name in sentence(p, "ko")
