"""Frontier lag: how many years a country trails a comparator in training compute (or scale).

Input is Epoch AI's notable-model table (the warehouse's ``epoch_models`` records). For a
country, its *record curve* is the sequence of models that raised its running maximum of the
metric (training compute by default); a model co-developed by several countries counts for
each of them. The lag at a reference date ``t`` is::

    lag(t) = T_country(level_comparator(t)) - t

where ``level_comparator(t)`` is the comparator's frontier at ``t`` and ``T_country(L)`` the
first date the country's curve reaches ``L``. Two readings of the curves:

* ``interp`` (default): log10(metric) is interpolated linearly between successive records, so
  a country whose curve is the comparator's shifted by exactly k years has lag k at every
  date. It assumes steady progress between records, which flatters slow movers a little.
* ``step``: the running maximum as published (no interpolation); lags then depend on where the
  reference date falls between the comparator's records.

A level the country has not reached by the cutoff gives a right-censored lag: at least
``cutoff - t`` years. Intervals come from a seeded bootstrap over models (resampled with
replacement, curves and lags recomputed); a bootstrap of running maxima measures how much the
answer leans on individual models, not classical sampling error (the list is a curated sample).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from aigap.data.countries import check_iso3
from aigap.errors import AigapError, WarehouseError

Method = Literal["interp", "step"]
METRICS = {"compute": "training_compute_flop", "parameters": "parameters"}
WORLD = "WORLD"  # pseudo-comparator: the frontier of all notable models, any country
DEFAULT_CUTOFF = "2023-12-31"  # 2024-2025 are incomplete in the Apr-2025 snapshot
DEFAULT_START_YEAR = 2012


# --- loading (the only I/O of the strategy analyses) ---------------------------------------
MODELS_TABLE = "epoch_models"
DEFAULT_SOURCE = "epoch_notable_models"  # the April-2025 snapshot the defaults were set on


@dataclass(frozen=True)
class EpochModels:
    """The model-level table plus where it came from (the warehouse's sources row)."""

    models: pd.DataFrame
    source: str
    publisher: str
    file: str
    sha256: str
    vintage: str
    licence: str

    @property
    def provenance(self) -> dict[str, Any]:
        # matches_warehouse: the models are read from the warehouse, so always True (kept
        # for readers of earlier results, when they were read from the mirror)
        return {"source": self.source, "publisher": self.publisher, "file": self.file,
                "sha256": self.sha256, "vintage": self.vintage, "licence": self.licence,
                "matches_warehouse": True}


def load_epoch_models(wh: Any, vintage: str | None = None, *,
                      list_name: str = "notable") -> EpochModels:
    """Epoch AI models of one vintage and list from the warehouse's ``epoch_models`` table.

    ``vintage`` is one of the table's vintages (``wh.record_tables()``); default: the
    April-2025 snapshot (source ``epoch_notable_models``), on which the defaults (cutoff
    2023, windows to 2023) were set. ``list_name``: notable, large_scale or frontier.
    """
    src = wh.sources()
    if vintage is None:
        row = src[src["id"] == DEFAULT_SOURCE]
        if row.empty:
            raise WarehouseError(f"no {DEFAULT_SOURCE} in the warehouse: run `aigap data pull`")
        vintage = str(row["vintage"].iloc[0])
    recs = wh.records(MODELS_TABLE, vintage=vintage, where={"list": list_name})
    if recs.empty:
        raise WarehouseError(f"no {list_name} models of vintage {vintage!r} in the warehouse")
    sources = recs["source"].unique()
    if len(sources) != 1:  # pragma: no cover - one file per list and vintage
        raise WarehouseError(f"{list_name} models of {vintage!r} come from {list(sources)}")
    meta = src[src["id"] == sources[0]].iloc[0]
    return EpochModels(models_frame(recs), str(sources[0]), str(meta["publisher"]),
                       str(meta["file"]), str(meta["sha256"]), vintage, str(meta["licence"]))


def models_frame(recs: pd.DataFrame) -> pd.DataFrame:
    """Records as the analyses use them: Python lists, nanosecond dates, nullable years,
    ``_row`` the line of the file."""
    out = recs.drop(columns=["list", "source", "vintage"]).rename(columns={"source_row": "_row"})
    for col in ("domains", "countries"):
        out[col] = out[col].map(list)
    out["publication_date"] = pd.to_datetime(out["publication_date"]).astype("datetime64[ns]")
    out["year"] = out["year"].astype("Int64")
    out["_row"] = out["_row"].astype("int64")
    return out


# --- pure helpers --------------------------------------------------------------------------
def decimal_year(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as fractional years (2020-07-02 -> ~2020.5)."""
    d = pd.DatetimeIndex(dates)
    days = np.where(d.is_leap_year, 366.0, 365.0)
    return (d.year + (d.dayofyear - 1) / days).to_numpy(dtype=float)


def record_curve(t: np.ndarray, log_v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Record-setting points (dates, log10 levels), both strictly increasing."""
    ok = np.isfinite(t) & np.isfinite(log_v)
    t, log_v = t[ok], log_v[ok]
    if not len(t):
        return np.empty(0), np.empty(0)
    order = np.lexsort((-log_v, t))  # by date, the largest first on ties
    t, log_v = t[order], log_v[order]
    prev = np.maximum.accumulate(np.concatenate([[-np.inf], log_v[:-1]]))
    keep = log_v > prev
    return t[keep], log_v[keep]


def level_at(curve: tuple[np.ndarray, np.ndarray], when: np.ndarray, method: Method
             ) -> np.ndarray:
    """log10 level of a record curve at dates ``when`` (NaN before its first record)."""
    ct, cl = curve
    when = np.asarray(when, dtype=float)
    if not len(ct):
        return np.full(when.shape, np.nan)
    if method == "interp":
        out = np.interp(when, ct, cl)
    else:
        idx = np.searchsorted(ct, when, side="right") - 1
        out = cl[np.clip(idx, 0, None)]
    return np.where(when < ct[0], np.nan, out)


def time_to_reach(curve: tuple[np.ndarray, np.ndarray], levels: np.ndarray, method: Method
                  ) -> np.ndarray:
    """First date a record curve reaches each log10 level (inf if never)."""
    ct, cl = curve
    levels = np.asarray(levels, dtype=float)
    if not len(ct):
        return np.full(levels.shape, np.inf)
    if method == "interp":
        out = np.interp(levels, cl, ct)  # levels and dates both increase: invertible
    else:
        out = ct[np.clip(np.searchsorted(cl, levels, side="left"), 0, len(ct) - 1)]
    out = np.where(levels > cl[-1], np.inf, out)
    return np.where(np.isnan(levels), np.nan, out)


def lag_years(country: tuple[np.ndarray, np.ndarray], leader: tuple[np.ndarray, np.ndarray],
              ref: np.ndarray, cutoff: float, method: Method
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lag at each reference date, whether it is censored (a lower bound), and whether it is
    an upper bound (the level lies below the country's first recorded model, which came
    after the date: the country may have reached it earlier without a notable model)."""
    levels = level_at(leader, ref, method)
    reach = time_to_reach(country, levels, method)
    censored = np.isinf(reach)
    lag = np.where(censored, cutoff - ref, reach - ref)
    lag = np.where(np.isnan(levels), np.nan, lag)
    upper = np.zeros(len(ref), dtype=bool)
    if len(country[0]):
        upper = (levels <= country[1][0]) & (country[0][0] > ref)
    return lag, censored & ~np.isnan(levels), upper


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:  # a line through two points says nothing about a trend
        return np.nan
    return float(np.polyfit(x[ok], y[ok], 1)[0])


def model_members(models: pd.DataFrame, codes: Sequence[str], focal: str | None = None,
                  domestic_only: bool = False) -> dict[str, np.ndarray]:
    """Boolean masks: which models belong to each country (``WORLD``: every model)."""
    out: dict[str, np.ndarray] = {}
    for c in codes:
        if c == WORLD:
            out[c] = np.ones(len(models), dtype=bool)
            continue
        mask = models["countries"].map(lambda cs, c=c: c in cs).to_numpy(dtype=bool)
        if domestic_only and c == focal:
            mask &= models["countries"].map(len).to_numpy() == 1
        out[c] = mask
    return out


# --- result --------------------------------------------------------------------------------
@dataclass
class FrontierLagResult:
    """Lags by comparator and reference date, their trends, and the count comparison."""

    country: str
    comparators: list[str]
    metric: str
    method: str
    cutoff: str
    lags: pd.DataFrame
    trends: pd.DataFrame
    counts: pd.DataFrame
    n_models: int
    n_models_with_metric: int
    records: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    level: float = 0.9
    n_boot: int = 0

    def to_frame(self) -> pd.DataFrame:
        return self.lags.copy()

    def latest(self) -> pd.DataFrame:
        """Per comparator: the last observed (uncensored) lag and the bound at the cutoff."""
        rows = []
        for comp, g in self.lags.groupby("comparator", sort=False):
            obs = g[g["bound"].eq("") & g["lag_years"].notna()]
            last = g.iloc[-1]
            rows.append({
                "comparator": comp,
                "last_observed_date": obs["ref_date"].iloc[-1] if len(obs) else None,
                "last_observed_lag": obs["lag_years"].iloc[-1] if len(obs) else np.nan,
                "lo": obs["lo"].iloc[-1] if len(obs) else np.nan,
                "hi": obs["hi"].iloc[-1] if len(obs) else np.nan,
                "lag_at_cutoff": last["lag_label"],
            })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country, "comparators": self.comparators, "metric": self.metric,
            "method": self.method, "cutoff": self.cutoff, "level": self.level,
            "n_boot": self.n_boot, "n_models": self.n_models,
            "n_models_with_metric": self.n_models_with_metric,
            "lags": _records(self.lags), "latest": _records(self.latest()),
            "trends": _records(self.trends), "counts": _records(self.counts),
            "records": _records(self.records), "provenance": self.provenance,
            "notes": self.notes,
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df.astype(object).where(df.notna(), None)
    return out.to_dict(orient="records")


def _label(lag: float, bound: str) -> str:
    if not np.isfinite(lag):
        return "–"
    return f"{bound} {lag:.1f}" if bound else f"{lag:.1f}"


def _quantiles(x: np.ndarray, a: float, axis: int = 0) -> tuple[Any, Any]:
    """Percentile interval ignoring NaN (all-NaN columns give NaN, silently)."""
    if x.size == 0 or not np.isfinite(x).any():
        shape = x.shape[1:] if x.ndim > 1 else ()
        return np.full(shape, np.nan), np.full(shape, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(x, a, axis=axis), np.nanquantile(x, 1 - a, axis=axis)


def _trend(comp: str, ref: np.ndarray, lag: np.ndarray, cens: np.ndarray, upper: np.ndarray,
           boot: np.ndarray, boot_exact: np.ndarray, a: float) -> dict[str, Any]:
    """OLS slope of the observed lags on the date, with a bootstrap interval.

    Bounds (censored, or before the country's first model) are left out of the fit: they are
    not values. Lower bounds after the last observed lag that exceed it are reported, because
    they show a widening the fit cannot see.
    """
    obs = np.where(cens | upper, np.nan, lag)
    slope = _slope(ref, obs)
    bslopes = np.array([_slope(ref, np.where(boot_exact[b], boot[b], np.nan))
                        for b in range(len(boot))])
    slo, shi = _quantiles(bslopes, a)
    seen = np.flatnonzero(np.isfinite(obs))
    above = False
    if len(seen):
        after = slice(seen[-1] + 1, None)
        above = bool(np.any(cens[after] & (lag[after] > obs[seen[-1]])))
    if not np.isfinite(slope):
        verdict = "widening (censored bounds)" if above else "insufficient data"
    elif np.isfinite(shi) and shi < 0:
        verdict = "mixed (censored bounds widen)" if above else "shrinking"
    elif np.isfinite(slo) and slo > 0:
        verdict = "widening"
    else:
        verdict = "no clear trend"
    return {"comparator": comp, "slope_years_per_year": slope, "lo": slo, "hi": shi,
            "n_points": len(seen), "censored_bounds_above_last": above, "verdict": verdict}


def _count_table(models: pd.DataFrame, masks: dict[str, np.ndarray], country: str,
                 comparators: Sequence[str], years: np.ndarray) -> pd.DataFrame:
    """Annual model counts, their ratio, and a count-based lag (often censored)."""
    year = models["year"].to_numpy(dtype=float, na_value=np.nan)

    def annual(c: str) -> np.ndarray:
        return np.array([np.sum(masks[c] & (year == y)) for y in years], dtype=float)

    own = annual(country)
    rows = []
    for comp in comparators:
        other = annual(comp)
        own3 = pd.Series(own).rolling(3, min_periods=3).sum().to_numpy()
        oth3 = pd.Series(other).rolling(3, min_periods=3).sum().to_numpy()
        # Years until the country's annual count first matches the comparator's count of
        # year t (at or after t); right-censored at the last year when it never does.
        best = np.maximum.accumulate(own[::-1])[::-1]  # best count from year i onwards
        for i, y in enumerate(years):
            later = np.flatnonzero(own[i:] >= other[i]) if other[i] > 0 else np.array([0])
            lag = float(later[0]) if len(later) else float(years[-1] - y)
            rows.append({
                "comparator": comp, "year": int(y), "country_count": int(own[i]),
                "comparator_count": int(other[i]),
                "ratio": own[i] / other[i] if other[i] else np.nan,
                "ratio_3y": own3[i] / oth3[i] if oth3[i] else np.nan,
                "count_lag_years": lag, "count_lag_censored": bool(best[i] < other[i]),
            })
    return pd.DataFrame(rows)


def frontier_lag(
    models: pd.DataFrame,
    country: str,
    vs: Sequence[str] = ("USA", "CHN"),
    *,
    metric: str = "compute",
    cutoff: str = DEFAULT_CUTOFF,
    start_year: int = DEFAULT_START_YEAR,
    method: Method = "interp",
    include_world: bool = True,
    domestic_only: bool = False,
    n_boot: int = 500,
    level: float = 0.9,
    seed: int = 0,
    provenance: dict[str, Any] | None = None,
) -> FrontierLagResult:
    """Years ``country`` trails each comparator in ``metric`` at each year-end, with intervals.

    Reference dates are 31 December of ``start_year`` .. the year before ``cutoff``, then the
    cutoff itself; models published after ``cutoff`` are ignored. ``domestic_only`` keeps
    only the focal country's single-country models (co-developed models still count for the
    comparators).
    """
    if metric not in METRICS:
        raise AigapError(f"unknown metric {metric!r}; choose {', '.join(METRICS)}")
    if method not in ("interp", "step"):
        raise AigapError(f"unknown method {method!r}; choose interp or step")
    if not 0 < level < 1:
        raise AigapError("level must lie strictly between 0 and 1")
    country = check_iso3([country])[0]
    comps = [c for c in check_iso3(vs) if c != country]
    if include_world:
        comps.append(WORLD)
    if not comps:
        raise AigapError("give at least one comparator other than the country itself")
    cut = pd.Timestamp(cutoff)
    if start_year > cut.year:
        raise AigapError(f"start year {start_year} is after the cutoff {cut.date()}")
    models = models[models["publication_date"].notna() & (models["publication_date"] <= cut)]
    models = models.reset_index(drop=True)
    masks = model_members(models, [country, *comps], country, domestic_only)
    n_models = int(masks[country].sum())
    col = METRICS[metric]
    values = models[col].to_numpy(dtype=float)
    has = np.isfinite(values) & (values > 0)
    n_metric = int((masks[country] & has).sum())
    if n_models == 0:
        raise AigapError(f"no notable models for {country} up to {cut.date()} in Epoch AI")
    if n_metric == 0:
        raise AigapError(f"no {country} model up to {cut.date()} has a {metric} estimate")

    t = decimal_year(models["publication_date"])
    logv = np.where(has, np.log10(np.where(has, values, 1.0)), np.nan)
    ref_dates = [pd.Timestamp(f"{y}-12-31") for y in range(start_year, cut.year)] + [cut]
    ref = decimal_year(pd.Series(ref_dates))
    cut_t = float(decimal_year(pd.Series([cut]))[0])

    def curves(idx: np.ndarray | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for c, m in masks.items():
            sel = m if idx is None else m[idx]
            tt, vv = (t, logv) if idx is None else (t[idx], logv[idx])
            out[c] = record_curve(tt[sel], vv[sel])
        return out

    base = curves(None)
    rng = np.random.default_rng(seed)
    boot = np.full((n_boot, len(comps), len(ref)), np.nan)
    boot_cens = np.zeros_like(boot, dtype=bool)
    boot_exact = np.zeros_like(boot, dtype=bool)
    for b in range(n_boot):
        cv = curves(rng.integers(0, len(models), len(models)))
        for j, comp in enumerate(comps):
            lag, cens, upper = lag_years(cv[country], cv[comp], ref, cut_t, method)
            boot[b, j], boot_cens[b, j], boot_exact[b, j] = lag, cens, ~cens & ~upper

    a = (1 - level) / 2
    rows, trend_rows = [], []
    for j, comp in enumerate(comps):
        lag, cens, upper = lag_years(base[country], base[comp], ref, cut_t, method)
        lead_level = level_at(base[comp], ref, method)
        own_level = level_at(base[country], ref, method)
        lo, hi = _quantiles(boot[:, j], a)
        share = boot_cens[:, j].mean(axis=0) if n_boot else np.full(len(ref), np.nan)
        for i, d in enumerate(ref_dates):
            bound = ">=" if cens[i] else "<=" if upper[i] else ""
            # a bound has no sampling interval: the bootstrap resamples cannot see past it
            lo_i, hi_i = (np.nan, np.nan) if bound else (lo[i], hi[i])
            rows.append({
                "comparator": comp, "ref_date": d.date().isoformat(), "ref_year": ref[i],
                "comparator_log10": lead_level[i], "country_log10": own_level[i],
                "lag_years": lag[i], "lo": lo_i, "hi": hi_i, "censored": bool(cens[i]),
                "bound": bound, "lag_label": _label(lag[i], bound),
                "boot_share_censored": share[i],
            })
        trend_rows.append(_trend(comp, ref, lag, cens, upper, boot[:, j], boot_exact[:, j], a))

    rec_t, rec_l = base[country]
    own_models = models[masks[country] & has]
    rec = own_models.assign(_t=t[masks[country] & has])
    rec = rec[rec["_t"].isin(rec_t)].sort_values("publication_date")
    rec = rec[np.log10(rec[col]).round(9).isin(np.round(rec_l, 9))]
    records = pd.DataFrame({
        "model": rec["model"], "date": rec["publication_date"].dt.date.astype(str),
        "organization": rec["organization"], "countries": rec["countries"].map(",".join),
        "log10_" + metric: np.log10(rec[col]),
    }).drop_duplicates("date", keep="first").reset_index(drop=True)

    years = np.arange(start_year, cut.year + 1)
    counts = _count_table(models, masks, country, comps, years)
    notes = [
        f"Models published after {cut.date()} are ignored; Epoch adds models with a lag, so "
        "2024-2025 are incomplete in this snapshot.",
        "Notable-model lists are a curated sample, not a census; multi-country models count "
        "for each country.",
        f"{country}: {n_models} notable models up to the cutoff, {n_metric} with a {metric} "
        "estimate.",
    ]
    if n_metric < 5:
        notes.append(f"Only {n_metric} {country} models carry a {metric} estimate: the lag "
                     "rests on very few points.")
    if domestic_only:
        notes.append(f"Only {country}'s single-country models are used for {country}.")
    return FrontierLagResult(
        country=country, comparators=comps, metric=metric, method=method,
        cutoff=cut.date().isoformat(), lags=pd.DataFrame(rows),
        trends=pd.DataFrame(trend_rows), counts=counts, n_models=n_models,
        n_models_with_metric=n_metric, records=records, provenance=provenance or {},
        notes=notes, level=level, n_boot=n_boot)
