"""Input loading (edge I/O): a spec's data frame and structure, split by year.

Data enters as a wide DataFrame per year: index = unit code, one column per indicator, plus
optional group columns (for group imputation), denominator columns and ``uName``. Sources are
looked up in :data:`DATA_SOURCES`; the warehouse registers itself there (or pass ``data=``).
Analyses that re-run the engine on edited inputs (what-it-takes, scenarios) load them here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aigap.errors import SpecError
from aigap.index.plan import Plan, resolve
from aigap.index.spec import Spec, load_spec

# A loader returns (wide frame with a "Time" column, or None for a single year; iMeta or None).
Loader = Callable[[Spec, Path | None], tuple[pd.DataFrame, pd.DataFrame | None]]
DATA_SOURCES: dict[str, Loader] = {}
Frames = dict[int | None, pd.DataFrame]


def register_data_source(name: str, loader: Loader) -> None:
    """Let another module (e.g. the warehouse) provide data for ``data: {source: name}``."""
    DATA_SOURCES[name] = loader


def _load_asem(spec: Spec, data_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from aigap.data.sources.coinr_asem import read_asem

    idata, imeta = read_asem(data_dir, panel=spec.data.panel)
    return idata.set_index("uCode"), imeta


register_data_source("asem", _load_asem)


def load_data(sp: Spec, data: pd.DataFrame | None = None, meta: pd.DataFrame | None = None,
              data_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The spec's input frame and iMeta-style structure: ``data`` if given, else its source."""
    if data is None:
        src = sp.data.source
        if src not in DATA_SOURCES:
            raise SpecError(f"spec {sp.name!r}: data source {src!r} unavailable: pass data= "
                            "(a wide DataFrame units x indicators)")
        data, loaded_meta = DATA_SOURCES[src](sp, data_dir)
        return data, meta if meta is not None else loaded_meta
    if sp.structure is not None and meta is None:
        from aigap.data.sources.coinr_asem import read_asem

        meta = read_asem(data_dir)[1]
    return data, meta


def split_years(data: pd.DataFrame, year: int | None) -> Frames:
    """One frame per year (key None when the data have no Time/year column)."""
    tcol = next((c for c in ("Time", "year") if c in data.columns), None)
    if tcol is None:
        if year is not None:
            raise SpecError(f"year {year} asked for, but the data have no Time/year column")
        return {None: data}
    years = sorted(int(y) for y in pd.unique(data[tcol].dropna()))
    if year is not None and year not in years:
        raise SpecError(f"no data for year {year}; years available: {years}")
    # every year is kept: panel-wide normalisation needs them all; build_index picks the year
    return {int(y): g.drop(columns=tcol) for y, g in data.groupby(tcol)}


def load_inputs(spec: str | Path | Spec, data: pd.DataFrame | None = None,
                data_dir: Path | None = None) -> tuple[Plan, Frames]:
    """The compiled plan and the input frames per year, as :func:`build_index` loads them."""
    sp = load_spec(spec)
    data, meta = load_data(sp, data, None, data_dir)
    return resolve(sp, meta), split_years(data, None)


def pick_year(frames: Frames, year: int | None) -> int | None:
    """``year`` if given (and present), else the latest year of a panel (None for one year)."""
    years = [y for y in frames if y is not None]
    if not years:
        if year is not None:
            raise SpecError(f"year {year} asked for, but the data have no Time/year column")
        return None
    if year is None:
        return max(years)
    if year not in frames:
        raise SpecError(f"no data for year {year}; years available: {sorted(years)}")
    return year


def find_unit(units: pd.Index, unit: str) -> str:
    """The unit code as spelt in the build (case-insensitive), or a SpecError."""
    if unit in units:
        return unit
    hit = [u for u in units if str(u).upper() == unit.upper()]
    if not hit:
        raise SpecError(f"unit {unit!r} not in this build ({len(units)} units, e.g. "
                        f"{', '.join(map(str, units[:6]))})")
    return str(hit[0])
