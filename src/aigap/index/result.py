"""The outcome of an index build: every intermediate data set, scores, ranks and explanations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import SpecError
from aigap.index.methods import registry
from aigap.index.methods.aggregate import proportional_share
from aigap.index.plan import Framework
from aigap.index.spec import AggregateStep, Spec

DATASET_ORDER = ["Raw", "Denominated", "Screened", "Imputed", "Treated", "Normalised",
                 "Aggregated"]


@dataclass
class IndexResult:
    """One build of an index for one year.

    Data sets are DataFrames indexed by unit code with one column per indicator (and, for
    ``Aggregated``, per aggregate), codes as in the spec/iMeta.
    """

    spec: Spec
    framework: Framework
    datasets: dict[str, pd.DataFrame]
    treatment_log: pd.DataFrame
    aggregation: AggregateStep
    unit_names: dict[str, str] = field(default_factory=dict)
    year: int | None = None
    warnings: list[str] = field(default_factory=list)
    # fitted state of the steps (what inverts them): "denominate" -> units x indicators factor
    # (raw = denominated * factor), "treat" -> {code: TreatInfo}, "normalise" -> indicators x
    # (a, b) with normalised = a * input + b (None when the normalisation is not affine)
    fitted: dict[str, Any] = field(default_factory=dict)
    # warehouse builds: one row per unit and indicator with year_from, year, source and the
    # sources' flags (see :func:`aigap.index.warehouse_source.warehouse_frame`); else None
    provenance: pd.DataFrame | None = None

    # ----------------------------------------------------------------- access
    def dataset(self, name: str) -> pd.DataFrame:
        """A data set by name: Raw, Denominated, Screened, Imputed, Treated, Normalised or
        Aggregated (only those the spec's steps produced)."""
        if name not in self.datasets:
            raise SpecError(f"no data set {name!r} in this build; available: "
                            f"{', '.join(self.datasets)}")
        return self.datasets[name]

    @property
    def scores(self) -> pd.DataFrame:
        """Aggregate scores: units x aggregate codes (pillars ... index)."""
        return self.datasets["Aggregated"][self.framework.aggregates]

    @property
    def ranks(self) -> pd.DataFrame:
        """Ranks of :attr:`scores` (1 = best, ties share the best rank, NaN stays NaN)."""
        return self.scores.rank(ascending=False, method="min")

    @property
    def index(self) -> pd.Series:
        """The top-level index score of each unit."""
        return self.scores[self.framework.root]

    def level_codes(self, level: int) -> list[str]:
        if not 1 <= level <= self.framework.n_levels:
            raise SpecError(f"level {level} out of range 1..{self.framework.n_levels}")
        return self.framework.at_level(level)

    # ----------------------------------------------------------------- provenance
    def cells(self) -> pd.DataFrame:
        """What each number stands on: one row per unit of the build and indicator.

        Columns: unit, indicator, raw (the value as read, before any step), year_from, year
        (the data years behind it; equal unless several years were combined), source, flags.
        ``flags`` joins the sources' flags (draft, unverified, low-confidence, censored-top15,
        ...) and the build's own: ``imputed`` (no data: the impute step filled it),
        ``zero-filled`` / ``floor-filled`` (the spec's fill rule), ``winsorised``.
        """
        fw = self.framework
        units = list(self.dataset("Aggregated").index)
        raw = self.dataset("Raw").reindex(index=units, columns=fw.indicators)
        long = raw.stack(future_stack=True).rename("raw").reset_index()
        long.columns = ["unit", "indicator", "raw"]
        if self.provenance is not None and len(self.provenance):
            prov = self.provenance.rename(columns={"iso3": "unit"})
            prov = prov.groupby(["unit", "indicator"], as_index=False).agg(
                year_from=("year_from", "min"), year=("year", "max"),
                source=("source", lambda v: ",".join(x for x in v if x)),
                flags=("flags", lambda v: tuple(sorted({f for t in v for f in t}))))
            long = long.merge(prov, on=["unit", "indicator"], how="left")
        else:
            long["year_from"] = self.year
            long["year"] = self.year
            long["source"] = ""
            long["flags"] = [() for _ in range(len(long))]
        long["flags"] = [t if isinstance(t, tuple) else () for t in long["flags"]]
        extra = self._step_flags()
        long["flags"] = [tuple(sorted({*f, *extra.get((u, c), ())}))
                         for u, c, f in zip(long["unit"], long["indicator"], long["flags"],
                                            strict=True)]
        imputed = long["flags"].map(lambda f: "imputed" in f)
        long.loc[imputed, ["year_from", "year", "source"]] = [pd.NA, pd.NA, ""]
        return long

    def _step_flags(self) -> dict[tuple[str, str], set[str]]:
        """Flags the steps of this build set: imputed and winsorised cells."""
        out: dict[tuple[str, str], set[str]] = {}
        fw = self.framework
        if "Imputed" in self.datasets:
            before = self.datasets.get("Screened", self.datasets.get(
                "Denominated", self.datasets["Raw"]))
            was = before.reindex(index=self.datasets["Imputed"].index, columns=fw.indicators)
            now = self.datasets["Imputed"].reindex(columns=fw.indicators)
            for u, c in (was.isna() & now.notna()).stack().loc[lambda m: m].index:
                out.setdefault((str(u), str(c)), set()).add("imputed")
        log = self.treatment_log
        if len(log) and "winsorised_high" in log:
            for r in log.itertuples():
                for u in f"{r.winsorised_high},{r.winsorised_low}".split(","):
                    if u:
                        out.setdefault((u, str(r.iCode)), set()).add("winsorised")
        return out

    def data_years(self) -> tuple[int, int] | None:
        """The range of data years the build's values come from (imputed and filled cells,
        which have no year of their own, left out); None when not known."""
        cells = self.cells()
        lo, hi = pd.to_numeric(cells["year_from"]), pd.to_numeric(cells["year"])
        if lo.notna().any() and hi.notna().any():
            return int(lo.min()), int(hi.max())
        return None if self.year is None else (self.year, self.year)

    def without_imputed(self) -> pd.DataFrame:
        """Each unit's index rank, and its rank when its imputed cells are left out (the
        aggregation re-weights over the indicators it has), for the units whose rank changes.

        Columns: unit, rank, rank_without_imputed, n_imputed (sorted by the size of the move).
        """
        from aigap.index.plan import Aggregation

        cells = self.cells()
        imp = cells[cells["flags"].map(lambda f: "imputed" in f)]
        fw = self.framework
        norm = self.dataset("Normalised").reindex(columns=fw.indicators).copy()
        for u, c in zip(imp["unit"], imp["indicator"], strict=True):
            norm.loc[u, c] = np.nan
        A = Aggregation.of(self.aggregation).tree(norm.to_numpy(dtype=float), fw)
        root = pd.Series(A[:, fw.aggregates.index(fw.root)], index=norm.index)
        rank = self.ranks[fw.root]
        alt = root.rank(ascending=False, method="min")
        n = imp.groupby("unit").size()
        out = pd.DataFrame({"unit": rank.index, "rank": rank.to_numpy(),
                            "rank_without_imputed": alt.reindex(rank.index).to_numpy(),
                            "n_imputed": n.reindex(rank.index).fillna(0).astype(int).to_numpy()})
        out = out[out["rank"] != out["rank_without_imputed"]]
        move = (out["rank"] - out["rank_without_imputed"]).abs()
        return out.assign(_m=move).sort_values(["_m", "rank"], ascending=[False, True]).drop(
            columns="_m").reset_index(drop=True)

    # ----------------------------------------------------------------- explain
    def explain(self, unit: str) -> pd.DataFrame:
        """Decompose ``unit``'s index score into indicator contributions.

        Columns: indicator, one column per ancestor level (pillar, ..., index), value (the
        normalised value aggregated), weight (effective weight in the index, after the
        re-weighting for missing data), contribution. Contributions sum to the index score.

        Method per aggregation step (child c of parent p, weights w re-normalised over the
        children available for this unit):

        * arithmetic: ``w_c * y_c`` (exact);
        * geometric: log-share ``y_p * w_c * log(y_c) / log(y_p)`` (exact; shares are of the log);
        * harmonic / median / Copeland: proportional share ``y_p * w_c * y_c / sum(w * y)``
          (each aggregation's ``share`` in :mod:`aigap.index.methods.aggregate`).

        Contributions are chained down the tree: a child's share of its parent's contribution is
        its contribution to the parent divided by the parent's value.
        """
        fw = self.framework
        agg = self.dataset("Aggregated")
        if unit not in agg.index:
            raise SpecError(f"unit {unit!r} not in this build (units: {len(agg)}; e.g. "
                            f"{', '.join(map(str, agg.index[:5]))})")
        row = agg.loc[unit]
        # contribution of each node to the root, top-down
        contrib: dict[str, float] = {fw.root: float(row[fw.root])}
        eff_w: dict[str, float] = {fw.root: 1.0}
        for level in range(fw.n_levels, 1, -1):
            method = self.aggregation.method_for(level)
            for p in fw.at_level(level):
                kids = fw.children(p)
                vals = np.array([row[k] for k in kids], dtype=float)
                w = np.array([fw.weight[k] for k in kids], dtype=float)
                ok = ~np.isnan(vals)
                ws = np.where(ok, w, 0.0)
                ws = ws / ws.sum() if ws.sum() > 0 else ws
                yp = float(row[p])
                share = _shares(method, vals, ws, yp)
                for k, s, wk in zip(kids, share, ws, strict=True):
                    contrib[k] = contrib.get(p, np.nan) * s
                    eff_w[k] = eff_w.get(p, np.nan) * wk
        anc_levels = list(range(2, fw.n_levels + 1))
        recs = []
        for ind in fw.indicators:
            path = fw.path(ind)
            rec: dict[str, object] = {"indicator": ind, "name": fw.names.get(ind, ind)}
            for lv in anc_levels:
                rec[f"level{lv}"] = next((a for a in path if fw.level[a] == lv), None)
            rec["value"] = float(row[ind])
            rec["weight"] = eff_w.get(ind, np.nan)
            rec["contribution"] = contrib.get(ind, np.nan)
            recs.append(rec)
        out = pd.DataFrame(recs)
        out.attrs["index_score"] = float(row[fw.root])
        out.attrs["unit"] = unit
        return out


def _shares(method: str, vals: np.ndarray, ws: np.ndarray, yp: float) -> np.ndarray:
    """Each child's contribution to the parent, as a fraction of the parent's value."""
    ok = ~np.isnan(vals)
    out = np.zeros(vals.size)
    if not ok.any() or np.isnan(yp) or yp == 0:
        return out
    share = registry.get("aggregate", method).option("share", proportional_share)
    out[ok] = share(vals[ok], ws[ok], yp)
    return out


@dataclass
class PanelResult:
    """Builds of one spec over several years (``results[year]``)."""

    spec: Spec
    results: dict[int, IndexResult]

    @property
    def years(self) -> list[int]:
        return sorted(self.results)

    def __getitem__(self, year: int) -> IndexResult:
        if year not in self.results:
            raise SpecError(f"year {year} not in the panel (years: {self.years})")
        return self.results[year]

    def __iter__(self) -> Iterator[int]:
        return iter(self.years)

    @property
    def scores(self) -> pd.DataFrame:
        """Long frame: year, unit, then one column per aggregate."""
        frames = []
        for y in self.years:
            s = self.results[y].scores.copy()
            s.insert(0, "year", y)
            frames.append(s)
        out = pd.concat(frames)
        out.index.name = "unit"
        return out.reset_index()

    def dataset(self, name: str) -> pd.DataFrame:
        """A data set stacked over years (MultiIndex year, unit)."""
        return pd.concat({y: self.results[y].dataset(name) for y in self.years},
                         names=["year", "unit"])
