"""Why the indices disagree: a country's rank in every index aigap can compute or cite, and an
exact attribution of the rank difference between two computable indices to design choices.

The reconciliation table puts side by side (1) the headline ranks the publishers released
(``published_ranks``), (2) ranks recomputed from full country tables in the warehouse, and (3)
aigap's own editions, each with its edition, data years, number of units and what a unit is
(Belfer counts the EU as one unit).

The decomposition walks from index A to index B one design dimension at a time (unit set,
indicator set, weights, data year, denominators, imputation and treatment, normalisation,
aggregation). Because the order of the switches matters, each dimension gets its Shapley value:
the average, over all orders, of the change in the country's rank when that dimension is
switched from A's choice to B's. The values add up exactly to rank(B) - rank(A) (and likewise
for the relative gap to the leader). Dimensions that cannot be switched on their own (A's
indicators have no data in B's year; B's weights do not fit A's tree) are merged with the
indicator set, and the result says so.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, SpecError
from aigap.i18n import languages
from aigap.index import build_index, load_spec, shipped_specs
from aigap.index.result import IndexResult
from aigap.index.spec import Spec
from aigap.index.warehouse_source import warehouse_frame
from aigap.jsonsafe import json_safe

# Design dimensions, in the order a path from A to B is reported.
DIMENSIONS = ("units", "indicators", "weights", "year", "denominate", "impute_treat",
              "normalise", "aggregate")
# The canonical order of step kinds in a hybrid spec.
_STEP_ORDER = ("denominate", "screen", "impute", "treat", "normalise", "weight", "aggregate")
_STEP_DIM = {"denominate": "denominate", "screen": "units", "impute": "impute_treat",
             "treat": "impute_treat", "normalise": "normalise", "weight": "weights",
             "aggregate": "aggregate"}
# Exact Shapley over all subsets: 2^n builds; beyond this many dimensions it is too slow.
MAX_DIMENSIONS = 8

# Published headline levels: an AI-specific level where the index has several sectors.
_HEADLINE_LEVELS = ("AI", "overall")

# Indices whose full country table is in the warehouse as a score or rank series:
# (label, edition, indicator, year, kind, flags note). Rank is by the value (rank series:
# ascending).
RECOMPUTABLE: tuple[tuple[str, str, str, int, str], ...] = (
    ("IMF AI Preparedness Index", "2023", "imf_aipi", 2023, "score"),
    ("Oxford Insights Government AI Readiness Index", "2024", "gov_ai_readiness_rank", 2024,
     "rank"),
    ("Oxford Insights Government AI Readiness Index", "2025 (file in the mirror)",
     "gov_ai_readiness_2025_rank", 2025, "rank"),
)
# Shipped specs that recompute a published index from its own components.
RECOMPUTED_SPECS = ("tortoise", "belfer-ai")


class ReconcileError(AigapError):
    """A reconciliation or decomposition that cannot be computed as asked."""


# --------------------------------------------------------------------------- the table


@dataclass
class Reconciliation:
    """A unit's rank in every index aigap can cite or compute (one row each)."""

    unit: str
    rows: pd.DataFrame  # index, edition, kind, rank, of_n, unit_rule, data_years, source, flags
    unit_names: dict[str, str] = field(default_factory=dict)  # lang -> the unit's name

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"unit": self.unit, "unit_names": self.unit_names,
                          "rows": self.rows.to_dict(orient="records")})

    @property
    def spread(self) -> tuple[int, int]:
        """Best and worst rank over the table's rows."""
        r = self.rows["rank"].dropna()
        return int(r.min()), int(r.max())


def _edition_years(edition: str) -> str:
    m = re.search(r"data year (\d{4})", edition)
    if m:
        return m.group(1)
    m = re.match(r"(\d{4})", edition)
    return m.group(1) if m else ""


def _published_rows(wh: Warehouse, unit: str) -> list[dict[str, Any]]:
    pub = wh.published_ranks(unit=unit)
    if pub.empty:
        return []
    rows = []
    for (index, edition), grp in pub.groupby(["index", "edition"], sort=False):
        pick = None
        for level in _HEADLINE_LEVELS:
            hit = grp[grp["level"] == level]
            if not hit.empty:
                pick = hit.iloc[0]
                break
        if pick is None:
            continue
        rows.append({
            "index": index, "edition": str(edition), "kind": "published",
            "level": pick["level"], "rank": int(pick["rank"]),
            "of_n": int(pick["of_n"]) if pd.notna(pick["of_n"]) else None,
            "unit_rule": pick["units_note"] or "", "data_years": _edition_years(str(edition)),
            "source": f"{pick['source_publisher']} ({pick['source_date']})",
            "url": pick["source_url"], "flags": "",
        })
    return rows


def _series_rank(wh: Warehouse, indicator: str, year: int, kind: str, unit: str
                 ) -> tuple[int, int] | None:
    panel = wh.panel([indicator])
    vals = panel[(panel["year"] == year)].set_index("iso3")["value"].dropna()
    vals = vals[[not str(c).startswith(("EUU", "WLD")) for c in vals.index]]
    if unit not in vals.index:
        return None
    ranks = vals.rank(ascending=(kind == "rank"), method="min")
    return int(ranks[unit]), len(vals)


def _flags(wh: Warehouse, indicators: Iterable[str]) -> str:
    """The data flags (draft, unverified, low-confidence ...) of the indicators' sources."""
    found: set[str] = set()
    for code in indicators:
        found.update(*wh.flags_for(code).values())
    return ", ".join(sorted(found))


def _recomputed_rows(wh: Warehouse, unit: str) -> list[dict[str, Any]]:
    rows = []
    for label, edition, code, year, kind in RECOMPUTABLE:
        got = _series_rank(wh, code, year, kind, unit)
        if got is None:
            continue
        rows.append({"index": label, "edition": edition, "kind": "recomputed", "level": "overall",
                     "rank": got[0], "of_n": got[1], "unit_rule": "countries",
                     "data_years": str(year), "source": f"warehouse: {code}", "url": "",
                     "flags": _flags(wh, [code])})
    for name in RECOMPUTED_SPECS:
        if name not in shipped_specs():
            continue
        rows.append(_spec_row(wh, name, unit, kind="recomputed"))
    return [r for r in rows if r is not None]


def _aigap_specs() -> list[str]:
    """aigap's own shipped editions (the v1 spec only when no edition exists)."""
    names = sorted((n for n in shipped_specs() if n.startswith("aigap-") and n != "aigap-v1"),
                   key=lambda n: (n != "aigap-scale", n))  # the default edition first
    return names or [n for n in shipped_specs() if n == "aigap"]


def _build(spec: Spec, wh: Warehouse) -> IndexResult:
    frame = warehouse_frame(spec, wh)
    res = build_index(spec, data=frame)
    if not isinstance(res, IndexResult):  # a panel: its last year
        res = res[res.years[-1]]
    res.datasets.setdefault("_value_years", frame.attrs.get("value_years", pd.DataFrame()))
    return res


def _data_years(res: IndexResult) -> str:
    yrs = res.datasets.get("_value_years")
    if yrs is None or yrs.empty:
        return str(res.year or "")
    vals = yrs.drop(columns=[c for c in ("Time",) if c in yrs.columns]).stack()
    vals = vals[vals.index.get_level_values(0).isin(res.index.dropna().index)]
    if vals.empty:
        return ""
    lo, hi = int(vals.min()), int(vals.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _spec_row(wh: Warehouse, name: str, unit: str, kind: str) -> dict[str, Any] | None:
    sp = load_spec(name)
    try:
        res = _build(sp, wh)
    except SpecError:
        return None
    idx = res.index.dropna()
    if unit not in idx.index:
        return None
    rule = "EU as one unit" if "EUU" in idx.index else "countries"
    return {"index": sp.title or sp.name, "edition": sp.name, "kind": kind,
            "level": "overall", "rank": int(idx.rank(ascending=False, method="min")[unit]),
            "of_n": len(idx), "unit_rule": rule, "data_years": _data_years(res),
            "source": f"aigap --spec {sp.name}", "url": "",
            "flags": _flags(wh, [i.code for i in sp.indicators])}


def reconcile(wh: Warehouse, unit: str = "KOR", *, specs: Sequence[str] | None = None
              ) -> Reconciliation:
    """``unit``'s rank in every published, recomputed and aigap index (one row each)."""
    unit = unit.upper()
    if unit not in set(wh.countries()["iso3"]):
        raise ReconcileError(f"unknown unit {unit!r}: `aigap data countries` lists the codes")
    rows = _published_rows(wh, unit) + _recomputed_rows(wh, unit)
    for name in (specs if specs is not None else _aigap_specs()):
        row = _spec_row(wh, name, unit, kind="aigap")
        if row is not None:
            rows.append(row)
    cols = ["index", "edition", "kind", "level", "rank", "of_n", "unit_rule", "data_years",
            "source", "url", "flags"]
    frame = pd.DataFrame(rows, columns=cols)
    names = {lang: wh.country_names(lang).get(unit, unit) for lang in languages()}
    return Reconciliation(unit=unit, rows=frame, unit_names=names)


# --------------------------------------------------------------------------- decomposition


def _dump(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_dump(o) for o in obj]
    return obj.model_dump(mode="json") if hasattr(obj, "model_dump") else obj


def _steps_of(sp: Spec, kinds: Iterable[str]) -> list[Any]:
    ks = set(kinds)
    return [s for s in sp.steps if s.step in ks]


def _tree_codes(sp: Spec) -> tuple[frozenset[str], frozenset[str]]:
    return (frozenset(i.code for i in sp.indicators), frozenset(a.code for a in sp.aggregates))


def _part(sp: Spec, dim: str) -> Any:
    """What ``sp`` chooses on design dimension ``dim`` (comparable by equality)."""
    if dim == "units":
        return (_dump(sp.units), _dump(_steps_of(sp, ["screen"])))
    if dim == "indicators":  # tree without weights
        return ([(i.code, i.parent, i.direction, i.year) for i in sp.indicators],
                [(a.code, a.parent) for a in sp.aggregates])
    if dim == "weights":
        return ({i.code: i.weight for i in sp.indicators}, {a.code: a.weight for a in
                                                            sp.aggregates},
                _dump(_steps_of(sp, ["weight"])))
    if dim == "year":
        return (sp.data.year, sp.data.window, sp.data.panel, sp.data.years)
    if dim == "denominate":
        return (_dump(_steps_of(sp, ["denominate"])), list(sp.data.denominators))
    if dim == "impute_treat":
        return _dump(_steps_of(sp, ["impute", "treat"]))
    if dim == "normalise":
        return _dump(_steps_of(sp, ["normalise"]))
    if dim == "aggregate":
        return _dump(_steps_of(sp, ["aggregate"]))
    raise ReconcileError(f"unknown design dimension {dim!r}; known: {', '.join(DIMENSIONS)}")


def hybrid(a: Spec, b: Spec, from_b: Iterable[str]) -> Spec:
    """Spec ``a`` with the design dimensions in ``from_b`` taken from ``b``."""
    take = set(from_b)
    src = {d: (b if d in take else a) for d in DIMENSIONS}
    tree, wsrc = src["indicators"], src["weights"]
    if _tree_codes(wsrc) == _tree_codes(tree):
        w_ind = {i.code: i.weight for i in wsrc.indicators}
        w_agg = {x.code: x.weight for x in wsrc.aggregates}
    else:  # weights that do not fit the tree travel with it (merged upstream)
        w_ind = {i.code: i.weight for i in tree.indicators}
        w_agg = {x.code: x.weight for x in tree.aggregates}
    indicators = [i.model_copy(update={"weight": w_ind[i.code]}) for i in tree.indicators]
    aggregates = [x.model_copy(update={"weight": w_agg[x.code]}) for x in tree.aggregates]
    steps = [s for kind in _STEP_ORDER for s in src[_STEP_DIM[kind]].steps if s.step == kind]
    ys = src["year"].data
    data = a.data.model_copy(update={
        "source": tree.data.source, "year": ys.year, "window": ys.window, "panel": ys.panel,
        "years": ys.years, "denominators": list(src["denominate"].data.denominators)})
    return a.model_copy(update={
        "name": f"{a.name}+{'+'.join(sorted(take))}" if take else a.name,
        "units": src["units"].units, "indicators": indicators, "aggregates": aggregates,
        "steps": steps, "data": data, "structure": None})


@dataclass(frozen=True)
class Outcome:
    """The subject's standing in one (hybrid) index."""

    rank: int
    of_n: int
    rel_gap: float  # (leader - unit) / (leader - last) * 100: 0 = the leader, 100 = last


def _outcome(res: IndexResult, unit: str) -> Outcome:
    idx = res.index.dropna()
    if unit not in idx.index:
        raise ReconcileError(f"{unit} is not in the build")
    top, bottom = float(idx.max()), float(idx.min())
    rel = 0.0 if top == bottom else (top - float(idx[unit])) / (top - bottom) * 100
    return Outcome(int(idx.rank(ascending=False, method="min")[unit]), len(idx), rel)


@dataclass
class RankDifference:
    """Shapley attribution of ``rank_b - rank_a`` (and of the relative gap) to design choices."""

    unit: str
    a: str
    b: str
    groups: list[tuple[str, ...]]  # design dimensions switched together (merged when tied)
    values: dict[frozenset[int], Outcome]  # outcome of every subset of groups taken from B
    merged: list[tuple[str, ...]] = field(default_factory=list)  # switched with indicators
    weights_with_tree: bool = False  # the trees differ, so weights travel with the indicators
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # lang -> (A, B) titles

    @property
    def start(self) -> Outcome:
        return self.values[frozenset()]

    @property
    def end(self) -> Outcome:
        return self.values[frozenset(range(len(self.groups)))]

    def _shapley(self, f: Callable[[Outcome], float]) -> list[float]:
        n = len(self.groups)
        out = []
        for g in range(n):
            rest = [k for k in range(n) if k != g]
            tot = 0.0
            for r in range(n):
                wt = math.factorial(r) * math.factorial(n - r - 1) / math.factorial(n)
                for sub in itertools.combinations(rest, r):
                    s = frozenset(sub)
                    tot += wt * (f(self.values[s | {g}]) - f(self.values[s]))
            out.append(tot)
        return out

    @property
    def rank_contributions(self) -> list[float]:
        return self._shapley(lambda o: o.rank)

    @property
    def gap_contributions(self) -> list[float]:
        return self._shapley(lambda o: o.rel_gap)

    def path(self, order: Sequence[int]) -> list[tuple[str, Outcome]]:
        """Outcomes along one path: the groups switched in ``order`` (indices into groups)."""
        cur: frozenset[int] = frozenset()
        steps = [("start", self.values[cur])]
        for g in order:
            cur = cur | {g}
            steps.append((group_label(self.groups[g]), self.values[cur]))
        return steps

    def paths_frame(self) -> pd.DataFrame:
        """Every path's rank after each switch (one row per order)."""
        rows = []
        for order in itertools.permutations(range(len(self.groups))):
            steps = self.path(order)
            rows.append({"order": " > ".join(s for s, _ in steps[1:]),
                         "ranks": " > ".join(str(o.rank) for _, o in steps)})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        rc, gc = self.rank_contributions, self.gap_contributions
        alone = [self.values[frozenset({g})].rank - self.start.rank
                 for g in range(len(self.groups))]
        return pd.DataFrame({
            "dimension": [group_label(g) for g in self.groups],
            "rank_change": rc, "gap_change": gc, "rank_change_alone": alone,
        })

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "unit": self.unit, "a": self.a, "b": self.b,
            "rank_a": self.start.rank, "of_n_a": self.start.of_n, "rank_b": self.end.rank,
            "of_n_b": self.end.of_n, "gap_a": self.start.rel_gap, "gap_b": self.end.rel_gap,
            "contributions": self.to_frame().to_dict(orient="records"),
            "paths": self.paths_frame().to_dict(orient="records") if len(self.groups) <= 5
            else [], "merged": [list(g) for g in self.merged],
            "weights_with_tree": self.weights_with_tree,
        })


def group_label(group: Sequence[str]) -> str:
    return " + ".join(group)


def decompose_rank_difference(wh: Warehouse, unit: str = "KOR", *, a: str | Spec,
                              b: str | Spec) -> RankDifference:
    """Attribute ``unit``'s rank change from index ``a`` to index ``b`` to design dimensions
    (exact Shapley values over all orders of switching them)."""
    unit = unit.upper()
    sa, sb = load_spec(a), load_spec(b)
    for sp in (sa, sb):
        if sp.data.source != "warehouse":
            raise ReconcileError(f"spec {sp.name!r}: only warehouse specs can be reconciled "
                                 f"(data source {sp.data.source!r})")
    dims = [d for d in DIMENSIONS if _part(sa, d) != _part(sb, d)]
    merged: list[tuple[str, ...]] = []
    tied = _tree_codes(sa) != _tree_codes(sb)
    if tied and "weights" in dims:
        dims.remove("weights")  # weights of one tree mean nothing on another
        if "indicators" not in dims:
            dims.append("indicators")
    groups: list[tuple[str, ...]] = [(d,) for d in dims]
    cache: dict[str, Outcome | Exception] = {}
    frames: dict[str, pd.DataFrame] = {}

    def value(take: Iterable[str]) -> Outcome:
        sp = hybrid(sa, sb, take)
        key = sp.model_dump_json()
        if key not in cache:
            try:
                dkey = sp.model_dump_json(include={"data", "indicators"})
                if dkey not in frames:
                    frames[dkey] = warehouse_frame(sp, wh)
                frame = frames[dkey]
                # B's unit set as far as A's data reach (and the other way round)
                inc = [u for u in sp.units.include if u in frame.index]
                sp = sp.model_copy(update={"units": sp.units.model_copy(
                    update={"include": inc})})
                res = build_index(sp, data=frame)
                if not isinstance(res, IndexResult):
                    res = res[res.years[-1]]
                cache[key] = _outcome(res, unit)
            except (AigapError, ValueError, KeyError) as exc:
                cache[key] = exc
        got = cache[key]
        if isinstance(got, Exception):
            raise got
        return got

    def ok(take: Iterable[str]) -> bool:
        try:
            value(take)
            return True
        except (AigapError, ValueError, KeyError):
            return False

    for end, what in ((frozenset(), sa.name), (frozenset(dims), sb.name)):
        try:
            value(end)
        except (AigapError, ValueError, KeyError) as exc:
            raise ReconcileError(f"{unit} in {what}: {exc}") from exc
    # Merge into the indicator set every dimension that cannot be switched on its own.
    anchor = ("indicators",)
    if len(groups) > 1 and anchor in groups:
        every = set(dims)
        for g in list(groups):
            if g == anchor:
                continue
            if not (ok(set(g)) and ok(every - set(g))):
                groups.remove(g)
                i = next(k for k, x in enumerate(groups) if "indicators" in x)
                groups[i] = (*groups[i], *g)
                merged.append(g)
    if len(groups) > MAX_DIMENSIONS:
        raise ReconcileError(f"{len(groups)} design dimensions differ; at most "
                             f"{MAX_DIMENSIONS} can be attributed exactly")
    values: dict[frozenset[int], Outcome] = {}
    for r in range(len(groups) + 1):
        for sub in itertools.combinations(range(len(groups)), r):
            take = {d for k in sub for d in groups[k]}
            try:
                values[frozenset(sub)] = value(take)
            except (AigapError, ValueError, KeyError) as exc:
                raise ReconcileError(
                    f"{unit}: the index with {group_label(sorted(take)) or 'nothing'} from "
                    f"{sb.name} and the rest from {sa.name} cannot be built: {exc}") from exc
    titles = {"en": (sa.title or sa.name, sb.title or sb.name),
              "ko": (sa.title_ko or sa.title or sa.name, sb.title_ko or sb.title or sb.name)}
    return RankDifference(unit=unit, a=sa.name, b=sb.name, groups=groups, values=values,
                          merged=merged, weights_with_tree=tied, titles=titles)


def default_pairs() -> list[tuple[str, str]]:
    """The pairs ``aigap reconcile`` decomposes when none is given."""
    eds = _aigap_specs()
    pairs = [(p, eds[0]) for p in RECOMPUTED_SPECS if p in shipped_specs() and eds]
    if len(eds) >= 2:
        pairs.append((eds[0], eds[1]))
    return pairs


def main_driver(res: RankDifference) -> int | None:
    """The group with the largest absolute rank contribution (None when nothing moves)."""
    rc = np.abs(np.array(res.rank_contributions)) if res.groups else np.array([])
    if rc.size == 0 or float(rc.max()) == 0.0:
        return None
    return int(rc.argmax())
