"""The report's licence rule: what each source lets a shareable report pass on, and
``--redistributable-only`` leaving out what it may not."""

from __future__ import annotations

import pytest

from aigap.report.builder import _leave_out
from aigap.report.licence import cautions, forbidden_sources, redistribution


@pytest.mark.parametrize(("licence", "rule"), [
    ("© Tortoise Media; all rights reserved (internal analysis with attribution only)",
     "forbidden"),
    ("CC BY-ND 4.0", "unchanged"),
    ("CC BY 4.0 (OWID); underlying CSET/ETO data CC BY-NC 4.0", "non_commercial"),
    ("not stated (draft dashboard copy; verify before public use)", "unstated"),
    ("", "unstated"),
    (None, "unstated"),
    ("CC BY 4.0 (World Bank open data)", "open"),
    ("Public domain (U.S. federal statistics)", "open"),
    ("MIT", "open"),
])
def test_licence_rule(licence: str | None, rule: str) -> None:
    assert redistribution(licence) == rule


def test_cautions_keep_a_fixed_order_and_drop_the_rest() -> None:
    assert cautions(["inferred-vintage", "draft", "something-else"]) == ["draft",
                                                                        "inferred-vintage"]
    assert cautions(None) == []


def test_leave_out_drops_rows_then_whole_sections() -> None:
    forbidden = forbidden_sources({"tortoise": "all rights reserved", "wb": "CC BY 4.0"})
    assert forbidden == {"tortoise"}
    claims = {"id": "claims", "title": "Claims", "sources": ["tortoise", "wb"],
              "tables": {"claims": [{"claim": "a", "_sources": ["tortoise"]},
                                    {"claim": "b", "_sources": ["wb"]}]}}
    partners = {"id": "partners", "title": "Partners", "sources": ["tortoise"],
                "tables": {"partners": [{"partner": "JPN"}]}}
    index = {"id": "index", "title": "Index", "sources": ["wb"], "tables": {}}
    kept, gone = _leave_out([claims, partners, index], forbidden)
    assert [s["id"] for s in kept] == ["claims", "index"]
    assert kept[0]["tables"]["claims"] == [{"claim": "b", "_sources": ["wb"]}]
    assert kept[0]["sources"] == ["wb"]
    assert gone == ["Claims (tortoise)", "Partners (tortoise)"]
    assert _leave_out([index], forbidden) == ([index], [])
