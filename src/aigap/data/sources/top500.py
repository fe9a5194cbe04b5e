"""TOP500 lists (``raw/top500/TOP500_YYYYMM.xls[x]``, one file per list, June and November).

Every file in the folder is one list, read as published; the layout changes over the years
and is resolved here, once:

* the header is on row 2 up to 2007-11 and on row 1 afterwards (found as the row starting
  with ``Rank``); the sheet is the one named after the list's edition number (65 = June 2025)
  when there is one (the 2023-11 file also has a transposed ``Sheet1``), else the first;
* Rmax/Rpeak are GFlop/s under ``RMax``/``Rmax`` up to 2016-11 and TFlop/s under
  ``Rmax [TFlop/s]`` from 2017-06; everything is stored in TFlop/s, and a unit-less header in a
  list after 2016-11 is an error (the unit would be a guess);
* cores are ``Processors``, then ``Cores``, then ``Total Cores``; ``Name``, ``Accelerator``,
  ``Power`` appear over time and are missing before;
* country spellings change ("Korea, South" up to 2019-11, "South Korea" after; "Saudia Arabia"
  (sic) in 2009): all map to ISO3, an unknown name stops the pull with its row.

A list is a census of the 500 fastest systems, so a country that appears in any list and is
absent from a published one has 0 systems and 0 Rmax there; a list that is not in the mirror
(2021-06, 2022-11, 2025-11) has no rows at all: missing, never zero.

Observation years: a list's year is its publication year; June (ISC) and November (SC) lists
are separate indicators (``*_jun``, ``*_nov``), so both lists of a year stay reachable and
neither is silently preferred. The record table ``top500_systems`` keeps every system with
``list_date`` (first day of the list's month).

Reading the xlsx files is slow (~0.5 s each with openpyxl), so parsed lists are cached by
sha256 under ``$AIGAP_HOME/cache/parsed``.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.base import (
    Dataset,
    Indicator,
    RecordColumn,
    RecordSource,
    RecordTable,
    cached_read,
    sha256_file,
    tidy,
    to_numeric_checked,
)
from aigap.errors import DataFormatError

PUBLISHER = "TOP500 project (top500.org)"
LICENCE = "not stated; cite 'TOP500.org, list of <Month YYYY>'"
RELDIR = "raw/top500"
VINTAGE = "TOP500 lists June 2000 - June 2025 (2021-06, 2022-11, 2025-11 missing)"
FILE_RE = re.compile(r"^TOP500_(\d{4})(06|11)\.xlsx?$")
PARSER_VERSION = "3"  # bump when _read_list changes: invalidates the parse cache
SYSTEMS_PER_LIST = 500
LAST_GFLOPS_LIST = "2016-11"  # Rmax/Rpeak in GFlop/s up to this list, TFlop/s after
ALIASES = {"Korea, South": "KOR", "Saudia Arabia": "SAU"}
MONTHS = {6: ("June", "jun", "6월"), 11: ("November", "nov", "11월")}

# canonical name: accepted headers, newest first
HEADERS: dict[str, tuple[str, ...]] = {
    "rank": ("Rank",),
    "name": ("Name",),
    "computer": ("Computer",),
    "site": ("Site",),
    "manufacturer": ("Manufacturer",),
    "country": ("Country",),
    "year": ("Year",),
    "segment": ("Segment",),
    "cores": ("Total Cores", "Cores", "Processors"),
    "accelerator": ("Accelerator/Co-Processor", "Accelerator"),
    "rmax": ("Rmax [TFlop/s]", "Rmax", "RMax"),
    "rpeak": ("Rpeak [TFlop/s]", "Rpeak", "RPeak"),
    "power_kw": ("Power (kW)", "Power"),
}
TEXT_COLUMNS = ("name", "computer", "site", "manufacturer", "country", "segment", "accelerator")
OPTIONAL = frozenset({"name", "accelerator", "power_kw"})
TFLOPS_HEADERS = frozenset({"Rmax [TFlop/s]", "Rpeak [TFlop/s]"})

TABLE = RecordTable(
    name="top500_systems",
    description="Every system of every TOP500 list in the mirror (500 per list), Rmax and "
    "Rpeak in TFlop/s whatever the list's own unit.",
    columns=(
        RecordColumn("list_date", "DATE", "first day of the list's month (June or November)"),
        RecordColumn("list_edition", "INTEGER", "edition number (1 = June 1993, 65 = June 2025)"),
        RecordColumn("rank", "INTEGER", "rank in the list (1 = fastest by Rmax)"),
        RecordColumn("name", "VARCHAR", "system name (published from 2011-11)"),
        RecordColumn("computer", "VARCHAR", "system model as published"),
        RecordColumn("site", "VARCHAR", "installation site"),
        RecordColumn("manufacturer", "VARCHAR", "vendor"),
        RecordColumn("country", "VARCHAR", "country as spelt in the list"),
        RecordColumn("iso3", "VARCHAR", "ISO3 code of the country"),
        RecordColumn("year", "INTEGER", "year of installation or last major update"),
        RecordColumn("segment", "VARCHAR", "Research, Academic, Industry, Government, Vendor ..."),
        RecordColumn("cores", "BIGINT", "total cores (Processors/Cores in older lists)"),
        RecordColumn("accelerator", "VARCHAR", "accelerator/co-processor (from 2011-06)"),
        RecordColumn("rmax_tflops", "DOUBLE", "HPL Rmax, TFlop/s"),
        RecordColumn("rpeak_tflops", "DOUBLE", "theoretical peak, TFlop/s"),
        RecordColumn("power_kw", "DOUBLE", "power, kW (from 2008-06, often blank)"),
        RecordColumn("file", "VARCHAR", "file of the list"),
        RecordColumn("sha256", "VARCHAR", "sha256 of that file"),
    ),
)


def edition(year: int, month: int) -> int:
    """The list's edition number (1 = June 1993, two a year)."""
    return (year - 1993) * 2 + (1 if month == 6 else 2)


def list_files(folder: Path) -> list[tuple[Path, int, int]]:
    """(file, year, month) of every list file in the folder, oldest first."""
    out = []
    for p in sorted(Path(folder).iterdir()):
        m = FILE_RE.match(p.name)
        if m:
            out.append((p, int(m.group(1)), int(m.group(2))))
    return out


def _read_sheet(path: Path, year: int, month: int) -> pd.DataFrame:
    try:
        with warnings.catch_warnings(), open(os.devnull, "w") as log:
            warnings.simplefilter("ignore")  # openpyxl's style warnings
            # xlrd prints OLE2 notes about these (valid) files to stdout unless given a log
            kwargs = {"engine_kwargs": {"logfile": log}} if path.suffix == ".xls" else {}
            with pd.ExcelFile(path, **kwargs) as book:
                sheet = str(edition(year, month))
                name = sheet if sheet in book.sheet_names else book.sheet_names[0]
                # no NA guessing: "n/a" in a number column must be reported, not dropped
                raw = pd.read_excel(book, sheet_name=name, header=None, dtype=object,
                                    keep_default_na=False, na_values=[])
                return raw.mask(raw.eq(""))
    except Exception as exc:  # xlrd/openpyxl/zipfile raise many types for a broken file
        raise DataFormatError(path, f"cannot read the spreadsheet: {exc}") from None


def _pick(path: Path, header: list[str], canon: str) -> str | None:
    for h in HEADERS[canon]:
        if h in header:
            return h
    if canon in OPTIONAL:
        return None
    first, *older = HEADERS[canon]
    also = f" (older lists: {', '.join(repr(o) for o in older)})" if older else ""
    raise DataFormatError(path, f"missing column(s) [{first!r}]{also}; found {header}",
                          column=first)


def _read_list(path: Path, year: int, month: int, sha256: str) -> pd.DataFrame:
    """One list as records (no country mapping yet; it is cheap and shared across lists)."""
    raw = _read_sheet(path, year, month)
    first = raw.iloc[:3, 0].astype(str).str.strip()
    hits = np.flatnonzero(first.eq("Rank").to_numpy())
    if not len(hits):
        raise DataFormatError(path, "no header row starting with 'Rank' in rows 1-3",
                              column="Rank")
    h = int(hits[0])
    header = [str(c).strip() for c in raw.iloc[h].tolist()]
    body = raw.iloc[h + 1:].reset_index(drop=True)
    body.columns = header
    body = body[body.notna().any(axis=1)]
    rows = pd.Series(body.index.to_numpy() + h + 2, index=body.index)  # 1-based sheet rows
    cols = {c: _pick(path, header, c) for c in HEADERS}
    tflops_list = f"{year}-{month:02d}" > LAST_GFLOPS_LIST
    for canon in ("rmax", "rpeak"):
        col = cols[canon]
        if tflops_list and col not in TFLOPS_HEADERS:
            raise DataFormatError(path, f"{col!r} has no unit; lists after {LAST_GFLOPS_LIST} "
                                  f"publish {HEADERS[canon][0]!r}", column=col)
    if len(body) != SYSTEMS_PER_LIST:
        raise DataFormatError(path, f"{len(body)} systems; a TOP500 list has "
                              f"{SYSTEMS_PER_LIST}")

    def num(canon: str) -> pd.Series:
        col = cols[canon]
        if col is None:
            return pd.Series(np.nan, index=body.index)
        return to_numeric_checked(body[col].where(body[col].notna(), ""), path, col, rows)

    def text(canon: str) -> pd.Series:
        col = cols[canon]
        if col is None:
            return pd.Series(None, index=body.index, dtype=object)
        return body[col].map(lambda v: None if pd.isna(v) else str(v).strip())

    rank = num("rank")
    bad_rank = rank.isna() | (rank != rank.round())
    if bad_rank.any():
        i = int(np.flatnonzero(bad_rank.to_numpy())[0])
        raise DataFormatError(path, "rank must be a whole number", row=int(rows.iloc[i]),
                              column="Rank")
    scale = 1.0 if tflops_list else 1e-3
    out = pd.DataFrame({
        "list_date": pd.Timestamp(year=year, month=month, day=1),
        "list_edition": edition(year, month),
        "rank": rank.astype(int),
        "name": text("name"), "computer": text("computer"), "site": text("site"),
        "manufacturer": text("manufacturer"), "country": text("country"),
        "year": num("year").astype("Int64"), "segment": text("segment"),
        "cores": num("cores").round().astype("Int64"), "accelerator": text("accelerator"),
        "rmax_tflops": num("rmax") * scale, "rpeak_tflops": num("rpeak") * scale,
        "power_kw": num("power_kw"),
        "file": f"{RELDIR}/{path.name}", "sha256": sha256,
        "vintage": f"TOP500 {year}-{month:02d}",
        "_row": rows.astype(int),
    })
    bad = out["rmax_tflops"].isna() | (out["rmax_tflops"] <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, "Rmax must be a positive number", row=int(rows.iloc[i]),
                              column=cols["rmax"])
    return out.reset_index(drop=True)


def _read_all(folder: Path, files: list[tuple[Path, int, int, str]]) -> pd.DataFrame:
    return pd.concat([cached_read(path, sha, PARSER_VERSION,
                                  lambda p, y=year, m=month, s=sha: _read_list(p, y, m, s))
                      for path, year, month, sha in files], ignore_index=True)


def read_records(folder: Path) -> pd.DataFrame:
    """Every system of every list in ``folder``, countries mapped to ISO3.

    Cached twice by content: each list by its sha256 (a new list parses only itself) and the
    whole folder by the digest of all of them (the common case reads one Parquet file).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(folder, "not a folder of TOP500 list files")
    files = [(p, y, m, sha256_file(p)) for p, y, m in list_files(folder)]
    if not files:
        raise DataFormatError(folder, "no TOP500_YYYYMM.xls or .xlsx file")
    digest = hashlib.sha256("".join(f"{sha}  {p.name}\n" for p, _, _, sha in files)
                            .encode()).hexdigest()
    recs = cached_read(folder, digest, PARSER_VERSION, lambda f: _read_all(f, files))
    for col in TEXT_COLUMNS:  # Parquet gives all-missing text columns back as NaN
        recs[col] = recs[col].astype(object).where(recs[col].notna(), None)
    # Names are mapped per file (few distinct names each) so an unknown one names its file.
    names = recs[["file", "country", "_row"]].drop_duplicates(["file", "country"])
    codes = []
    for file, grp in names.groupby("file", sort=False):
        spelt = grp["country"].fillna("").map(lambda n: ALIASES.get(n, n))
        iso = names_to_iso3(spelt, file=folder / Path(file).name, column="Country",
                            rows=grp["_row"])
        codes.append(grp.assign(iso3=iso.to_numpy()))
    lookup = pd.concat(codes)[["file", "country", "iso3"]]
    blank = lookup["iso3"].eq("")
    if blank.any():  # an aggregate name ("World", "Europe") has no place in a list of systems
        r = names[blank.to_numpy()].iloc[0]
        raise DataFormatError(folder / Path(r["file"]).name,
                              f"country {r['country']!r} is not a country", row=int(r["_row"]),
                              column="Country")
    return recs.merge(lookup, on=["file", "country"], how="left", validate="many_to_one")


def _indicator(kind: str, month: int) -> Indicator:
    en_m, suffix, ko_m = MONTHS[month]
    spec = {
        "systems": ("top500_systems", "TOP500 systems", "TOP500 슈퍼컴퓨터 수", 1, "systems",
                    "Number of the country's systems in the list (0 for a country that is on "
                    "some list but not this one)."),
        "rmax": ("top500_rmax_tflops", "TOP500 Rmax sum", "TOP500 성능(Rmax) 합계", 1,
                 "TFlop/s", "Sum of Rmax (HPL) of the country's systems, TFlop/s (lists up to "
                 "2016-11 converted from GFlop/s)."),
        "share": ("top500_rmax_share", "TOP500 share of list Rmax", "TOP500 성능 점유율", 1,
                  "% of the list's total Rmax", "The country's Rmax sum over the whole list's "
                  "Rmax sum, in percent."),
        "best": ("top500_best_rank", "TOP500 best rank", "TOP500 최고 순위", -1, "rank",
                 "Rank of the country's fastest system (1 = fastest); missing when the country "
                 "has no system in the list."),
    }[kind]
    code, en, ko, direction, unit, desc = spec
    return Indicator(
        code=f"{code}_{suffix}", name_en=f"{en} ({en_m} list)", name_ko=f"{ko}({ko_m} 목록)",
        pillar="Infrastructure & Compute", direction=direction, unit=unit,
        description=f"{desc} Year = year of the {en_m} list; the other list of the year is the "
        f"*_{MONTHS[17 - month][1]} indicator. Lists missing from the mirror (2021-06, "
        "2022-11, 2025-11) have no value: missing, not zero.", licence=LICENCE)


KINDS = ("systems", "rmax", "share", "best")
INDICATORS = {(k, m): _indicator(k, m) for m in MONTHS for k in KINDS}


def derive(recs: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Per list and country: systems, Rmax sum, share of the list's Rmax, best rank."""
    present = sorted(recs["iso3"].unique())
    g = recs.groupby(["list_date", "iso3"])
    per = pd.DataFrame({"systems": g.size(), "rmax": g["rmax_tflops"].sum(),
                        "best": g["rank"].min(), "_row": g["_row"].min()})
    lists = recs.groupby("list_date").agg(total=("rmax_tflops", "sum"), file=("file", "first"),
                                          vintage=("vintage", "first"),
                                          edition=("list_edition", "first"))
    full = pd.MultiIndex.from_product([lists.index, present], names=["list_date", "iso3"])
    per = per.reindex(full).reset_index()
    per[["systems", "rmax"]] = per[["systems", "rmax"]].fillna(0.0)
    per = per.join(lists, on="list_date")
    per["share"] = per["rmax"] / per["total"] * 100
    per["_row"] = per["_row"].astype("Int64")  # zero rows (absent countries) have no row
    per["year"] = per["list_date"].dt.year
    per["month"] = per["list_date"].dt.month
    per["note"] = (per["vintage"] + " list (edition " + per["edition"].astype(str) + ", "
                   + per["file"].str.rsplit("/", n=1).str[-1] + ")")
    parts = []
    for (kind, month), ind in INDICATORS.items():
        sub = per[per["month"] == month]
        parts.append(tidy(sub, indicator=ind.code, iso3=sub["iso3"], year=sub["year"],
                          value=sub[kind].astype(float), unit=ind.unit, note=sub["note"]))
    return pd.concat(parts, ignore_index=True).sort_values(
        ["indicator", "iso3", "year"]).reset_index(drop=True)


RECORDS = RecordSource(TABLE, read_records, derive)

DATASETS: list[Dataset] = [
    Dataset(
        id="top500", publisher=PUBLISHER, relpath=RELDIR, licence=LICENCE, vintage=VINTAGE,
        parse=RECORDS.parse, records=RECORDS,
        description="49 TOP500 lists (xls up to 2019-11, xlsx after), every system kept as a "
        "record; per list and country: systems, Rmax sum, share of the list's Rmax, best rank. "
        "sha256 is that of the folder's manifest; each record carries its file's sha256.",
        indicators=tuple(INDICATORS.values()),
    ),
]
