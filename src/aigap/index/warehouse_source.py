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
from aigap.index.spec import Spec


def _pick(long: pd.DataFrame, spec: Spec, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide values and the year each came from, for one index year."""
    fixed = {i.code: i.year for i in spec.indicators if i.year is not None}
    lo = year - spec.data.window
    win = long[(long["year"] <= year) & (long["year"] >= lo)]
    parts = [win[~win["indicator"].isin(fixed)]]
    for code, y in fixed.items():
        parts.append(long[(long["indicator"] == code) & (long["year"] == y)])
    for code in spec.data.denominators:  # denominators follow the index year, like the data
        parts.append(win[win["indicator"] == code])
    sel = pd.concat(parts).sort_values("year").drop_duplicates(["indicator", "iso3"],
                                                               keep="last")
    values = sel.pivot(index="iso3", columns="indicator", values="value")
    years = sel.pivot(index="iso3", columns="indicator", values="year")
    return values, years


def warehouse_frame(spec: Spec, wh: Warehouse) -> pd.DataFrame:
    """The wide frame a warehouse spec runs on (with a ``Time`` column: the index year)."""
    codes = [i.code for i in spec.indicators]
    if not codes:
        raise SpecError(f"spec {spec.name!r}: a warehouse spec lists its 'indicators'")
    long = wh.panel([*codes, *spec.data.denominators])
    if long.empty:
        raise SpecError(f"spec {spec.name!r}: the warehouse has no data for its indicators")
    names = wh.country_names()
    if spec.data.panel:
        first, last = spec.data.years or (int(long["year"].min()), int(long["year"].max()))
        years = list(range(first, last + 1))
    else:
        years = [spec.data.year if spec.data.year is not None else int(long["year"].max())]
    frames, used = [], []
    for y in years:
        values, yrs = _pick(long, spec, y)
        values = values.reindex(columns=[*codes, *spec.data.denominators])
        values["uName"] = values.index.map(lambda c: names.get(c, c))
        values["Time"] = y
        frames.append(values)
        used.append(yrs.assign(Time=y))
    frame = pd.concat(frames)
    frame.index.name = "iso3"
    frame.attrs["value_years"] = pd.concat(used)
    return frame


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
