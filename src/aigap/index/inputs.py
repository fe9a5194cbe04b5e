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


def _load_csv(spec: Spec, data_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``data: {source: csv, path: ...}``: uCode, optional uName / Time / group columns, and
    one numeric column per indicator of the spec (checked: a bad cell names its row)."""
    from aigap.data.sources.base import read_csv_checked

    codes = [i.code for i in spec.indicators]
    path = Path(str(spec.data.path))
    df = read_csv_checked(path, ["uCode", *codes], numeric=codes)
    if "Time" in df.columns:
        df["Time"] = pd.to_numeric(df["Time"], errors="raise")
    dup = df[df.duplicated(["uCode", *(["Time"] if "Time" in df.columns else [])])]
    if not dup.empty:
        raise SpecError(f"{path}: row {int(dup['_row'].iloc[0])}: unit "
                        f"{dup['uCode'].iloc[0]!r} repeats")
    return df.drop(columns="_row").set_index("uCode"), None


register_data_source("csv", _load_csv)


def load_data(sp: Spec, data: pd.DataFrame | None = None, meta: pd.DataFrame | None = None,
              data_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The spec's input frame and iMeta-style structure: ``data`` if given, else its source;
    with the columns of any denominator ``table`` of a denominate step joined."""
    data, meta = _load_data(sp, data, meta, data_dir)
    for k, step in enumerate(sp.steps):
        table = getattr(step, "table", None) if step.step == "denominate" else None
        if table:
            data = join_denominators(data, read_denominators(table, f"steps[{k}].table"))
    return data, meta


def read_denominators(path: str | Path, where: str = "table") -> pd.DataFrame:
    """A denominator table (CSV: ``uCode``, optional ``Time``, numeric denominator columns)."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(f"{where}: denominator table {str(p)!r} not found")
    df = pd.read_csv(p)
    if "uCode" not in df.columns:
        raise SpecError(f"{where}: {str(p)!r} needs a 'uCode' column (got {list(df.columns)[:6]})")
    keys = ["uCode", *(["Time"] if "Time" in df.columns else [])]
    if df.duplicated(keys).any():
        row = int(df.index[df.duplicated(keys)][0]) + 2
        raise SpecError(f"{where}: {str(p)!r} row {row}: {'/'.join(keys)} repeats")
    for c in df.columns.difference(keys):
        if c in ("uName",):
            continue
        vals = pd.to_numeric(df[c], errors="coerce")
        bad = vals.isna() & df[c].notna()
        if bad.any():
            row = int(df.index[bad][0]) + 2
            raise SpecError(f"{where}: {str(p)!r} row {row}, column {c!r}: not a number "
                            f"({df[c][bad].iloc[0]!r})")
        df[c] = vals
    return df.drop(columns=[c for c in ("uName",) if c in df.columns])


def join_denominators(data: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``data`` (index = unit code) with the table's columns (the table's win on a clash);
    by unit and year when both have ``Time``. Every unit of ``data`` must be in the table."""
    by_time = "Time" in table.columns and "Time" in data.columns
    if "Time" in table.columns and not by_time and table["uCode"].duplicated().any():
        raise SpecError("denominator table: it has several years (Time) but the data have one; "
                        "keep one row per unit")
    keys = ["uCode", "Time"] if by_time else ["uCode"]
    missing = sorted(set(data.index.astype(str)) - set(table["uCode"].astype(str)))
    if missing:
        raise SpecError(f"denominator table: unit(s) {missing[:8]} not in the table")
    cols = [c for c in table.columns if c not in keys]
    left = data.drop(columns=[c for c in cols if c in data.columns]).copy()
    name = left.index.name or "uCode"
    left.index = left.index.astype(str).rename("uCode")
    tab = table.drop(columns=["Time"]) if "Time" in table.columns and not by_time else table
    tab = tab.assign(uCode=tab["uCode"].astype(str))
    out = left.reset_index().merge(tab, on=keys, how="left", validate="many_to_one")
    return out.set_index("uCode").rename_axis(name)


def _load_data(sp: Spec, data: pd.DataFrame | None, meta: pd.DataFrame | None,
               data_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
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
