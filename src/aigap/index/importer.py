"""Bring an existing index in: a COINr iData/iMeta pair or a JRC COIN Tool workbook -> a spec.

The spec lists the index tree explicitly (indicators with name, unit, direction and weight;
aggregates with their weights) and reads its data from a CSV written beside it
(``data: {source: csv, path: <name>.data.csv}``), so it builds anywhere with
``aigap rank --spec <name>.yaml``. Steps default to COINr's defaults for ``Normalise`` and
``Aggregate`` (min-max 0-100, weighted arithmetic mean); edit them in the YAML.

COIN Tool layout (as COINr's ``import_coin_tool`` reads it, sheet "Database"): indicator codes
in row 16 and names in row 15 from column E; aggregation codes in rows 14 (sub-pillar, "sp."),
13 (pillar, "p."), 12 (sub-index, "si.") and 11 (index); weights in row 7, directions in row
8, goalposts in rows 9-10; unit names and codes in columns B and C from row 17, values from
E17. Sheet "Framework", C4:H52: aggregate codes (column C), weights (E) and names (H). A
level whose row holds one code only is unused and dropped, as in COINr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import SpecError
from aigap.index.spec import Spec

DEFAULT_STEPS: list[dict[str, Any]] = [
    {"step": "normalise", "method": "minmax", "l": 0, "u": 100},
    {"step": "aggregate", "method": "arithmetic"},
]
_LEVEL_PREFIXES = ("sp.", "p.", "si.", "Index")
_MAX_COL, _MAX_ROW = 103, 315  # CY315: the Database sheet's data block ends there


def from_coinr(idata: str | Path, imeta: str | Path, *, name: str = "imported",
               year: int | None = None) -> tuple[Spec, pd.DataFrame]:
    """A spec and its data frame from COINr's ``iData`` and ``iMeta`` CSV files (checked:
    codes, types, directions, weights; every indicator a numeric column of iData)."""
    from aigap.data.sources.coinr_asem import read_idata, read_imeta

    meta = read_imeta(Path(imeta))
    data = read_idata(Path(idata), meta)
    if "Time" in data.columns and data["Time"].nunique() > 1:
        if year is None:
            raise SpecError(f"{idata}: iData has several years "
                            f"({sorted(data['Time'].unique().astype(int))}); pick one with "
                            "--year")
        data = data[data["Time"] == year]
    groups = meta.loc[meta["Type"] == "Group", "iCode"].tolist()
    inds = meta[meta["Type"] == "Indicator"]
    aggs = meta[meta["Type"] == "Aggregate"].sort_values("Level")
    return _spec(name, _ind_rows(inds), _agg_rows(aggs)), _frame(data, inds["iCode"], groups)


def _ind_rows(inds: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"code": r.iCode, "name": r.iName or "", "parent": r.Parent,
             "direction": int(r.Direction), "weight": float(r.Weight),
             **({"unit": r.Unit} if isinstance(r.Unit, str) and r.Unit else {})}
            for r in inds.itertuples()]


def _agg_rows(aggs: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"code": r.iCode, "name": r.iName or "",
             **({"parent": r.Parent} if isinstance(r.Parent, str) and r.Parent else {}),
             "weight": float(r.Weight)} for r in aggs.itertuples()]


def _frame(data: pd.DataFrame, codes: Any, groups: list[str]) -> pd.DataFrame:
    keep = ["uCode", *(c for c in ("uName", "Time") if c in data.columns), *groups, *codes]
    return data[keep].set_index("uCode")


def _spec(name: str, indicators: list[dict[str, Any]], aggregates: list[dict[str, Any]]
          ) -> Spec:
    try:
        return Spec.from_dict({"name": name, "title": name, "data": {"source": "frame"},
                               "indicators": indicators, "aggregates": aggregates,
                               "steps": DEFAULT_STEPS})
    except SpecError as exc:
        raise SpecError(f"imported structure: {exc}") from None


def from_coin_tool(path: str | Path, *, name: str = "imported") -> tuple[Spec, pd.DataFrame]:
    """A spec and its data frame from a JRC COIN Tool workbook (layout in the module doc)."""
    import openpyxl

    p = Path(path)
    if not p.is_file():
        raise SpecError(f"COIN Tool file {str(p)!r} not found")
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise SpecError(f"{p}: not a readable .xlsx workbook ({exc})") from None
    for sheet in ("Database", "Framework"):
        if sheet not in wb.sheetnames:
            raise SpecError(f"{p}: no sheet {sheet!r} (a COIN Tool workbook has 'Database' "
                            f"and 'Framework'; found {', '.join(wb.sheetnames)})")
    db = [list(r) for r in wb["Database"].iter_rows(min_row=1, max_row=_MAX_ROW,
                                                    max_col=_MAX_COL, values_only=True)]
    db += [[None] * _MAX_COL] * (_MAX_ROW - len(db))
    cell = _cells(db)
    cols = [j for j in range(4, _MAX_COL) if cell(16, j) not in (None, "")]
    rows = [i for i in range(17, _MAX_ROW + 1) if cell(i, 3) not in (None, "")]
    if not cols or not rows:
        raise SpecError(f"{p}: sheet 'Database' has no indicator codes in row 16 from column E "
                        "or no unit codes in column C from row 17")
    codes = [str(cell(16, j)).strip() for j in cols]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise SpecError(f"{p}: sheet 'Database' row 16: indicator code(s) {dup} repeat")
    values = {}
    for j, code in zip(cols, codes, strict=True):
        col = []
        for i in rows:
            v = cell(i, j)
            if v in (None, "", "n/a"):
                col.append(np.nan)
                continue
            try:
                col.append(float(v))
            except (TypeError, ValueError):
                raise SpecError(f"{p}: sheet 'Database' cell {_ref(i, j)} ({code}, unit "
                                f"{cell(i, 3)}): not a number ({v!r})") from None
        values[code] = col
    data = pd.DataFrame(values, index=pd.Index([str(cell(i, 3)).strip() for i in rows],
                                               name="uCode"))
    data.insert(0, "uName", [str(cell(i, 2) or cell(i, 3)) for i in rows])
    # aggregation rows 14 (sp.), 13 (p.), 12 (si.), 11 (index); unused levels hold one code
    levels = [[str(cell(r, j) or "").strip() for j in cols] for r in (14, 13, 12, 11)]
    used = [k for k, lv in enumerate(levels) if len(set(lv)) > 1 or k == 3]
    fw = wb["Framework"]
    frame_rows = list(fw.iter_rows(min_row=5, max_row=52, min_col=3, max_col=8,
                                   values_only=True))
    agg_w = {str(r[0]).strip(): r[2] for r in frame_rows if r[0] not in (None, "--")}
    agg_n = {str(r[0]).strip(): r[5] for r in frame_rows if r[0] not in (None, "--")}
    indicators = []
    for j, code in zip(cols, codes, strict=True):
        direction = _number(cell(8, j), p, _ref(8, j), default=1.0)
        if direction not in (1.0, -1.0):
            raise SpecError(f"{p}: sheet 'Database' cell {_ref(8, j)} ({code}): direction "
                            f"must be 1 or -1, not {cell(8, j)!r}")
        indicators.append({"code": code, "name": str(cell(15, j) or ""),
                           "parent": levels[used[0]][cols.index(j)],
                           "direction": int(direction),
                           "weight": _number(cell(7, j), p, _ref(7, j), default=1.0)})
    aggregates = []
    for pos, k in enumerate(used):
        parents = levels[used[pos + 1]] if pos + 1 < len(used) else None
        seen: dict[str, str | None] = {}
        for idx, code in enumerate(levels[k]):
            if not code:
                raise SpecError(f"{p}: sheet 'Database' cell {_ref((14, 13, 12, 11)[k], cols[idx])}"
                                f": indicator {codes[idx]} has no {_LEVEL_PREFIXES[k]} code")
            seen.setdefault(code, parents[idx] if parents else None)
        for code, parent in seen.items():
            w = agg_w.get(code)
            aggregates.append({"code": code, "name": str(agg_n.get(code) or code),
                               **({"parent": parent} if parent else {}),
                               "weight": 1.0 if w in (None, "") else
                               _number(w, p, f"Framework weight of {code}", default=1.0)})
    return _spec(name, indicators, aggregates), data


def _cells(db: list[list[Any]]) -> Any:
    def cell(row: int, col: int) -> Any:  # 1-based row and column, as Excel counts
        r = db[row - 1]
        return r[col - 1] if col - 1 < len(r) else None
    return cell


def _ref(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _number(v: Any, path: Path, where: str, default: float) -> float:
    if v in (None, ""):
        return default
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise SpecError(f"{path}: {where}: not a number ({v!r})") from None
    if not np.isfinite(x) or x < -1e12 or x > 1e12:
        raise SpecError(f"{path}: {where}: implausible number ({v!r})")
    return x


def write_imported(spec: Spec, data: pd.DataFrame, out: str | Path) -> tuple[Path, Path]:
    """Write ``spec`` as YAML to ``out`` and its data as ``<stem>.data.csv`` beside it; the
    YAML reads the CSV by a relative path. Returns both paths."""
    import yaml

    p = Path(out)
    if p.suffix not in (".yaml", ".yml"):
        raise SpecError(f"{str(p)!r}: the spec file must end in .yaml")
    if not p.parent.is_dir():
        raise SpecError(f"folder {str(p.parent)!r} does not exist")
    csv = p.with_name(f"{p.stem}.data.csv")
    doc = spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)
    doc["name"], doc["data"] = spec.name, {"source": "csv", "path": csv.name}
    doc["steps"] = [s.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                    | {"step": s.step} for s in spec.steps]
    data.reset_index().to_csv(csv, index=False)
    head = (f"# Imported into aigap: {len(spec.indicators)} indicators, {len(data)} units.\n"
            "# Steps are COINr's defaults (min-max 0-100, arithmetic mean): edit as needed.\n")
    p.write_text(head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                 encoding="utf-8")
    return p, csv
