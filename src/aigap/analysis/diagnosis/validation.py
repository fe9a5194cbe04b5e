"""How aigap's index relates to the published AI indices.

Two comparisons, each over the units aigap and the published index have in common:

* for every published index with a full country table in the warehouse (Tortoise 2021,
  Oxford Insights 2024, the Belfer CETI 2025 draft, the IMF AI Preparedness Index 2023), the
  Spearman rank correlation between its scores and each aigap build (scale and intensity
  editions), with the units that disagree most;
* for every published headline rank (``Warehouse.published_ranks``: the ranks the publishers
  released and the press reported, e.g. Tortoise 2024: Korea 6th of 83), aigap's rank of the
  same unit beside it: among all aigap units, and among the units of the published index when
  its full table is held (else only the first).

A published rank and aigap's differ for plain reasons the result keeps visible: other
countries in the table (83 vs 64), other years, another definition (government readiness is
not national capacity) and, for Belfer, the EU counted as one unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy.stats import spearmanr

from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.index.result import IndexResult
from aigap.jsonsafe import json_safe


@dataclass(frozen=True)
class PublishedTable:
    """A published index whose full country table is in the warehouse."""

    name: str
    indicator: str  # its overall score in the warehouse
    year: int
    match: str  # part of its name in published_ranks (lower case)
    note: str = ""


PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable("Tortoise Global AI Index 2021", "tortoise_total", 2021, "tortoise"),
    PublishedTable("Oxford Insights Government AI Readiness 2024", "gov_ai_readiness", 2024,
                   "oxford"),
    PublishedTable("Belfer CETI 2025, AI (draft copy)", "ceti_ai_weighted_score_derived", 2025,
                   "belfer", "draft file; 25 countries, the EU not a unit here"),
    PublishedTable("IMF AI Preparedness Index 2023", "imf_aipi", 2023, "imf"),
)

# published pillar names -> the aigap pillar closest in meaning (for headline pillar ranks)
PILLAR_MATCH = {"Talent": "Talent", "Infrastructure": "Infrastructure & Compute",
                "Commercial": "Investment & Commercial",
                "Government Strategy": "Government & Policy", "AI": "Index",
                "overall": "Index"}  # Belfer's "overall (5 sectors)" is not an AI rank: left out


@dataclass
class ValidationResult:
    """Rank correlations, the largest disagreements and the headline ranks side by side."""

    correlations: pd.DataFrame  # published, year, spec, n_common, spearman, p_value, ...
    disagreements: pd.DataFrame  # published, spec, unit, published_rank, aigap_rank, gap
    headlines: pd.DataFrame  # published_ranks rows + aigap rank per spec (all / common)
    unit: str

    def to_frame(self) -> pd.DataFrame:
        """The correlation table (one row per published index and aigap build)."""
        return self.correlations

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "unit": self.unit,
            "correlations": self.correlations.to_dict(orient="records"),
            "disagreements": self.disagreements.to_dict(orient="records"),
            "headlines": self.headlines.to_dict(orient="records"),
        })


def _published_scores(wh: Warehouse, table: PublishedTable) -> pd.Series:
    return wh.wide([table.indicator], table.year).iloc[:, 0].dropna()


def validate_index(results: Mapping[str, IndexResult], wh: Warehouse, unit: str = "KOR",
                   top_disagreements: int = 3) -> ValidationResult:
    """Compare aigap builds (``{spec name: result}``) with the published indices."""
    if not results:
        raise AigapError("validate_index: give at least one aigap build")
    scores = {name: res.index.dropna() for name, res in results.items()}
    corr, dis = [], []
    tables = {t.match: _published_scores(wh, t) for t in PUBLISHED_TABLES}
    for t in PUBLISHED_TABLES:
        pub = tables[t.match]
        for name, ours in scores.items():
            common = sorted(set(pub.index) & set(ours.index))
            rec: dict[str, Any] = {"published": t.name, "year": t.year, "spec": name,
                                   "n_common": len(common), "spearman": float("nan"),
                                   "p_value": float("nan"), "note": t.note}
            if len(common) >= 3:
                rho, p = spearmanr(pub[common], ours[common])
                rec.update(spearman=float(rho), p_value=float(p))
                pr = pub[common].rank(ascending=False, method="min")
                ar = ours[common].rank(ascending=False, method="min")
                rec[f"{unit}_published_rank"] = pr.get(unit)
                rec[f"{unit}_aigap_rank"] = ar.get(unit)
                gap = (ar - pr).sort_values(key=abs, ascending=False, kind="stable")
                for u in gap.index[:top_disagreements]:
                    dis.append({"published": t.name, "spec": name, "unit": u,
                                "published_rank": int(pr[u]), "aigap_rank": int(ar[u]),
                                "gap": int(gap[u])})
            corr.append(rec)
    heads = _headlines(results, wh, tables)
    return ValidationResult(pd.DataFrame(corr), pd.DataFrame(dis), heads, unit)


def _headlines(results: Mapping[str, IndexResult], wh: Warehouse,
               tables: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Each published headline rank with aigap's rank of the same unit beside it: among all
    aigap units, and among those in the published table when the warehouse holds the table
    of that edition (Oxford 2024, Belfer 2025)."""
    pr = wh.published_ranks()
    keep = ["index", "edition", "level", "iso3", "rank", "of_n"]
    out = pr[keep].copy()
    for name, res in results.items():
        ranks = res.ranks
        all_col, common_col = [], []
        for r in out.itertuples():
            code = PILLAR_MATCH.get(str(r.level))
            if code is None or code not in ranks or r.iso3 not in ranks.index:
                all_col.append(pd.NA)
                common_col.append(pd.NA)
                continue
            all_col.append(int(ranks.at[r.iso3, code]))
            # the full table's units stand for the published set only for the same edition
            table = next((tables[t.match] for t in PUBLISHED_TABLES if t.match in
                          str(r.index).lower() and str(r.edition).startswith(str(t.year))),
                         None)
            if table is None:
                common_col.append(pd.NA)
                continue
            common = ranks[code].reindex(sorted(set(table.index) & set(ranks.index))).dropna()
            common_col.append(int(common.rank(method="min")[r.iso3])
                              if r.iso3 in common.index else pd.NA)
        out[f"{name} rank"] = pd.array(all_col, dtype="Int64")
        out[f"{name} rank (common units)"] = pd.array(common_col, dtype="Int64")
        out[f"{name} of"] = len(ranks)
    return out.reset_index(drop=True)
