"""Statistical audit of a built index (JRC/OECD Handbook steps 4 and 8; COINr's analysis tools).

* **Indicator statistics** with COINr's definitions and flags (``get_stats``): availability,
  skew and kurtosis (outlier flag when |skew| > 2 and kurtosis > 3.5), share of zeros, unique
  values, plus the number of boxplot outliers (beyond 1.5 IQR).
* **Correlations** within each aggregate (pairs of children: collinear above 0.9, negative
  below -0.4, as COINr's ``get_corr_flags`` does with its thresholds) and between levels (each
  indicator with its own pillar, the index and the other pillars: an indicator that correlates
  more with another pillar than with its own is flagged).
* **Cronbach's alpha** per aggregate (COINr ``get_cronbach``: covariance form, pairwise
  complete) and the **share of variance of the first principal component** of its children.
* **Importance versus weight** (Paruolo, Saisana & Saltelli 2013, JRSS-A 176(3)): the
  first-order effect (correlation ratio) S_i = Var(E[y | x_i]) / Var(y) of each normalised
  indicator on the index score, estimated by a smoothing spline with generalised
  cross-validation, compared with the indicator's effective nominal weight in the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import SpecError
from aigap.index.methods.stats import skew_kurt_cols
from aigap.index.result import IndexResult
from aigap.jsonsafe import json_safe

# COINr get_stats defaults
T_SKEW, T_KURT, T_AVAIL, T_ZERO, T_UNQ = 2.0, 3.5, 0.65, 0.5, 0.5
# COINr get_corr_flags: high = collinear; the negative threshold is the usual -0.4
T_COLLINEAR, T_NEGATIVE = 0.9, -0.4
T_ALPHA = 0.7  # the usual "acceptable" Cronbach's alpha
MIN_UNITS_IMPORTANCE = 10


@dataclass
class Audit:
    """The audit tables of one index build."""

    spec_name: str
    dataset: str
    stats: pd.DataFrame  # one row per indicator
    correlations: pd.DataFrame  # one row per pair of siblings (within an aggregate)
    levels: pd.DataFrame  # one row per indicator: r with own parent, index, best other pillar
    aggregates: pd.DataFrame  # one row per aggregate: children, Cronbach's alpha, PC1 share
    importance: pd.DataFrame  # one row per indicator: weight vs first-order effect
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.stats.copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"stats": self.stats, "correlations": self.correlations, "levels": self.levels,
                "aggregates": self.aggregates, "importance": self.importance}

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"spec": self.spec_name, "dataset": self.dataset, "notes": self.notes,
                          **{k: v.reset_index().to_dict(orient="records")
                             for k, v in self.tables().items()}})

    @property
    def flagged(self) -> pd.DataFrame:
        """Indicators with at least one statistics flag."""
        cols = [c for c in self.stats.columns if c.startswith("flag_")]
        return self.stats[(self.stats[cols] != "ok").any(axis=1)]

    def most_misweighted(self, k: int = 3) -> list[str]:
        """Indicators whose importance share differs most from their weight share."""
        imp = self.importance.dropna(subset=["difference"])
        return list(imp["difference"].abs().sort_values(ascending=False).index[:k])


def indicator_stats(X: pd.DataFrame) -> pd.DataFrame:
    """COINr ``get_stats`` (data frame method) with its default thresholds and flags."""
    A = X.to_numpy(dtype=float)
    n = A.shape[0]
    sk, kt = skew_kurt_cols(A)
    rows = []
    for j, code in enumerate(X.columns):
        x = A[:, j]
        v = x[~np.isnan(x)]
        n_av = v.size
        if n_av == 0:
            rows.append({"indicator": code, "n_avail": 0, "frc_avail": 0.0, "flag_avail": "LOW"})
            continue
        q1, q3 = np.quantile(v, [0.25, 0.75])
        iqr = q3 - q1
        n_out = int(((v < q1 - 1.5 * iqr) | (v > q3 + 1.5 * iqr)).sum())
        nz = int((v != 0).sum())
        nu = int(np.unique(v).size)
        rows.append({
            "indicator": code, "min": v.min(), "max": v.max(), "mean": v.mean(),
            "median": float(np.median(v)), "std": float(v.std(ddof=1)) if n_av > 1 else np.nan,
            "skew": sk[j], "kurt": kt[j], "n_avail": n_av, "n_nonzero": nz, "n_unique": nu,
            "n_outliers_iqr": n_out, "frc_avail": n_av / n, "frc_nonzero": nz / n_av,
            "frc_unique": nu / n_av,
            "flag_avail": "ok" if n_av / n >= T_AVAIL else "LOW",
            "flag_nonzero": "ok" if nz / n >= T_ZERO else "LOW",
            "flag_unique": "ok" if nu / n >= T_UNQ else "LOW",
            "flag_skewkurt": "OUT" if abs(sk[j]) > T_SKEW and kt[j] > T_KURT else "ok",
        })
    out = pd.DataFrame(rows).set_index("indicator")
    for c in ("flag_avail", "flag_nonzero", "flag_unique", "flag_skewkurt"):
        out[c] = out[c].fillna("ok") if c in out else "ok"
    return out


def cronbach_alpha(X: np.ndarray) -> float:
    """COINr ``get_cronbach``: k^2 mean(off-diagonal cov) / sum(cov), pairwise complete."""
    k = X.shape[1]
    if k < 2:
        return float("nan")
    cov = pd.DataFrame(X).cov().to_numpy()
    total = np.nansum(cov)
    if total == 0:
        return float("nan")
    off = (total - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k * k * off / total)


def pc1_share(X: np.ndarray) -> float:
    """Share of variance of the first principal component of the standardised columns
    (complete rows only, as COINr's ``get_PCA`` on complete data)."""
    ok = ~np.isnan(X).any(axis=1)
    Z = X[ok]
    if Z.shape[0] < 3 or Z.shape[1] < 2:
        return float("nan")
    sd = Z.std(axis=0, ddof=1)
    keep = sd > 0
    if keep.sum() < 2:
        return float("nan")
    C = np.corrcoef(Z[:, keep], rowvar=False)
    ev = np.linalg.eigvalsh(C)
    return float(ev[-1] / ev.sum())


def first_order_effect(x: np.ndarray, y: np.ndarray) -> float:
    """Correlation ratio Var(E[y|x]) / Var(y), E[y|x] by a GCV smoothing spline.

    Tied x values are pooled (their mean y, weighted by count), since the spline needs
    strictly increasing knots. Fewer than :data:`MIN_UNITS_IMPORTANCE` points give NaN.
    """
    from scipy.interpolate import make_smoothing_spline

    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < MIN_UNITS_IMPORTANCE or np.ptp(y) == 0:
        return float("nan")
    ux, inv, cnt = np.unique(x, return_inverse=True, return_counts=True)
    if ux.size < 5:  # too few distinct values for a spline: group means
        means = np.bincount(inv, weights=y) / cnt
        return float(np.var(means[inv]) / np.var(y))
    my = np.bincount(inv, weights=y) / cnt
    spl = make_smoothing_spline(ux, my, w=cnt.astype(float))
    fit = spl(x)
    return float(min(1.0, np.var(fit) / np.var(y)))


def _effective_weights(res: IndexResult) -> pd.Series:
    """Each indicator's nominal weight in the index: product of the normalised weights along
    its path (siblings' weights sum to 1 within each parent)."""
    fw = res.framework
    out = {}
    for ind in fw.indicators:
        w, node = 1.0, ind
        for parent in fw.path(ind):
            kids = fw.children(parent)
            tot = sum(fw.weight[k] for k in kids)
            w *= fw.weight[node] / tot if tot > 0 else 0.0
            node = parent
        out[ind] = w
    return pd.Series(out, name="weight")


def audit(res: IndexResult, *, dataset: str = "Raw") -> Audit:
    """The audit tables of ``res`` (statistics on ``dataset``, structure on Normalised)."""
    fw = res.framework
    X = res.dataset(dataset)
    cols = [c for c in fw.indicators if c in X.columns]
    if not cols:
        raise SpecError(f"data set {dataset!r} has none of the index's indicators")
    stats = indicator_stats(X[cols])
    N = res.dataset("Normalised")[fw.indicators]
    agg = res.dataset("Aggregated")
    values = pd.concat([N, agg[[c for c in fw.aggregates if c in agg.columns]]], axis=1)
    notes: list[str] = []

    # pairs of siblings, per aggregate
    pairs, aggs = [], []
    for p in fw.aggregates:
        kids = fw.children(p)
        M = values[kids].to_numpy(dtype=float)
        C = values[kids].corr().to_numpy()
        for i in range(len(kids)):
            for j in range(i + 1, len(kids)):
                r = C[i, j]
                flag = ("collinear" if r >= T_COLLINEAR else "negative" if r <= T_NEGATIVE
                        else "ok") if np.isfinite(r) else "n/a"
                pairs.append({"aggregate": p, "level": fw.level[p], "a": kids[i], "b": kids[j],
                              "r": r, "flag": flag})
        alpha = cronbach_alpha(M)
        aggs.append({"aggregate": p, "level": fw.level[p], "children": len(kids),
                     "cronbach_alpha": alpha, "pc1_share": pc1_share(M),
                     "flag_alpha": "ok" if not np.isfinite(alpha) or alpha >= T_ALPHA
                     or len(kids) < 2 else "LOW"})
    correlations = pd.DataFrame(pairs, columns=["aggregate", "level", "a", "b", "r", "flag"])
    aggregates = pd.DataFrame(aggs).set_index("aggregate")

    # each indicator with its own parent, the index and the other parents of its level
    lv_rows = []
    for ind in fw.indicators:
        parent = fw.parent[ind]
        if parent is None:
            continue
        siblings = [p for p in fw.at_level(fw.level[parent]) if p != parent]
        x = values[ind]
        r_own = x.corr(values[parent])
        r_other = {p: x.corr(values[p]) for p in siblings}
        best = max(r_other, key=lambda p: -np.inf if np.isnan(r_other[p]) else r_other[p],
                   default=None)
        r_best = r_other.get(best, np.nan) if best else np.nan
        lv_rows.append({"indicator": ind, "parent": parent, "r_parent": r_own,
                        "r_index": x.corr(values[fw.root]), "best_other": best,
                        "r_best_other": r_best,
                        "flag": "other pillar" if np.isfinite(r_best) and r_best > r_own
                        else "weak" if np.isfinite(r_own) and r_own < 0.3 else "ok"})
    levels = pd.DataFrame(lv_rows).set_index("indicator") if lv_rows else pd.DataFrame()

    # importance vs weight
    y = values[fw.root].to_numpy(dtype=float)
    w = _effective_weights(res)
    s = pd.Series({ind: first_order_effect(values[ind].to_numpy(dtype=float), y)
                   for ind in fw.indicators}, name="first_order")
    if s.notna().sum() == 0:
        notes.append(f"importance not estimated: fewer than {MIN_UNITS_IMPORTANCE} units")
    share = s / s.sum() if s.sum() > 0 else s * np.nan
    importance = pd.DataFrame({"weight": w, "first_order": s, "importance_share": share,
                               "difference": share - w})
    return Audit(spec_name=res.spec.name, dataset=dataset, stats=stats,
                 correlations=correlations, levels=levels, aggregates=aggregates,
                 importance=importance, notes=notes)
