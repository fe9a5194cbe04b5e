"""The report's audit section: the index's statistical audit in both languages."""

from __future__ import annotations

from typing import Any

from aigap.index.audit import audit
from aigap.report.sections import ReportContext, audit_section


def test_audit_section_matches_the_audit(real_wh: Any) -> None:
    ctx = ReportContext(real_wh, unit="KOR", lang="ko")
    sec = audit_section(ctx)
    assert sec["id"] == "audit" and sec["title"] == "지수의 통계 점검"
    res = audit(ctx.index)
    rows = sec["tables"]["aggregates"]
    assert len(rows) == len(res.aggregates)
    alphas = sorted(round(float(a), 2) for a in res.aggregates["cronbach_alpha"].dropna())
    assert sorted(r["크론바흐 알파"] for r in rows if r["크론바흐 알파"] == r["크론바흐 알파"]) \
        == alphas
    assert "크론바흐 알파" in sec["text"]["ko"][0] and "Cronbach" in sec["text"]["en"][0]
    assert len(sec["tables"]["importance"]) == 5
