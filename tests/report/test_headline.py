"""The report's AI 3강 section on the real mirror: its numbers are the library's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aigap.analysis.uncertainty.acceptability import NOMINAL, acceptability
from aigap.analysis.uncertainty.rank_range import rank_range
from aigap.analysis.uncertainty.robustness import prepare, robustness
from aigap.analysis.uncertainty.structural import (
    HEADLINE_BOUNDS,
    full_frame,
    full_uncertainty,
)
from aigap.data.warehouse import Warehouse
from aigap.report.builder import SECTION_BUILDERS
from aigap.report.headline import headline_section
from aigap.report.sections import ReportContext


@pytest.fixture(scope="module")
def section(real_db: Path) -> dict[str, Any]:
    with Warehouse.open(real_db) as wh:
        return headline_section(ReportContext(wh, unit="KOR", lang="ko"))


def test_the_section_leads_the_report() -> None:
    assert SECTION_BUILDERS[0] == ("ai3", headline_section)


def test_numbers_equal_the_library_calls(section: dict[str, Any], real_db: Path) -> None:
    num = section["numbers"]
    with Warehouse.open(real_db) as wh:
        full = full_uncertainty("aigap", wh=wh)
        data = full_frame("aigap", full, wh)
    st = prepare("aigap", full.spec, data=data)
    res = robustness("aigap", n=num["full"]["n"], seed=0, setup=st)
    assert num["full"]["p_top3"] == pytest.approx(float(res.p_top(3)["KOR"]))
    assert set(num["full"]["dimensions"]) >= {"weights", "methods", "indicator_set",
                                              "pillar_set", "series", "edition"}
    plain = prepare("aigap", NOMINAL, data=data)
    rr = rank_range("aigap", "KOR", default_bounds=HEADLINE_BOUNDS, setup=plain)
    assert rr.space.hi[rr.space.codes.index("Enablers")] == 0  # uncounted: held at 0
    assert (num["rank_range"]["best"], num["rank_range"]["worst"]) == (rr.best_rank,
                                                                      rr.worst_rank)
    assert num["rank_range"]["top3_attainable"] is (rr.best_rank <= 3)
    assert num["rank_range"]["exact"] is True  # arithmetic pillars: the MILP answers
    smaa = acceptability("aigap", n=num["smaa"]["n"], seed=0, confidence=None, setup=plain)
    assert num["smaa"]["p_top3"] == pytest.approx(float(smaa.p_top(3)["KOR"]))
    # at least the six published indices of the issue, with units and years
    pub = [r for r in num["reconcile"] if r["kind"] == "published"]
    assert len(pub) >= 6 and all(r["unit_rule"] and r["data_years"] for r in pub)
    assert [(d["a"], d["b"]) for d in num["decompositions"]] == [
        ("tortoise", "aigap"), ("aigap-scale", "aigap-intensity")]
    # each decomposition ends where the index it goes to stands in the table
    own = {r["edition"]: r for r in num["reconcile"] if r["kind"] == "aigap"}
    end = num["decompositions"][1]
    assert (end["rank_b"], end["of_n_b"]) == (own["aigap-intensity"]["rank"],
                                              own["aigap-intensity"]["of_n"])


def test_each_number_carries_its_assumptions(section: dict[str, Any]) -> None:
    num = section["numbers"]
    ko, en = section["text"]["ko"], section["text"]["en"]
    assert section["title"] == "AI 3강: 한국은 상위 3위에 들 수 있는가"
    p = f"{num['full']['p_top3']:.0%}"
    assert any(p in line and "상위 3위" in line for line in ko)
    assert any(line.startswith("가정:") for line in ko)
    assert sum(line.startswith("Assumptions:") for line in en) >= 4
    best = num["rank_range"]["best"]
    assert any(f"최고 {best}위" in line for line in ko)
    assert any("합니다" in line or "입니다" in line for line in ko)
    assert "reconcile" in section["tables"] and len(section["tables"]) == 3
    assert any("4,096" in n for n in section["notes"])  # the sizes kept fast are stated
