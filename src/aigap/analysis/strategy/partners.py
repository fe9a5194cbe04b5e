"""Partner complementarity: whose strengths cover a country's weak pillars.

A partner's score has three parts, each in [0, 1], shown separately and combined with stated
weights (default 0.6 / 0.25 / 0.15, renormalised over the parts a partner has data for):

* **complementarity**: pillar scores are rescaled 0-1 across units (min-max). The country's
  *weak* pillars are those whose percentile rank among all units lies below the median of
  its own seven percentiles (its weaker half; ``weak_rule="world_median"`` uses the
  cross-country median instead). Each weak pillar p weighs ``w_p = 1 - pct_p`` (weaker ->
  heavier). Then ``sum_p w_p * max(0, s_partner,p - s_country,p) / sum_p w_p * (1 -
  s_country,p)``: 1 when the partner is the best unit on every weak pillar, 0 when it is
  nowhere ahead of the country there.
* **collaboration**: Epoch AI notable models co-developed by organisations of both countries,
  as ``log(1 + n) / log(1 + max n)`` over candidates (log, because a few partners dominate).
* **governance similarity**: ``1 - |difference| / 100`` of Oxford Insights' Government AI
  Readiness (0-100) in the country's latest year.

The pillar profile is pluggable: any units x pillars DataFrame. By default it is the counted
pillars of the default index spec (``aigap``, the scale edition): the same pillar basis as
``aigap profile`` and the report, so all three name weaknesses on one index
(docs/conventions.md). The seven Tortoise Global AI Index pillars (2021 edition) remain
available through :func:`load_tortoise_profile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from aigap.data.countries import check_iso3, group_members
from aigap.errors import AigapError

# The seven Tortoise pillars (their names: the catalogue's pillar.<code>)
TORTOISE_PILLARS = ("tortoise_talent", "tortoise_infrastructure",
                    "tortoise_operating_environment", "tortoise_research",
                    "tortoise_development", "tortoise_government_strategy",
                    "tortoise_commercial")
GOV_INDICATOR = "gov_ai_readiness"
DEFAULT_SPEC = "aigap"  # the pillar basis of profile, partners and the report
WeakRule = Literal["own_median", "world_median"]


@dataclass(frozen=True)
class PartnerWeights:
    """Weights of the three parts of the partner score (need not sum to 1)."""

    complementarity: float = 0.6
    collaboration: float = 0.25
    governance: float = 0.15

    def __post_init__(self) -> None:
        vals = asdict(self).values()
        if any(v < 0 for v in vals) or sum(vals) <= 0:
            raise AigapError("partner weights must be >= 0 and not all zero")


def weak_pillars(profile: pd.DataFrame, country: str, rule: WeakRule = "own_median"
                 ) -> pd.Series:
    """Weights of the country's weak pillars (1 - percentile rank), indexed by pillar."""
    pct = profile.rank(pct=True, axis=0).loc[country].dropna()
    if rule == "own_median":
        weak = pct < pct.median()
    elif rule == "world_median":
        weak = profile.loc[country, pct.index] < profile[pct.index].median()
    else:
        raise AigapError(f"unknown weak-pillar rule {rule!r}")
    return (1.0 - pct[weak]).rename("weight")


def complementarity(profile: pd.DataFrame, country: str, rule: WeakRule = "own_median"
                    ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Coverage of the country's weak pillars by every unit, the weights, and what each covers.

    Returns (score per unit in [0, 1], weights of the weak pillars, per unit a list of the
    weak pillars on which it beats the country). A missing partner score counts as no cover.
    """
    lo, hi = profile.min(), profile.max()
    scaled = (profile - lo) / (hi - lo).where(hi > lo)
    w = weak_pillars(profile, country, rule)
    if w.empty:
        nan = pd.Series(np.nan, index=profile.index)
        return nan, w, pd.Series([[] for _ in profile.index], index=profile.index)
    own = scaled.loc[country, w.index]
    gain = scaled[w.index].sub(own, axis=1).clip(lower=0).fillna(0.0)
    room = float((w * (1 - own)).sum())
    score = gain.mul(w, axis=1).sum(axis=1) / room if room > 0 else gain.sum(axis=1) * 0.0
    covers = gain.apply(lambda r: [p for p in w.sort_values(ascending=False).index
                                   if r[p] > 0], axis=1)
    return score.clip(0, 1), w, covers


def co_developed(models: pd.DataFrame, country: str) -> pd.Series:
    """Number of models co-developed with ``country``, by partner country."""
    both = models["countries"][models["countries"].map(lambda cs: country in cs)]
    flat = [c for cs in both for c in cs if c != country]
    return pd.Series(flat, dtype=object).value_counts().rename("models")


@dataclass
class PartnerResult:
    """Partners ranked by total score, with every part of the score."""

    country: str
    table: pd.DataFrame
    weak: pd.DataFrame
    weights: PartnerWeights
    gov_year: int | None
    pillar_source: str
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.astype(object).where(df.notna(), None).to_dict(orient="records")

        return {"country": self.country, "weights": asdict(self.weights),
                "gov_year": self.gov_year, "pillar_source": self.pillar_source,
                "weak_pillars": rec(self.weak), "partners": rec(self.table),
                "provenance": self.provenance, "notes": self.notes}


def partners(
    profile: pd.DataFrame,
    unit: str,
    *,
    models: pd.DataFrame | None = None,
    gov: pd.Series | None = None,
    gov_year: int | None = None,
    candidates: Sequence[str] | None = None,
    weights: PartnerWeights | None = None,
    weak_rule: WeakRule = "own_median",
    top: int | None = None,
    pillar_source: str = "pillar profile",
    provenance: dict[str, Any] | None = None,
) -> PartnerResult:
    """Rank candidate partners of ``country``.

    ``profile``: units x pillars (higher = stronger). ``models``: Epoch model table (for
    collaboration; None leaves that part out). ``gov``: readiness score by ISO3 (0-100).
    ``candidates``: default every unit of ``profile`` plus OECD members, those without
    pillar scores being dropped (and named in the notes).
    """
    country = unit  # the body's name for the unit
    weights = weights or PartnerWeights()
    profile = profile.astype(float).dropna(how="all")

    def codes(xs: Sequence[str]) -> list[str]:
        # Units of a plugged-in profile need not be ISO3 countries; others are checked.
        known = [x.strip().upper() for x in xs if x.strip().upper() in profile.index]
        rest = [x for x in xs if x.strip().upper() not in profile.index]
        return known + (check_iso3(rest) if rest else [])

    country = codes([country])[0]
    if country not in profile.index:
        raise AigapError(f"no pillar scores for {country} in {pillar_source}")
    if candidates is None:
        pool = list(dict.fromkeys([*profile.index, *group_members("OECD")]))
    else:
        pool = codes(candidates)
    pool = [c for c in pool if c != country]
    missing = [c for c in pool if c not in profile.index]
    pool = [c for c in pool if c in profile.index]
    if not pool:
        raise AigapError("no candidate partner has pillar scores")
    comp, w, covers = complementarity(profile, country, weak_rule)
    notes = [f"Pillar profile: {pillar_source}; weak pillars by rule {weak_rule!r}."]
    if missing:
        notes.append("Left out for lack of pillar scores: " + ", ".join(missing) + ".")
    if w.empty:
        notes.append(f"{country} has no weak pillar under this rule: complementarity undefined.")

    collab_n = pd.Series(0, index=pool, dtype=float)
    if models is not None:
        collab_n = co_developed(models, country).reindex(pool).fillna(0.0)
    top_n = collab_n.max()
    collab = np.log1p(collab_n) / np.log1p(top_n) if top_n > 0 else collab_n * 0.0
    if models is None:
        collab = pd.Series(np.nan, index=pool)

    own_gov = gov.get(country, np.nan) if gov is not None else np.nan
    g = gov.reindex(pool) if gov is not None else pd.Series(np.nan, index=pool)
    gov_sim = (1 - (g - own_gov).abs() / 100).clip(0, 1)
    if gov is not None and not np.isfinite(own_gov):
        notes.append(f"No Government AI Readiness score for {country}: governance part left "
                     "out.")

    parts = pd.DataFrame({"complementarity": comp.reindex(pool), "collaboration": collab,
                          "governance_similarity": gov_sim})
    wv = pd.Series({"complementarity": weights.complementarity,
                    "collaboration": weights.collaboration,
                    "governance_similarity": weights.governance})
    avail = parts.notna()
    denom = avail.mul(wv, axis=1).sum(axis=1)
    total = parts.fillna(0).mul(wv, axis=1).sum(axis=1) / denom.where(denom > 0)
    table = pd.DataFrame({
        "partner": pool,
        "complementarity": parts["complementarity"].to_numpy(),
        "covers": [covers.get(p, []) for p in pool],
        "co_developed_models": collab_n.astype(int).to_numpy(),
        "collaboration": parts["collaboration"].to_numpy(),
        "gov_ai_readiness": g.to_numpy(),
        "governance_similarity": parts["governance_similarity"].to_numpy(),
        "total": total.to_numpy(),
        "parts_missing": [", ".join(c for c in parts.columns if not avail.loc[p, c])
                          for p in pool],
    }).sort_values(["total", "complementarity"], ascending=False, na_position="last")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    if top is not None:
        table = table.head(top)
    pct = profile.rank(pct=True).loc[country]
    weak = pd.DataFrame({"pillar": w.index, "score": profile.loc[country, w.index].to_numpy(),
                         "percentile": pct[w.index].to_numpy(), "weight": w.to_numpy()})
    return PartnerResult(country=country, table=table.reset_index(drop=True),
                         weak=weak.sort_values("weight", ascending=False)
                         .reset_index(drop=True),
                         weights=weights, gov_year=gov_year, pillar_source=pillar_source,
                         provenance=provenance or {}, notes=notes)


# --- warehouse edges -----------------------------------------------------------------------
def load_tortoise_profile(wh: Any) -> pd.DataFrame:
    """Countries x the seven Tortoise pillars (latest edition)."""
    return wh.wide(list(TORTOISE_PILLARS)).dropna(how="all")


def index_pillar_profile(result: Any) -> tuple[pd.DataFrame, str]:
    """(units x counted pillars, label) of a built index: the pillars directly under its root
    with a non-zero weight (a zero-weight pillar such as aigap's Enablers is shown by the
    index but counts for nothing, so it is no weakness to cover)."""
    fw = result.framework
    pillars = [c for c in fw.aggregates if fw.parent.get(c) == fw.root
               and fw.weight.get(c, 1.0) > 0]
    if not pillars:
        raise AigapError(f"the {result.spec.name} index has no pillars under its root")
    label = f"{result.spec.title or result.spec.name} ({result.year})"
    return result.scores[pillars].dropna(how="all"), label


def load_index_profile(wh: Any, spec: str = DEFAULT_SPEC) -> tuple[pd.DataFrame, str]:
    """:func:`index_pillar_profile` of ``spec`` built on this warehouse (latest year)."""
    from aigap.index import build_index, load_spec
    from aigap.index.warehouse_source import warehouse_frame

    sp = load_spec(spec)
    res = build_index(sp, data=warehouse_frame(sp, wh))
    if hasattr(res, "years"):  # a panel spec: its latest year
        res = res[res.years[-1]]
    return index_pillar_profile(res)


def load_gov_readiness(wh: Any, country: str) -> tuple[pd.Series, int | None]:
    """Government AI Readiness by ISO3 in the country's latest year with a score."""
    p = wh.panel([GOV_INDICATOR])
    own = p[p["iso3"] == country]
    if own.empty:
        return pd.Series(dtype=float), None
    year = int(own["year"].max())
    return p[p["year"] == year].set_index("iso3")["value"], year


def partners_from_warehouse(wh: Any, unit: str, *, vintage: str | None = None,
                            profile: pd.DataFrame | None = None, result: Any = None,
                            spec: str = DEFAULT_SPEC, **kwargs: Any) -> PartnerResult:
    """:func:`partners` on the counted pillars of the default index (or of ``result``, a built
    index, or ``profile``), Epoch AI models and government-readiness scores (one
    load-then-compute for the CLI, the web API and the report); ``kwargs`` go to
    :func:`partners`."""
    from aigap.analysis.strategy.frontier import load_epoch_models

    em = load_epoch_models(wh, vintage)
    gov, gov_year = load_gov_readiness(wh, unit)
    if profile is None:
        profile, label = (index_pillar_profile(result) if result is not None
                          else load_index_profile(wh, spec))
        kwargs.setdefault("pillar_source", label)
    return partners(profile, unit, models=em.models, gov=gov, gov_year=gov_year,
                    provenance=em.provenance, **kwargs)
