"""Frontier lag: how many years a country trails a comparator in training compute (or scale).

Input is Epoch AI's notable-model table (the warehouse's ``epoch_models`` records, newest
vintage by default). Rules, in plain words (docs/strategy.md has the long form):

* **Whose model.** ``attribution="own"`` (default): a country's frontier counts only models
  whose organisations are *all* in that country (a model of Seoul National University with
  five foreign organisations is not Korea's own); models it shares with other countries are
  listed apart (``multinational``). ``"any"``: every model an organisation of the country
  took part in (the earlier reading).
* **Papers, not variants.** Models of one publication (same reference title, same link, or
  same organisations on the same date) form one *paper*; the bootstrap resamples papers, so
  three sizes of one model do not pass for three independent data points.
* **Curves.** A country's *record curve* is the sequence of its models that raised its running
  maximum. The lag at a reference date ``t`` is ``T_country(level_comparator(t)) - t``, with
  ``level_comparator(t)`` the comparator's record at ``t`` and ``T_country(L)`` the first date
  the country reaches ``L``. ``step`` (default) reads both curves as published, so every lag
  is the date of a real model minus the reference date; ``interp`` interpolates log10 levels
  between records (steady progress assumed).
* **Tolerance.** Epoch's compute figures are estimates (from reported hardware, training
  time or parameters and tokens), so a difference of a few tens of percent between two of
  them means nothing; a country whose best model falls short of a level by at most
  ``tolerance`` log10 (default 0.1, a factor of 1.26) counts as having reached it, at the
  date of that model. Only a larger shortfall gives a censored lag ("at least x years"), and its
  shortfall is reported with it.
* **Cut-off.** All models of the vintage are used (cut-off = its newest model), none are
  dropped for being recent. Epoch adds models with a lag, so dates in the last
  ``INCOMPLETE_MONTHS`` before the vintage's newest model are flagged ``incomplete``: the
  frontier there may be understated (for the comparator as for the country).
* **Intervals.** A seeded bootstrap over papers gives each lag an interval; ``support`` counts
  the country's papers that reach the level, and ``one_point`` marks a lag that rests on a
  single paper (drop it and the level is never reached): its interval then says little.
* **Trend.** Year-end lags are not independent (many year-ends map to the same two models,
  and under ``interp`` a straight line between them makes a slope of its own). The trend is
  fitted only on *record points*: one per record model of the country, the lag between the
  first date the comparator reached its level and its own date. Fewer than
  ``MIN_TREND_POINTS`` points: the trend cannot be estimated, and says so. (The slope is
  taken on the date the comparator reached each level, as for the year-end lags.) A
  direction is called only when its interval excludes zero *and* every leave-one-out slope
  has the same sign; otherwise "one point decides".
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from aigap.data.countries import check_iso3
from aigap.errors import AigapError, WarehouseError

Method = Literal["interp", "step"]
Attribution = Literal["own", "any"]
METRICS = {"compute": "training_compute_flop", "parameters": "parameters"}
WORLD = "WORLD"  # pseudo-comparator: the frontier of all notable models, any country
DEFAULT_START_YEAR = 2012
DEFAULT_TOLERANCE = 0.1  # log10 (26%): a smaller shortfall is not a measurable difference
INCOMPLETE_MONTHS = 12  # Epoch adds models with a lag: the last year of a vintage is thin
MIN_TREND_POINTS = 3  # a line through two points says nothing about a trend


# --- loading (the only I/O of the strategy analyses) ---------------------------------------
MODELS_TABLE = "epoch_models"


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


def model_vintages(wh: Any, list_name: str = "notable") -> list[str]:
    """Vintages of the ``epoch_models`` table, oldest first (by their newest model)."""
    recs = wh.records(MODELS_TABLE, columns=["publication_date", "vintage"],
                      where={"list": list_name})
    if recs.empty:
        raise WarehouseError(f"no Epoch AI {list_name} models in the warehouse: run "
                             "`aigap data pull`")
    last = pd.to_datetime(recs["publication_date"]).groupby(recs["vintage"]).max()
    return last.sort_values(kind="stable").index.astype(str).tolist()


def load_epoch_models(wh: Any, vintage: str | None = None, *,
                      list_name: str = "notable") -> EpochModels:
    """Epoch AI models of one vintage and list from the warehouse's ``epoch_models`` table.

    ``vintage`` is one of the table's vintages (``wh.record_tables()``, or
    :func:`model_vintages`); default: the newest (the vintage whose newest model is the most
    recent). ``list_name``: notable, large_scale or frontier.
    """
    if vintage is None:
        vintage = model_vintages(wh, list_name)[-1]
    # an unknown vintage: the warehouse's error names the table's vintages
    recs = wh.records(MODELS_TABLE, vintage=vintage, where={"list": list_name})
    if recs.empty:
        raise WarehouseError(f"no {list_name} models of vintage {vintage!r} in the warehouse")
    sources = recs["source"].unique()
    if len(sources) != 1:  # pragma: no cover - one file per list and vintage
        raise WarehouseError(f"{list_name} models of {vintage!r} come from {list(sources)}")
    src = wh.sources()
    meta = src[src["id"] == sources[0]].iloc[0]
    return EpochModels(models_frame(recs), str(sources[0]), str(meta["publisher"]),
                       str(meta["file"]), str(meta["sha256"]), vintage, str(meta["licence"]))


def models_frame(recs: pd.DataFrame) -> pd.DataFrame:
    """Records as the analyses use them: Python lists, nanosecond dates, nullable years,
    ``_row`` the line of the file, ``paper`` the publication a model belongs to."""
    out = recs.drop(columns=["list", "source", "vintage"]).rename(columns={"source_row": "_row"})
    for col in ("domains", "countries"):
        out[col] = out[col].map(list)
    out["publication_date"] = pd.to_datetime(out["publication_date"]).astype("datetime64[ns]")
    out["year"] = out["year"].astype("Int64")
    out["_row"] = out["_row"].astype("int64")
    out["paper"] = paper_ids(out)
    return out


# --- papers: a publication's variants count once -------------------------------------------
def _title_key(text: Any) -> str | None:
    """A reference title reduced to lower-case letters and digits ("ProtTrans:Towards" and
    "ProtTrans: Towards", straight and curly apostrophes, compare equal); blank -> None."""
    if not isinstance(text, str):
        return None
    key = re.sub(r"[^0-9a-z]+", "", text.lower())
    return key or None


def _link_key(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return re.sub(r"^https?://(www\.)?", "", text.strip().lower()).rstrip("/") or None


def paper_ids(models: pd.DataFrame) -> np.ndarray:
    """Paper number of each model: models are one paper when they share a reference title
    (compared as :func:`_title_key`), a link, or the same organisations and publication
    date; the relation is closed transitively. Models with none of these are papers alone.

    Model-name stems ("ProtT5-XXL" / "ProtT5-XXL-BFD") are not used: "GPT-4" and "GPT-4o"
    would be one paper by them.
    """
    n = len(models)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return int(i)

    def col(name: str) -> pd.Series:
        return models[name] if name in models.columns else pd.Series([None] * n,
                                                                     index=models.index)

    orgs = col("organization").map(
        lambda s: ",".join(sorted(p.strip().lower() for p in s.split(",")))
        if isinstance(s, str) and s.strip() else None)
    dates = pd.to_datetime(col("publication_date")).dt.strftime("%Y-%m-%d")
    org_date = [f"{o}|{d}" if o and isinstance(d, str) else None
                for o, d in zip(orgs, dates, strict=True)]
    keys = [col("reference").map(_title_key).tolist(), col("link").map(_link_key).tolist(),
            org_date]
    for key in keys:
        first: dict[str, int] = {}
        for i, k in enumerate(key):
            if k is None:
                continue
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    roots = np.array([find(i) for i in range(n)])
    return pd.factorize(roots)[0]


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


def reach_within(curve: tuple[np.ndarray, np.ndarray], levels: np.ndarray, method: Method,
                 tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """First date each level is reached, counting a curve whose best falls short by at most
    ``tolerance`` log10 as reaching it (at the date it came within tolerance); and which
    levels were reached only that way."""
    reach = time_to_reach(curve, levels, method)
    near = np.zeros(reach.shape, dtype=bool)
    if tolerance > 0 and len(curve[0]):
        near = np.isinf(reach) & (np.asarray(levels) - tolerance <= curve[1][-1])
        reach = np.where(near, time_to_reach(curve, np.asarray(levels) - tolerance, method),
                         reach)
    return reach, near


def lag_years(country: tuple[np.ndarray, np.ndarray], leader: tuple[np.ndarray, np.ndarray],
              ref: np.ndarray, cutoff: float, method: Method, tolerance: float = 0.0
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lag at each reference date, whether it is censored (a lower bound), and whether it is
    an upper bound (the level lies below the country's first recorded model, which came
    after the date: the country may have reached it earlier without a notable model)."""
    levels = level_at(leader, ref, method)
    reach, _ = reach_within(country, levels, method, tolerance)
    censored = np.isinf(reach)
    lag = np.where(censored, cutoff - ref, reach - ref)
    lag = np.where(np.isnan(levels), np.nan, lag)
    upper = np.zeros(len(ref), dtype=bool)
    if len(country[0]):
        upper = (levels <= country[1][0]) & (country[0][0] > ref)
    return lag, censored & ~np.isnan(levels), upper


def incomplete_since(models: pd.DataFrame) -> pd.Timestamp:
    """Start of the incomplete stretch: ``INCOMPLETE_MONTHS`` before the newest model."""
    return pd.Timestamp(models["publication_date"].max()) - pd.DateOffset(
        months=INCOMPLETE_MONTHS)


def attribution_mask(models: pd.DataFrame, code: str, attribution: Attribution = "own"
                     ) -> np.ndarray:
    """Which models are ``code``'s: ``own`` = all organisations in the country (and the
    country cell does not say "Multinational"); ``any`` = at least one organisation there;
    ``WORLD``: every model."""
    if code == WORLD:
        return np.ones(len(models), dtype=bool)
    cs = models["countries"]
    if attribution == "any":
        return cs.map(lambda c: code in c).to_numpy(dtype=bool)
    multi = models["multinational"] if "multinational" in models.columns else False
    own = cs.map(lambda c: len(c) > 0 and all(x == code for x in c)).to_numpy(dtype=bool)
    return own & ~np.asarray(pd.Series(multi, index=models.index).fillna(False), dtype=bool)


def model_members(models: pd.DataFrame, codes: Sequence[str],
                  attribution: Attribution = "own") -> dict[str, np.ndarray]:
    """Boolean masks: which models belong to each country (``WORLD``: every model)."""
    return {c: attribution_mask(models, c, attribution) for c in codes}


# --- result --------------------------------------------------------------------------------
@dataclass
class FrontierLagResult:
    """Lags by comparator and reference date, record points and their trend, the country's
    multinational models, and the count comparison."""

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
    attribution: str = "own"
    tolerance: float = DEFAULT_TOLERANCE
    incomplete_from: str = ""
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    multinational: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        return self.lags.copy()

    def latest(self) -> pd.DataFrame:
        """Per comparator: the last observed (uncensored) lag with its interval and basis,
        and the lag at the cut-off (a bound when the level is not reached)."""
        rows = []
        for comp, g in self.lags.groupby("comparator", sort=False):
            obs = g[g["bound"].eq("") & g["lag_years"].notna()]
            last = g.iloc[-1]
            o = obs.iloc[-1] if len(obs) else None
            rows.append({
                "comparator": comp,
                "last_observed_date": o["ref_date"] if o is not None else None,
                "last_observed_lag": o["lag_years"] if o is not None else np.nan,
                "lo": o["lo"] if o is not None else np.nan,
                "hi": o["hi"] if o is not None else np.nan,
                "reached_by": o["reached_by"] if o is not None else None,
                "support": o["support"] if o is not None else 0,
                "one_point": bool(o["one_point"]) if o is not None else False,
                "within_tolerance": bool(o["within_tolerance"]) if o is not None else False,
                "lag_at_cutoff": last["lag_label"],
                "censored_at_cutoff": bool(last["censored"]),
                "shortfall_at_cutoff": last["shortfall_log10"],
            })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country, "comparators": self.comparators, "metric": self.metric,
            "method": self.method, "attribution": self.attribution,
            "tolerance_log10": self.tolerance, "cutoff": self.cutoff,
            "incomplete_from": self.incomplete_from, "level": self.level,
            "n_boot": self.n_boot, "n_models": self.n_models,
            "n_models_with_metric": self.n_models_with_metric,
            "n_multinational": len(self.multinational),
            "lags": _records(self.lags), "latest": _records(self.latest()),
            "points": _records(self.points), "trends": _records(self.trends),
            "counts": _records(self.counts), "records": _records(self.records),
            "multinational": _records(self.multinational), "provenance": self.provenance,
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


def record_points(country: tuple[np.ndarray, np.ndarray], leader: tuple[np.ndarray, np.ndarray],
                  cutoff: float, method: Method) -> pd.DataFrame:
    """One independent observation per record of the country: the leader first reached the
    record's level at ``x``, the country at ``t``; ``lag = t - x`` (the lag of the main table,
    ``T_country(L(x)) - x``, read only at levels the country actually recorded, so no two
    points share a model). ``bound``: ``>=`` when the level lies below the leader's first
    record (reached before it, at an unknown ``x``), ``<=`` when the leader had not reached it
    by the cut-off (the country leads), else ``""``."""
    ct, cl = country
    reach = time_to_reach(leader, cl, method)
    first = leader[0][0] if len(leader[0]) else np.inf
    below_first = cl <= leader[1][0] if len(leader[1]) else np.zeros(len(cl), dtype=bool)
    lag = np.where(np.isinf(reach), ct - cutoff, ct - reach)
    lag = np.where(below_first, ct - first, lag)
    bound = np.where(below_first, ">=", np.where(np.isinf(reach), "<=", ""))
    x = np.where(np.isinf(reach) | below_first, np.nan, reach)
    return pd.DataFrame({"t": ct, "level_log10": cl, "x": x, "lag_years": lag,
                         "bound": bound})


def _trend(comp: str, pts: pd.DataFrame, lags: pd.DataFrame, level: float) -> dict[str, Any]:
    """OLS slope of the record-point lags on the date the leader reached their level (``x``),
    with a t interval.

    Only exact points enter the fit (bounds are not values). Year-end lower bounds after the
    last exact point that exceed it are reported, because they show a widening the fit
    cannot see.
    """
    exact = pts[pts["bound"].eq("")]
    n = len(exact)
    slope = lo = hi = np.nan
    stable = False
    if n >= MIN_TREND_POINTS and exact["x"].nunique() > 1:
        x, y = exact["x"].to_numpy(), exact["lag_years"].to_numpy()
        fit = stats.linregress(x, y)
        half = stats.t.ppf(0.5 + level / 2, n - 2) * fit.stderr
        slope, lo, hi = float(fit.slope), float(fit.slope - half), float(fit.slope + half)
        # a direction one point decides is not a trend: every leave-one-out slope must agree
        keep = [np.arange(n) != i for i in range(n)]
        loo = [np.polyfit(x[k], y[k], 1)[0] for k in keep if len(np.unique(x[k])) > 1]
        stable = n > MIN_TREND_POINTS and len(loo) == n and (
            all(v < 0 for v in loo) or all(v > 0 for v in loo))
    above = False
    if n:
        last_x, last_lag = exact["x"].iloc[-1], exact["lag_years"].iloc[-1]
        later = lags[(lags["ref_year"] > last_x) & lags["censored"]]
        above = bool((later["lag_years"] > last_lag).any())
    if not np.isfinite(slope):
        verdict = "widening (censored bounds)" if above else "insufficient data"
    elif (hi < 0 or lo > 0) and not stable:
        verdict = "one point decides"
    elif hi < 0:
        verdict = "mixed (censored bounds widen)" if above else "shrinking"
    elif lo > 0:
        verdict = "widening"
    else:
        verdict = "no clear trend"
    return {"comparator": comp, "slope_years_per_year": slope, "lo": lo, "hi": hi,
            "n_points": n, "min_points": MIN_TREND_POINTS, "leave_one_out_stable": stable,
            "censored_bounds_above_last": above, "verdict": verdict}


def _count_table(models: pd.DataFrame, masks: dict[str, np.ndarray], country: str,
                 comparators: Sequence[str], years: np.ndarray, incomplete_year: int
                 ) -> pd.DataFrame:
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
                "incomplete": bool(y >= incomplete_year),
            })
    return pd.DataFrame(rows)


def _model_table(models: pd.DataFrame, col: str, metric: str) -> pd.DataFrame:
    v = models[col].to_numpy(dtype=float)
    return pd.DataFrame({
        "model": models["model"].to_numpy(),
        "date": models["publication_date"].dt.date.astype(str).to_numpy(),
        "organization": models["organization"].to_numpy(),
        "countries": models["countries"].map(",".join).to_numpy(),
        "log10_" + metric: np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), np.nan),
    })


def frontier_lag(
    models: pd.DataFrame,
    unit: str,
    *,
    vs: Sequence[str] = ("USA", "CHN"),
    metric: str = "compute",
    cutoff: str | None = None,
    start_year: int = DEFAULT_START_YEAR,
    method: Method = "step",
    attribution: Attribution = "own",
    tolerance: float = DEFAULT_TOLERANCE,
    include_world: bool = True,
    n_boot: int = 500,
    level: float = 0.9,
    seed: int = 0,
    provenance: dict[str, Any] | None = None,
) -> FrontierLagResult:
    """Years ``unit`` trails each comparator in ``metric`` at each year-end, with intervals.

    Reference dates are 31 December of ``start_year`` .. the year before the cut-off, then
    the cut-off itself. ``cutoff`` defaults to the newest model of the table (no data left
    out); models after an explicit ``cutoff`` are ignored. ``attribution`` says whose models
    count for every country (``own``: all organisations in the country; ``any``: at least
    one), ``tolerance`` (log10) how close counts as reached.
    """
    if metric not in METRICS:
        raise AigapError(f"unknown metric {metric!r}; choose {', '.join(METRICS)}")
    if method not in ("interp", "step"):
        raise AigapError(f"unknown method {method!r}; choose interp or step")
    if attribution not in ("own", "any"):
        raise AigapError(f"unknown attribution {attribution!r}; choose own or any")
    if not 0 < level < 1:
        raise AigapError("level must lie strictly between 0 and 1")
    if not 0 <= tolerance < 1:
        raise AigapError(f"tolerance must lie in [0, 1) log10, not {tolerance}")
    country = check_iso3([unit])[0]
    comps = [c for c in check_iso3(vs) if c != country]
    if include_world:
        comps.append(WORLD)
    if not comps:
        raise AigapError("give at least one comparator other than the country itself")
    dated = models[models["publication_date"].notna()]
    if dated.empty:
        raise AigapError("no dated models in the Epoch AI table")
    data_end = pd.Timestamp(dated["publication_date"].max())
    cut = data_end if cutoff is None else pd.Timestamp(cutoff)
    if start_year > cut.year:
        raise AigapError(f"start year {start_year} is after the cutoff {cut.date()}")
    models = dated[dated["publication_date"] <= cut].reset_index(drop=True)
    if "paper" not in models.columns:
        models = models.assign(paper=paper_ids(models))
    masks = model_members(models, [country, *comps], attribution)
    any_mask = attribution_mask(models, country, "any")
    n_models = int(masks[country].sum())
    col = METRICS[metric]
    values = models[col].to_numpy(dtype=float)
    has = np.isfinite(values) & (values > 0)
    n_metric = int((masks[country] & has).sum())
    whose = "own " if attribution == "own" else ""
    if n_models == 0:
        raise AigapError(f"no {whose}notable models for {country} up to {cut.date()} in "
                         "Epoch AI")
    if n_metric == 0:
        raise AigapError(f"no {whose}{country} model up to {cut.date()} has a {metric} "
                         "estimate")

    incomplete = incomplete_since(dated)
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

    # The bootstrap draws papers, each with all its models: variants are not independent.
    paper = pd.factorize(models["paper"])[0]  # numbered 0.. again after the cut-off
    n_papers = int(paper.max()) + 1
    members = pd.Series(np.arange(len(models))).groupby(paper).apply(np.asarray).to_list()
    base = curves(None)
    rng = np.random.default_rng(seed)
    boot = np.full((n_boot, len(comps), len(ref)), np.nan)
    boot_cens = np.zeros_like(boot, dtype=bool)
    for b in range(n_boot):
        drawn = rng.integers(0, n_papers, n_papers)
        cv = curves(np.concatenate([members[p] for p in drawn]))
        for j, comp in enumerate(comps):
            lag, cens, upper = lag_years(cv[country], cv[comp], ref, cut_t, method, tolerance)
            boot[b, j] = np.where(upper, np.nan, lag)
            boot_cens[b, j] = cens

    own_idx = np.flatnonzero(masks[country] & has)
    a = (1 - level) / 2
    rows, trend_rows, point_rows = [], [], []
    for j, comp in enumerate(comps):
        lag, cens, upper = lag_years(base[country], base[comp], ref, cut_t, method, tolerance)
        lead_level = level_at(base[comp], ref, method)
        own_level = level_at(base[country], ref, method)
        reach, near = reach_within(base[country], lead_level, method, tolerance)
        lo, hi = _quantiles(boot[:, j], a)
        share = boot_cens[:, j].mean(axis=0) if n_boot else np.full(len(ref), np.nan)
        best = base[country][1][-1]
        for i, d in enumerate(ref_dates):
            bound = ">=" if cens[i] else "<=" if upper[i] else ""
            need = lead_level[i] - (tolerance if near[i] else 0.0)
            reaching = own_idx[logv[own_idx] >= need - 1e-12] if np.isfinite(need) else []
            support = len(np.unique(paper[reaching])) if len(reaching) else 0
            by = None
            if np.isfinite(reach[i]):
                at = own_idx[(np.abs(t[own_idx] - reach[i]) < 1e-9)
                             & (logv[own_idx] >= need - 1e-12)]
                if len(at):
                    by = str(models["model"].iloc[at[np.argmax(logv[at])]])
            # a bound has no sampling interval: the bootstrap resamples cannot see past it
            lo_i, hi_i = (np.nan, np.nan) if bound else (lo[i], hi[i])
            rows.append({
                "comparator": comp, "ref_date": d.date().isoformat(), "ref_year": ref[i],
                "comparator_log10": lead_level[i], "country_log10": own_level[i],
                "lag_years": lag[i], "lo": lo_i, "hi": hi_i, "censored": bool(cens[i]),
                "bound": bound, "lag_label": _label(lag[i], bound),
                "shortfall_log10": lead_level[i] - best if cens[i] else np.nan,
                "within_tolerance": bool(near[i]), "reached_by": by, "support": support,
                "one_point": bool(bound == "" and support == 1),
                "incomplete": bool(d > incomplete),
                "boot_share_censored": share[i],
            })
        pts = record_points(base[country], base[comp], cut_t, method)
        lags_c = pd.DataFrame(rows[-len(ref):])
        trend_rows.append(_trend(comp, pts, lags_c, level))
        for p in pts.itertuples():
            m = own_idx[(np.abs(t[own_idx] - p.t) < 1e-9)
                        & (np.abs(logv[own_idx] - p.level_log10) < 1e-9)]
            point_rows.append({
                "comparator": comp, "model": str(models["model"].iloc[m[0]]) if len(m) else None,
                "date": str(models["publication_date"].iloc[m[0]].date()) if len(m) else None,
                "t": p.t, "level_log10": p.level_log10, "leader_reached": p.x,
                "lag_years": p.lag_years,
                "bound": p.bound, "incomplete": bool(len(m) and
                                                     models["publication_date"].iloc[m[0]]
                                                     > incomplete),
            })

    rec_t, rec_l = base[country]
    own_models = models[masks[country] & has]
    rec = own_models.assign(_t=t[masks[country] & has])
    rec = rec[rec["_t"].isin(rec_t)].sort_values("publication_date")
    rec = rec[np.log10(rec[col]).round(9).isin(np.round(rec_l, 9))]
    records = _model_table(rec, col, metric).drop_duplicates("date", keep="first")
    records = records.reset_index(drop=True)
    multi = models[any_mask & ~masks[country]].sort_values("publication_date")
    multinational = _model_table(multi, col, metric).reset_index(drop=True)

    years = np.arange(start_year, cut.year + 1)
    counts = _count_table(models, masks, country, comps, years, incomplete.year)
    n_own_papers = len(np.unique(paper[masks[country]]))
    notes = [
        f"All models of the vintage up to {cut.date()} are used; Epoch adds models with a "
        f"lag, so dates after {incomplete.date()} (the last {INCOMPLETE_MONTHS} months) are "
        "flagged incomplete: the frontier there may be understated.",
        "Notable-model lists are a curated sample, not a census.",
        (f"Every country's frontier counts only its own models (all organisations in the "
         f"country); {len(multinational)} models {country} shares with other countries are "
         "listed apart.") if attribution == "own" else
        "Models co-developed by several countries count for each of them.",
        f"{country}: {n_models} notable models ({n_own_papers} papers) up to the cut-off, "
        f"{n_metric} with a {metric} estimate.",
        f"A level within {tolerance:g} log10 (a factor {10 ** tolerance:.2f}) of the "
        "country's best counts as reached: Epoch's compute figures are estimates, and smaller "
        "differences between them mean nothing.",
    ]
    if n_metric < 5:
        notes.append(f"Only {n_metric} {country} models carry a {metric} estimate: the lag "
                     "rests on very few points.")
    return FrontierLagResult(
        country=country, comparators=comps, metric=metric, method=method,
        cutoff=cut.date().isoformat(), lags=pd.DataFrame(rows),
        trends=pd.DataFrame(trend_rows), counts=counts, n_models=n_models,
        n_models_with_metric=n_metric, records=records, provenance=provenance or {},
        notes=notes, level=level, n_boot=n_boot, attribution=attribution,
        tolerance=tolerance, incomplete_from=incomplete.date().isoformat(),
        points=pd.DataFrame(point_rows), multinational=multinational)


def frontier_lag_from_warehouse(wh: Any, unit: str, *, vs: Sequence[str] = ("USA", "CHN"),
                                vintage: str | None = None, **kwargs: Any) -> FrontierLagResult:
    """:func:`frontier_lag` on the warehouse's Epoch AI models (one load-then-compute for the
    CLI, the web API and the report); ``kwargs`` go to :func:`frontier_lag`."""
    em = load_epoch_models(wh, vintage)
    return frontier_lag(em.models, unit, vs=vs, provenance=em.provenance, **kwargs)
