"""Index data from the warehouse: ``data: {source: warehouse}`` in a spec.

Each indicator takes its latest value in ``[year - window, year]`` (or its own fixed
``year``), so sources published on different calendars can sit in one index; which year each
value came from is kept in ``frame.attrs["value_years"]`` and reported by
:func:`value_years`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.data.warehouse import Warehouse
from aigap.errors import SpecError
from aigap.index.inputs import register_data_source
from aigap.index.spec import IndicatorSpec, Spec


def _pick(long: pd.DataFrame, spec: Spec, year: int) -> pd.DataFrame:
    """The observation(s) behind each (unit, indicator) value for one index year: long rows
    iso3, indicator, value, year (the latest year used), year_from (the first), source."""
    by_code = {i.code: i for i in spec.indicators}
    lo = year - spec.data.window
    win = long[(long["year"] <= year) & (long["year"] >= lo)]
    plain = [c for c, i in by_code.items() if i.year is None and i.combine == "latest"]
    parts = [win[win["indicator"].isin(plain)]]
    for code in spec.data.denominators:  # denominators follow the index year, like the data
        parts.append(win[win["indicator"] == code])
    for code, ind in by_code.items():
        if ind.combine == "latest" and ind.year is not None:
            parts.append(long[(long["indicator"] == code) & (long["year"] == ind.year)])
    cols = ["indicator", "iso3", "value", "year", "source"]
    sel = pd.concat(parts)[cols].sort_values("year").drop_duplicates(["indicator", "iso3"],
                                                                     keep="last")
    sel["year_from"] = sel["year"]
    combined = [_combine(long, ind, year, spec.data.window + 1) for ind in by_code.values()
                if ind.combine != "latest"]
    return pd.concat([sel, *combined], ignore_index=True)


def _combine(long: pd.DataFrame, ind: IndicatorSpec, year: int, default_span: int
             ) -> pd.DataFrame:
    """``sum``/``max`` over the ``span`` years ending at the indicator's pinned year, else the
    index year (span default: the spec's window + 1 years)."""
    end = ind.year if ind.year is not None else year
    span = ind.span or default_span
    rows = long[(long["indicator"] == ind.code) & (long["year"] <= end)
                & (long["year"] > end - span)]
    g = rows.groupby("iso3")
    out = pd.DataFrame({
        "value": g["value"].sum() if ind.combine == "sum" else g["value"].max(),
        "year": g["year"].max(), "year_from": g["year"].min(),
        "source": g["source"].agg(lambda v: ",".join(sorted(set(v)))),
    }).reset_index()
    out["indicator"] = ind.code
    return out


def _fill(values: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Apply each indicator's ``fill`` rule in place; the filled cells (iso3, indicator, flag)."""
    recs = []
    for ind in spec.indicators:
        if ind.fill == "none" or ind.code not in values:
            continue
        col = values[ind.code]
        gap = col.isna()
        if not gap.any() or col.notna().sum() == 0:
            continue
        fill = 0.0 if ind.fill == "zero" else float(col.min())
        values.loc[gap, ind.code] = fill
        flag = "zero-filled" if ind.fill == "zero" else "floor-filled"
        recs += [(u, ind.code, flag) for u in values.index[gap]]
    return pd.DataFrame(recs, columns=["iso3", "indicator", "fill"])


def warehouse_frame(spec: Spec, wh: Warehouse) -> pd.DataFrame:
    """The wide frame a warehouse spec runs on (with a ``Time`` column: the index year).

    ``attrs["value_years"]``: units x indicators, the (latest) year of each value;
    ``attrs["provenance"]``: one row per unit, indicator and index year with ``year_from``,
    ``year``, ``source``, ``flags`` (the sources' flags, ``zero-filled``/``floor-filled``).
    """
    codes = [i.code for i in spec.indicators]
    if not codes:
        raise SpecError(f"spec {spec.name!r}: a warehouse spec lists its 'indicators'")
    long = wh.panel([*codes, *spec.data.denominators])
    if long.empty:
        raise SpecError(f"spec {spec.name!r}: the warehouse has no data for its indicators")
    names = wh.country_names()
    source_flags = {r.id: tuple(r.flags if r.flags is not None else ())
                    for r in wh.sources().itertuples()}
    if spec.data.panel:
        first, last = spec.data.years or (int(long["year"].min()), int(long["year"].max()))
        years = list(range(first, last + 1))
    else:
        years = [spec.data.year if spec.data.year is not None else int(long["year"].max())]
    frames, used, prov = [], [], []
    for y in years:
        sel = _pick(long, spec, y)
        values = sel.pivot(index="iso3", columns="indicator", values="value")
        yrs = sel.pivot(index="iso3", columns="indicator", values="year")
        values = values.reindex(columns=[*codes, *spec.data.denominators])
        filled = _fill(values, spec)
        values["uName"] = values.index.map(lambda c: names.get(c, c))
        values["Time"] = y
        frames.append(values)
        used.append(yrs.assign(Time=y))
        prov.append(_provenance(sel[sel["indicator"].isin(codes)], filled, source_flags, y))
    frame = pd.concat(frames)
    frame.index.name = "iso3"
    frame.attrs["value_years"] = pd.concat(used)
    frame.attrs["provenance"] = pd.concat(prov, ignore_index=True)
    return frame


def _provenance(sel: pd.DataFrame, filled: pd.DataFrame, source_flags: dict[str, tuple[str, ...]],
                year: int) -> pd.DataFrame:
    out = sel[["iso3", "indicator", "year_from", "year", "source"]].copy()
    out["flags"] = [tuple(sorted({f for s in str(src).split(",") for f in source_flags.get(s, ())}))
                    for src in out["source"]]
    fills = filled.assign(year_from=pd.NA, year=pd.NA, source="",
                          flags=[(f,) for f in filled["fill"]]).drop(columns="fill")
    out = pd.concat([out, fills], ignore_index=True) if len(fills) else out
    out.insert(0, "Time", year)
    return out


def value_years(spec: Spec, wh: Warehouse, year: int | None = None) -> pd.DataFrame:
    """Units x indicators: the year of the observation each index value uses (NaN = none)."""
    frame = warehouse_frame(spec, wh)
    used = frame.attrs["value_years"]
    if year is not None and "Time" in used:
        used = used[used["Time"] == year]
    return used.drop(columns="Time")


def index_sources(frame: pd.DataFrame, wh: Warehouse, unit: str | None = None) -> list[str]:
    """Datasets of the observations a warehouse-built ``frame`` uses (one unit, or all)."""
    years = frame.attrs["value_years"].drop(columns="Time")
    if unit is not None:
        years = years.loc[[unit]] if unit in years.index else years.iloc[:0]
    pairs = years.stack().reset_index()
    pairs.columns = ["iso3", "indicator", "year"]
    rows = wh.con.execute(
        "SELECT DISTINCT source FROM observations WHERE (iso3, indicator, year) IN "
        "(SELECT unnest(?), unnest(?), unnest(?))",
        [pairs["iso3"].tolist(), pairs["indicator"].tolist(), [int(y) for y in pairs["year"]]],
    ).fetchall()
    return sorted(r[0] for r in rows)


def _load(spec: Spec, data_dir: Path | None) -> tuple[pd.DataFrame, None]:
    with Warehouse.open() as wh:
        return warehouse_frame(spec, wh), None


register_data_source("warehouse", _load)
