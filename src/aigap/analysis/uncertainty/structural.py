"""The full uncertainty of an index: weights and methods (the default spec) plus what a user
of the index disputes about its structure, derived from the index spec itself.

:func:`full_uncertainty` adds to an uncertainty spec (default: the COINr-vignette one) a
:class:`~aigap.analysis.uncertainty.spec.Structural` block:

* leave out each indicator (level 1) and each counted pillar (level 2), one at a time;
* the other series of each indicator's concept that the warehouse holds
  (:mod:`aigap.data.concepts`: CSET instead of AI Index investment);
* scale vs intensity: where the spec has an intensity edition, its denominators (population
  for counts, GDP for money); otherwise the spec's scale indicators divided by population;
* heavy imputation: units with more than 25% of their indicators imputed ranked or left out.

Run it with :func:`~aigap.analysis.uncertainty.robustness.robustness` or
:func:`~aigap.analysis.uncertainty.sensitivity.sensitivity` (``uncertainty=``);
:func:`dimension` maps a Sobol factor to the dimension it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigap.analysis.uncertainty.spec import (
    EditionAlternative,
    Exclusion,
    HeavyImputation,
    SeriesAlternative,
    Structural,
    UncertaintySpec,
    load_uncertainty,
)
from aigap.errors import SpecError
from aigap.index.spec import SPECS_DIR, Spec, load_spec

if TYPE_CHECKING:
    from aigap.analysis.uncertainty.robustness import Setup
    from aigap.analysis.uncertainty.sensitivity import SensitivityResult
    from aigap.data.warehouse import Warehouse
    from aigap.mc import Backend, Progress

HEAVY_THRESHOLD = 0.25  # share of a unit's indicators imputed above which it is "heavy"
INTENSITY = "intensity"


@dataclass(frozen=True)
class FullUncertainty:
    """The uncertainty spec to run and what its structural block holds (for captions)."""

    spec: UncertaintySpec
    leave_out: dict[int, list[str]]  # level -> codes left out one at a time
    series: dict[str, list[str]]  # indicator -> the other series of its concept
    edition: dict[str, str]  # indicator -> denominator of the other edition
    edition_source: str  # "intensity edition" | "population" | "" (none)
    heavy_threshold: float
    notes: list[str] = field(default_factory=list)


def _raw_spec(spec: str | Path | Spec) -> Spec | None:
    """The spec as written (editions not yet applied), when it comes from a file."""
    if isinstance(spec, Spec):
        return None
    path = Path(spec)
    if path.suffix not in (".yaml", ".yml") and not path.exists():
        path = SPECS_DIR / f"{spec}.yaml"
    return Spec.from_yaml(path) if path.is_file() else None


def edition_denominators(spec: str | Path | Spec, sp: Spec) -> tuple[dict[str, str], str]:
    """Indicator -> denominator that turns the loaded scale spec into intensity, and where
    it comes from. A scale indicator of the spec's intensity edition is divided by its
    denominator; a published rate the scale edition multiplies back is divided by the same
    series (the pipeline's multiplication then cancels, leaving the rate). Without an
    intensity edition: the indicators whose concept kind is ``scale``, by population."""
    raw = _raw_spec(spec)
    codes = {i.code for i in sp.indicators}
    if sp.edition == INTENSITY:
        return {}, ""  # already intensity: the scale form is another spec, not a division
    if raw is not None and any(INTENSITY in i.editions for i in raw.indicators):
        out: dict[str, str] = {}
        for ind in raw.indicators:
            if ind.code not in codes:
                continue
            form = ind.editions.get(INTENSITY)
            own = ind.editions.get(sp.edition or "")
            if form is not None and form.denominator and not form.drop:
                out[ind.code] = form.denominator
            elif own is not None and own.denominator and own.multiply:
                out[ind.code] = own.denominator
        return out, "intensity edition"
    from aigap.data.concepts import concept_of

    out = {}
    for ind in sp.indicators:
        con = concept_of(ind.code)
        ser = con.find(ind.code) if con is not None else None
        if ser is not None and ser.kind == "scale" and ind.denominator is None:
            out[ind.code] = "population"
    return out, "population" if out else ""


def concept_alternatives(wh: Warehouse, sp: Spec) -> dict[str, list[str]]:
    """Indicator -> the other series of its concept that the warehouse holds, of the same
    kind (scale, intensity, score), with values in the spec's window for at least half as
    many units as the indicator's own series. Indicators filled by a rule (``fill: zero`` or
    ``floor``) are not offered any: the alternative would need the same rule. Series the
    index itself uses are not offered twice."""
    from aigap.data.concepts import concept_of, coverage

    used = {i.code for i in sp.indicators}
    year = sp.data.year
    first = None if year is None else year - (sp.data.window or 1)

    def reach(c: Any) -> int:
        return max((n for y, n in c.units_per_year.items() if first is None or y >= first),
                   default=0)

    out: dict[str, list[str]] = {}
    for ind in sp.indicators:
        if concept_of(ind.code) is None or ind.fill != "none":
            continue
        covs = coverage(wh, ind.code)
        own = next((c for c in covs if c.indicator == ind.code), None)
        if own is None:
            continue
        alts = [c.indicator for c in covs
                if c.loaded and c.indicator not in used and c.kind == own.kind
                and 2 * reach(c) >= reach(own) > 0]
        if alts:
            out[ind.code] = alts
    return out


def full_uncertainty(spec: str | Path | Spec, base: Any = None, *, wh: Warehouse | None = None,
                     heavy_threshold: float = HEAVY_THRESHOLD, series: bool = True,
                     edition: bool = True) -> FullUncertainty:
    """``base`` (an uncertainty spec; None = the default) with the structural block derived
    from ``spec`` (module docstring). ``wh``: the warehouse whose concept series are offered
    (default: the user's; a spec not drawn from the warehouse gets none)."""
    sp = load_spec(spec)
    unc = load_uncertainty(base)
    if unc.structural is not None:
        raise SpecError(f"uncertainty {unc.name!r} already has a structural block; give a "
                        "spec without one (the full uncertainty derives it from the index)")
    notes: list[str] = []
    parents = {i.parent for i in sp.indicators}
    weight = {a.code: a.weight for a in sp.aggregates}
    pillars = sorted(p for p in parents if weight.get(p, 1.0) > 0)
    counted = [i.code for i in sp.indicators if i.parent in pillars and i.weight > 0]
    leave = {1: counted, 2: pillars}
    exclusions = [Exclusion(level=lv, codes=codes) for lv, codes in leave.items()
                  if len(codes) > 1]
    alts: dict[str, list[str]] = {}
    if series and sp.data.source == "warehouse":
        if wh is None:
            from aigap.data.warehouse import Warehouse

            with Warehouse.open() as own:
                alts = concept_alternatives(own, sp)
        else:
            alts = concept_alternatives(wh, sp)
    dens, source = edition_denominators(spec, sp) if edition else ({}, "")
    if edition and not dens:
        notes.append(f"spec {sp.name!r}: no scale indicator to divide (scale vs intensity not "
                     "varied)")
    struct = Structural(
        exclusions=exclusions,
        series=[SeriesAlternative(indicator=k, alternatives=v) for k, v in alts.items()],
        edition=(EditionAlternative(indicators=sorted(dens), denominators=dens)
                 if dens else None),
        heavy_imputation=HeavyImputation(threshold=heavy_threshold))
    full = unc.model_copy(update={"name": f"{unc.name}+structural", "structural": struct,
                                  "exclusion": None})
    return FullUncertainty(spec=full, leave_out={lv: c for lv, c in leave.items()
                                                 if len(c) > 1},
                           series=alts, edition=dens, edition_source=source,
                           heavy_threshold=heavy_threshold, notes=notes)


# the dimensions of the full uncertainty (catalogue labels: structural.dimension.<key>)
DIMENSIONS = ("weights", "methods", "indicator_set", "pillar_set", "series", "edition",
              "heavy_imputation")


def dimension(factor: str) -> str:
    """The dimension (a key of :data:`DIMENSIONS`) a robustness factor belongs to."""
    if factor.startswith("weights"):
        return "weights"
    if factor in ("imputation", "treatment", "normalisation", "aggregation"):
        return "methods"
    if factor in ("leave out (level 1)", "exclusion"):
        return "indicator_set"
    if factor.startswith("leave out"):
        return "pillar_set"
    if factor.startswith("series:"):
        return "series"
    if factor.startswith("heavily imputed"):
        return "heavy_imputation"
    return factor  # "edition", or a factor of another kind standing for itself


def dimension_sensitivity(setup: Setup, unit: str | None = None, *, n: int = 512,
                          seed: int | None = 0, backend: Backend | None = None,
                          progress: Progress | None = None) -> SensitivityResult:
    """Sobol first-order and total indices per :func:`dimension` (one SALib group each) of
    the mean rank shift and of ``unit``'s rank, on a prepared (full) uncertainty."""
    from aigap.analysis.uncertainty.sensitivity import sensitivity

    return sensitivity(setup.spec, unit, n=n, seed=seed, setup=setup, grouping=dimension,
                       backend=backend, progress=progress)


def strongest(res: SensitivityResult, target: str) -> dict[str, Any] | None:
    """The dimension with the largest total index on ``target`` (a unit or the mean shift):
    ``{"dimension", "S1", "ST"}``; None when the target never moves."""
    df = res.indices[res.indices["target"] == target].dropna(subset=["ST"])
    if df.empty:
        return None
    row = df.loc[df["ST"].idxmax()]
    return {"dimension": str(row["factor"]), "S1": float(row["S1"]), "ST": float(row["ST"])}


def full_frame(spec: str | Path | Spec, full: FullUncertainty, wh: Warehouse) -> Any:
    """The spec's input frame from ``wh`` with the columns the structural block reads (the
    other series and the edition's denominators) loaded beside it, by the spec's year rule,
    so a run needs no other warehouse than ``wh``."""
    from aigap.index.warehouse_source import warehouse_frame

    sp = load_spec(spec)
    extra = [c for alts in full.series.values() for c in alts] + list(full.edition.values())
    dens = list(dict.fromkeys([*sp.data.denominators, *extra]))
    return warehouse_frame(sp.model_copy(update={"data": sp.data.model_copy(
        update={"denominators": dens})}), wh)


# --------------------------------------------------------------------------- AI top-3 headline

HEADLINE_BOUNDS = (0.1, 0.4)  # each counted pillar's weight in the attainable-rank question
DECOMPOSITIONS = (("tortoise", "aigap"), ("aigap-scale", "aigap-intensity"))


@dataclass
class Headline:
    """The numbers that lead the report's AI top-3 section and the dashboard's ranking page."""

    unit: str
    spec: str
    nominal_rank: int
    n_units: int
    full: Any  # RobustnessResult under the full uncertainty
    full_info: FullUncertainty
    drivers: Any  # SensitivityResult per dimension (unit's rank)
    rank_range: Any  # RankRangeResult, pillars in HEADLINE_BOUNDS
    smaa: Any  # AcceptabilityResult, weights over the whole simplex
    reconcile: Any  # Reconciliation
    decompositions: list[Any]  # RankDifference per pair that could be computed
    zero_pillars: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def row(self) -> Any:
        return self.full.to_frame().loc[self.unit]

    @property
    def p_top3(self) -> float:
        return float(self.row["p_top3"])

    @property
    def smaa_p_top3(self) -> float:
        return float(self.smaa.p_top(3)[self.unit])

    @property
    def driver(self) -> dict[str, Any] | None:
        return strongest(self.drivers, self.unit)

    def to_dict(self) -> dict[str, Any]:
        """Every headline number with the facts its assumptions name, JSON-safe."""
        from aigap.jsonsafe import json_safe

        r, rr = self.row, self.rank_range
        return json_safe({  # type: ignore[no-any-return]
            "unit": self.unit, "spec": self.spec, "nominal_rank": self.nominal_rank,
            "n_units": self.n_units,
            "full": {"p_top3": self.p_top3, "median_rank": float(r["median_rank"]),
                     "rank_p05": float(r["rank_p05"]), "rank_p95": float(r["rank_p95"]),
                     "n": self.full.n, "n_failed": self.full.n_failed, "seed": self.full.seed,
                     "dimensions": sorted({dimension(f.name) for f in self.full.factors}),
                     "leave_out": {str(k): len(v) for k, v in self.full_info.leave_out.items()},
                     "series": self.full_info.series, "edition": self.full_info.edition_source,
                     "heavy_threshold": self.full_info.heavy_threshold,
                     "driver": self.driver},
            "rank_range": {"best": rr.best_rank, "worst": rr.worst_rank,
                           "top3_attainable": rr.attainable, "exact": rr.exact,
                           "method": rr.method, "bounds": list(HEADLINE_BOUNDS),
                           "zero_pillars": self.zero_pillars,
                           "best_weights": dict(zip(rr.space.codes, rr.best_weights,
                                                    strict=True))},
            "smaa": {"p_top3": self.smaa_p_top3, "n": self.smaa.n, "seed": self.smaa.seed,
                     "zero_pillars": self.zero_pillars},
            "reconcile": self.reconcile.to_dict()["rows"],
            "decompositions": [d.to_dict() for d in self.decompositions],
            "warnings": self.warnings})


def headline(wh: Warehouse, unit: str = "KOR", spec: str = "aigap", *, n: int = 4096,
             draws: int = 4096, sobol_n: int = 256, seed: int = 0,
             frame: Any = None) -> Headline:
    """The AI top-3 numbers for ``unit``: P(top 3) under the full uncertainty (and the
    dimension that moves the rank most), the best and worst rank with every counted pillar weight in
    :data:`HEADLINE_BOUNDS` (the zero-weight pillars kept at 0), SMAA P(top 3) over the whole
    weight simplex, the reconciliation table and the :data:`DECOMPOSITIONS` that compute.
    ``n``/``draws``/``sobol_n``: Monte Carlo, SMAA and Sobol sizes (a few thousand: seconds).
    """
    from aigap.analysis.diagnosis.reconcile import (
        ReconcileError,
        decompose_rank_difference,
        reconcile,
    )
    from aigap.analysis.uncertainty.acceptability import NOMINAL, acceptability
    from aigap.analysis.uncertainty.rank_range import rank_range
    from aigap.analysis.uncertainty.robustness import prepare, robustness

    unit = unit.upper()
    full = full_uncertainty(spec, wh=wh)
    data = full_frame(spec, full, wh) if frame is None else frame
    st = prepare(spec, full.spec, data=data)
    if unit not in st.engine.units:
        raise SpecError(f"unit {unit!r} is not ranked by {st.spec.name!r} (e.g. "
                        f"{', '.join(st.engine.units[:6])})")
    res = robustness(spec, n=n, seed=seed, k=3, setup=st)
    drivers = dimension_sensitivity(st, unit, n=sobol_n, seed=seed)
    fw = st.nominal.framework
    pillars = [c for c in fw.aggregates if fw.parent.get(c) == fw.root]
    zero = [p for p in pillars if fw.weight[p] == 0]
    plain = prepare(spec, NOMINAL, data=data)
    # the weight space holds zero-weight (uncounted) pillars at 0 itself
    rr = rank_range(spec, unit, level=2, default_bounds=HEADLINE_BOUNDS, k=3, setup=plain)
    smaa = acceptability(spec, level=2, n=draws, seed=seed, k=3, confidence=None,
                         setup=plain)
    rec = reconcile(wh, unit)
    decs, warnings = [], list(full.notes)
    for a, b in DECOMPOSITIONS:
        try:
            decs.append(decompose_rank_difference(wh, unit, a=a, b=b))
        except (ReconcileError, SpecError) as exc:
            warnings.append(f"{a} -> {b}: {exc}")
    return Headline(unit=unit, spec=st.spec.name,
                    nominal_rank=int(st.nominal.ranks[fw.root][unit]),
                    n_units=len(st.engine.units), full=res, full_info=full, drivers=drivers,
                    rank_range=rr, smaa=smaa, reconcile=rec, decompositions=decs,
                    zero_pillars=zero, warnings=warnings)
