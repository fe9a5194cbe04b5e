"""Niche specialisation: revealed comparative advantage (Balassa RCA) of a country.

``RCA_cd = (x_cd / x_c) / (x_wd / x_w)``: the share of domain d in the country's activity over
the share of d in the world's. RCA > 1 means the country leans towards d more than the world
does. The symmetric form ``(RCA - 1) / (RCA + 1)`` lies in [-1, 1) and treats under- and
over-specialisation alike (RCA 2 -> 1/3, RCA 1/2 -> -1/3).

Two activity tables:

* Epoch AI notable models by domain, counted by *paper*: the variants of one publication
  (same reference title, link, or organisations and date; see
  :func:`aigap.analysis.strategy.frontier.paper_ids`) are one unit, with the union of their
  domains and countries and the year of the earliest. A paper listing several domains
  counts 1/k for each of its k domains (``fractional``, default, so every paper weighs 1) or
  1 for each (``whole``); a paper co-developed by several countries counts fully for each
  country. The world is the sum over countries, so the country-weighted mean RCA is 1.
  A domain with fewer than ``min_count`` papers of the country is flagged ``small_count``
  and never called strong or growing: one paper more or less would flip it.
* Belfer CETI 2025 technologies (AI, biotech, semiconductors, space, quantum): the activity
  of a country in a sector is its mean sub-pillar score (0-1, leader = 1). This is a
  score-based analogue of RCA, not a trade or output share, and the data are a draft.

The warehouse holds no other by-sector table per country (e.g. AI Index investment by focus
area), so there is no third table yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from aigap.data.catalogue import ceti_sectors
from aigap.data.countries import check_iso3
from aigap.errors import AigapError
from aigap.i18n import t_or

Counting = Literal["fractional", "whole"]
MIN_COUNT = 5  # below this many models an RCA swings on one model
DEFAULT_EARLY = (2014, 2018)
RECENT_FROM = 2019  # the recent window runs from here to the newest model of the vintage
CETI_EXCLUDE = re.compile(r"summary|raw_score|total|weighted")


def rca(activity: pd.DataFrame) -> pd.DataFrame:
    """Balassa RCA of a units x categories activity table (NaN for a unit with no activity)."""
    x = activity.fillna(0.0).astype(float)
    unit_tot = x.sum(axis=1)
    world = x.sum(axis=0)
    world_share = world / world.sum()
    share = x.div(unit_tot.where(unit_tot > 0), axis=0)
    return share.div(world_share.where(world_share > 0), axis=1)


def symmetric_rca(r: pd.DataFrame | pd.Series | float) -> Any:
    """(RCA - 1) / (RCA + 1), in [-1, 1)."""
    return (r - 1) / (r + 1)


def papers(models: pd.DataFrame) -> pd.DataFrame:
    """One row per paper: the union of its models' domains and countries, the earliest year,
    and how many models (variants) it has. Without a ``paper`` column every model is a paper."""
    if "paper" not in models.columns:
        models = models.assign(paper=np.arange(len(models)))

    def union(lists: pd.Series) -> list[str]:
        return list(dict.fromkeys(x for xs in lists for x in xs))

    g = models.groupby("paper", sort=True)
    return pd.DataFrame({
        "year": g["year"].min(), "domains": g["domains"].agg(union),
        "countries": g["countries"].agg(union), "n_models": g.size(),
        "model": g["model"].agg(lambda s: " | ".join(s)),
    }).reset_index()


def domain_activity(models: pd.DataFrame, first_year: int, last_year: int,
                    counting: Counting = "fractional") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Countries x domains: weighted activity (per ``counting``) and whole paper counts
    (variants of one paper count once)."""
    if counting not in ("fractional", "whole"):
        raise AigapError(f"unknown counting {counting!r}; choose fractional or whole")
    m = papers(models)
    m = m[m["year"].between(first_year, last_year)]
    m = m[m["domains"].map(len).gt(0) & m["countries"].map(len).gt(0)]
    long = m[["domains", "countries"]].assign(
        weight=1.0 / m["domains"].map(len) if counting == "fractional" else 1.0)
    long = long.explode("domains").explode("countries")
    long = long.rename(columns={"domains": "domain", "countries": "iso3"})
    act = long.pivot_table(index="iso3", columns="domain", values="weight", aggfunc="sum",
                           fill_value=0.0)
    cnt = long.pivot_table(index="iso3", columns="domain", values="weight", aggfunc="size",
                           fill_value=0)
    return act, cnt.reindex_like(act).fillna(0).astype(int)


@dataclass
class NicheResult:
    """Epoch-domain and CETI-technology specialisation of one country."""

    country: str
    counting: str
    window: tuple[int, int]
    early: tuple[int, int]
    recent: tuple[int, int]
    domains: pd.DataFrame
    technologies: pd.DataFrame
    country_models: int
    min_count: int = MIN_COUNT
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    country_papers: int = 0
    incomplete_from: int | None = None

    @property
    def reliable(self) -> pd.DataFrame:
        """Domains with at least ``min_count`` papers of the country (the others are flagged)."""
        return self.domains[~self.domains["small_count"]].reset_index(drop=True)

    def to_frame(self, kind: Literal["domain", "technology"] = "domain") -> pd.DataFrame:
        return (self.domains if kind == "domain" else self.technologies).copy()

    def strong_and_growing(self) -> pd.DataFrame:
        """Domains with RCA > 1 over the whole window and a higher RCA recently than before,
        among those with at least ``min_count`` papers."""
        d = self.domains
        return d[d["strong"] & d["growing"]].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.astype(object).where(df.notna(), None).to_dict(orient="records")

        return {"country": self.country, "counting": self.counting, "window": self.window,
                "early": self.early, "recent": self.recent,
                "country_models": self.country_models,
                "country_papers": self.country_papers, "min_count": self.min_count,
                "incomplete_from": self.incomplete_from,
                "domains": rec(self.domains), "technologies": rec(self.technologies),
                "strong_and_growing": self.strong_and_growing()["domain"].tolist(),
                "provenance": self.provenance, "notes": self.notes}


def default_recent(models: pd.DataFrame) -> tuple[int, int]:
    """``RECENT_FROM`` .. the year of the newest model (no year left out)."""
    last = models["year"].dropna()
    return (RECENT_FROM, max(RECENT_FROM, int(last.max()) if len(last) else RECENT_FROM))


def _model_counts(models: pd.DataFrame, country: str, window: tuple[int, int],
                  domains: pd.Index) -> np.ndarray:
    """Models (variants counted) of ``country`` per domain in the window."""
    m = models[models["year"].between(*window) & models["countries"].map(
        lambda cs: country in cs)]
    per = m["domains"].explode().value_counts()
    return per.reindex(domains).fillna(0).astype(int).to_numpy()


def epoch_domain_rca(models: pd.DataFrame, country: str, *,
                     counting: Counting = "fractional",
                     early: tuple[int, int] = DEFAULT_EARLY,
                     recent: tuple[int, int] | None = None,
                     min_count: int = MIN_COUNT) -> pd.DataFrame:
    """One row per domain: paper counts (``count``) and model counts (``models``), shares,
    RCA over early+recent and in each window, ranked. ``recent`` defaults to
    ``RECENT_FROM`` .. the newest model's year. Domains with fewer than ``min_count``
    papers are ``small_count`` and never ``strong`` or ``growing``."""
    recent = recent or default_recent(models)
    window = (min(early[0], recent[0]), max(early[1], recent[1]))
    act, cnt = domain_activity(models, *window, counting)
    if country not in act.index or act.loc[country].sum() == 0:
        raise AigapError(f"no notable models for {country} in {window[0]}-{window[1]} "
                         "(Epoch AI)")
    r = rca(act)
    per = {}
    for name, (a, b) in (("early", early), ("recent", recent)):
        wa, wc = domain_activity(models, a, b, counting)
        rr = rca(wa)
        per[name] = (rr.loc[country] if country in rr.index else pd.Series(dtype=float),
                     wc.loc[country] if country in wc.index else pd.Series(dtype=int))
    out = pd.DataFrame({
        "domain": act.columns,
        "label_ko": [t_or(f"domain.{d}", "ko", d) for d in act.columns],
        "count": cnt.loc[country].to_numpy(),
        "models": _model_counts(models, country, window, act.columns),
        "activity": act.loc[country].to_numpy(),
        "world_count": cnt.sum(axis=0).to_numpy(),
        "share": (act.loc[country] / act.loc[country].sum()).to_numpy(),
        "world_share": (act.sum(axis=0) / act.to_numpy().sum()).to_numpy(),
        "rca": r.loc[country].to_numpy(),
    })
    out["rca_sym"] = symmetric_rca(out["rca"])
    for name in ("early", "recent"):
        rr, cc = per[name]
        out[f"count_{name}"] = out["domain"].map(cc).fillna(0).astype(int)
        out[f"rca_{name}"] = out["domain"].map(rr)
    out["small_count"] = out["count"] < min_count
    out["strong"] = (out["rca"] > 1) & ~out["small_count"]
    out["growing"] = (out["rca_recent"] > out["rca_early"].fillna(0)) & ~out["small_count"]
    out = out.sort_values(["rca", "count"], ascending=False).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def ceti_codes(codes: list[str]) -> dict[str, list[str]]:
    """CETI sub-pillar codes by sector (summary, raw and total scores left out)."""
    out: dict[str, list[str]] = {s: [] for s in ceti_sectors()}
    for c in codes:
        m = re.match(r"ceti_([a-z]+)_(.+)$", c)
        if m and m.group(1) in out and not CETI_EXCLUDE.search(m.group(2)):
            out[m.group(1)].append(c)
    return {s: v for s, v in out.items() if v}


def ceti_technology_rca(scores: pd.DataFrame, country: str) -> pd.DataFrame:
    """Score-based RCA across CETI sectors from a countries x sub-pillar-codes table.

    Activity = mean sub-pillar score per sector; only countries scored in every sector enter
    the world total, so a missing sector does not pass for specialisation elsewhere.
    """
    groups = ceti_codes(list(scores.columns))
    if not groups:
        raise AigapError("no Belfer CETI sub-pillar scores in the warehouse")
    act = pd.DataFrame({s: scores[cols].mean(axis=1, skipna=True) for s, cols in groups.items()})
    n_sub = pd.DataFrame({s: scores[cols].notna().sum(axis=1) for s, cols in groups.items()})
    act = act[act.notna().all(axis=1)]
    if country not in act.index:
        raise AigapError(f"{country} is not scored in every Belfer CETI sector")
    r = rca(act)
    rank = act.rank(ascending=False, method="min")
    out = pd.DataFrame({
        "technology": list(act.columns),
        "label_en": [ceti_sectors()[s][0] for s in act.columns],
        "label_ko": [ceti_sectors()[s][1] for s in act.columns],
        "mean_score": act.loc[country].to_numpy(),
        "world_mean_score": act.mean(axis=0).to_numpy(),
        "rank_of_countries": rank.loc[country].astype(int).to_numpy(),
        "n_countries": len(act),
        "n_subpillars": n_sub.loc[country, list(act.columns)].astype(int).to_numpy(),
        "rca": r.loc[country].to_numpy(),
    })
    out["rca_sym"] = symmetric_rca(out["rca"])
    out["strong"] = out["rca"] > 1
    return out.sort_values("rca", ascending=False).reset_index(drop=True)


def niche(models: pd.DataFrame, unit: str, *, ceti_scores: pd.DataFrame | None = None,
          counting: Counting = "fractional", early: tuple[int, int] = DEFAULT_EARLY,
          recent: tuple[int, int] | None = None, min_count: int = MIN_COUNT,
          provenance: dict[str, Any] | None = None) -> NicheResult:
    """Both RCA tables for ``unit``; ``ceti_scores`` may be None (CETI part left empty).
    ``recent`` defaults to ``RECENT_FROM`` .. the newest model's year."""
    from aigap.analysis.strategy.frontier import incomplete_since

    country = check_iso3([unit])[0]
    recent = recent or default_recent(models)
    if early[0] > early[1] or recent[0] > recent[1]:
        raise AigapError("a window's first year must not be after its last")
    if min_count < 1:
        raise AigapError(f"min_count must be at least 1, not {min_count}")
    window = (min(early[0], recent[0]), max(early[1], recent[1]))
    dom = epoch_domain_rca(models, country, counting=counting, early=early, recent=recent,
                           min_count=min_count)
    in_window = models[models["year"].between(*window)]
    mine = in_window[in_window["countries"].map(lambda cs: country in cs)]
    n_models = len(mine)
    n_papers = int(mine["paper"].nunique()) if "paper" in mine.columns else n_models
    small = dom.loc[dom["small_count"] & dom["count"].gt(0), "domain"].tolist()
    notes = [
        f"The domain RCA of {country} stands on {n_models} models ({n_papers} papers) in "
        f"{window[0]}-{window[1]}; variants of one paper count once.",
        "Notable-model lists are a curated sample, not a census.",
        f"Domains with fewer than {min_count} {country} papers are flagged small_count and "
        f"never called strong or growing ({len(small)} of "
        f"{int(dom['count'].gt(0).sum())} domains with a paper).",
    ]
    dated = "publication_date" in models.columns and models["publication_date"].notna().any()
    since = incomplete_since(models) if dated else None
    incomplete = int(since.year) if since is not None else None
    if incomplete is not None and window[1] >= incomplete:
        notes.append(f"{incomplete}-{window[1]} are incomplete (Epoch adds models with a lag); "
                     "they are kept, and the recent window's counts may be low.")
    tech = pd.DataFrame()
    if ceti_scores is not None and country in ceti_scores.index:
        tech = ceti_technology_rca(ceti_scores, country)
        notes.append("Technology RCA uses Belfer CETI 2025 draft scores (mean sub-pillar score "
                     "as activity): a score-based analogue of RCA, not an output share.")
    else:
        notes.append(f"No Belfer CETI scores for {country}: technology table left empty.")
    return NicheResult(country=country, counting=counting, window=window, early=early,
                       recent=recent, domains=dom, technologies=tech, country_models=n_models,
                       min_count=min_count, provenance=provenance or {}, notes=notes,
                       country_papers=n_papers, incomplete_from=incomplete)


def load_ceti_scores(wh: Any) -> pd.DataFrame:
    """Countries x CETI sub-pillar codes from the warehouse (I/O edge)."""
    codes = [c for cols in ceti_codes(wh.indicators()["code"].tolist()).values() for c in cols]
    return wh.wide(codes) if codes else pd.DataFrame()


def niche_from_warehouse(wh: Any, unit: str, *, vintage: str | None = None,
                         **kwargs: Any) -> NicheResult:
    """:func:`niche` on the warehouse's Epoch AI models and Belfer CETI scores (one
    load-then-compute for the CLI, the web API and the report)."""
    from aigap.analysis.strategy.frontier import load_epoch_models

    em = load_epoch_models(wh, vintage)
    return niche(em.models, unit, ceti_scores=load_ceti_scores(wh), provenance=em.provenance,
                 **kwargs)
