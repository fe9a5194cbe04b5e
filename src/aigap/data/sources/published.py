"""Headline ranks as the publishers released them (``raw/published_rankings``).

``korea_published_ranks.csv`` holds, for the latest editions of Tortoise, Stanford's Global AI
Vibrancy Tool, Oxford Insights, Belfer CETI and the KCCI talent figure, the ranks (and scores
where the coverage gives them) of Korea and the countries around it, each row citing the
article that reports it. They are the reference points for claims and for checking our own and
recomputed rankings, so they go to their own table (``published_ranks``), not to observations.

A unit is a country (ISO3) or, where the publisher ranks one, a group of countries as one unit
(Belfer counts the EU beside 25 countries): its code is kept as the file writes it (EUU) and
marked ``aggregate``. Checked on load: known units whose name agrees with the code, whole ranks
1 <= rank <= of_n, numeric scores, dates as YYYY[-MM[-DD]], http(s) URLs, one row per (index,
edition, level, unit).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from aigap.data import countries as ctry
from aigap.data.sources.base import (
    Dataset,
    RecordColumn,
    RecordSource,
    RecordTable,
    read_csv_checked,
    to_numeric_checked,
)
from aigap.errors import DataFormatError, UnknownCountryError

TABLE = "published_ranks"
RELPATH = "raw/published_rankings/korea_published_ranks.csv"
TEXT = ["index", "edition", "published", "level", "unit", "iso3", "scale", "units_note",
        "source_publisher", "source_date", "source_url"]
COLUMNS = ["index", "edition", "published", "level", "unit", "iso3", "rank", "of_n", "score",
           "scale", "units_note", "source_publisher", "source_date", "source_url"]
# Columns of the warehouse table (the file's, plus whether the unit is an aggregate).
TABLE_COLUMNS = [*COLUMNS, "aggregate"]
TABLE_TYPES = {"rank": "INTEGER", "of_n": "INTEGER", "score": "DOUBLE", "aggregate": "BOOLEAN"}
COLUMN_TEXT = {
    "index": "index name as published (Tortoise Global AI Index, Oxford ...)",
    "edition": "edition of the index",
    "published": "release date, YYYY[-MM[-DD]]",
    "level": "overall, or the pillar or sub-index ranked",
    "unit": "unit name as the file writes it",
    "iso3": "ISO3 code, or an aggregate unit's code (EUU)",
    "rank": "rank as published (1 = first)",
    "of_n": "number of units ranked",
    "score": "score where the coverage gives one",
    "scale": "scale of the score",
    "units_note": "what the publisher counts as a unit",
    "source_publisher": "who reported the rank (the article's publisher)",
    "source_date": "date of the article, YYYY[-MM[-DD]]",
    "source_url": "the article's address",
    "aggregate": "whether the unit is a group of countries ranked as one (the EU)",
}
RECORD_TABLE = RecordTable(
    name=TABLE,
    description="Headline ranks as the index publishers released them, each with the "
    "article reporting it (reference points, not observations)",
    columns=tuple(RecordColumn(c, TABLE_TYPES.get(c, "VARCHAR"), COLUMN_TEXT[c])
                  for c in TABLE_COLUMNS),
)
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
KEY = ["index", "edition", "level", "iso3"]


def _check_units(df: pd.DataFrame, path: Path) -> pd.Series:
    """Codes as written (upper-cased); every code known and agreeing with its unit name."""
    codes = df["iso3"].str.strip().str.upper()
    unknown: dict[str, int] = {}
    for code, name, row in zip(codes, df["unit"], df["_row"], strict=True):
        if ctry.is_aggregate_unit(code):
            # the name must be an aggregate too ("European Union"), not a country
            if ctry.name_to_iso3(name) not in ("", None):
                raise DataFormatError(path, f"unit {name!r} is a country but {code!r} is an "
                                      "aggregate unit", row=int(row), column="iso3")
            continue
        if code not in ctry.known_iso3():
            unknown.setdefault(code, int(row))
            continue
        resolved = ctry.name_to_iso3(name)
        if resolved is None:
            unknown.setdefault(name, int(row))
        elif resolved != code:
            raise DataFormatError(path, f"iso3 {code!r} disagrees with unit {name!r} -> "
                                  f"{resolved or 'an aggregate'}", row=int(row), column="iso3")
    if unknown:
        raise UnknownCountryError(path, unknown, "iso3")
    return codes


def _whole(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    v = to_numeric_checked(df[col], path, col, df["_row"])
    bad = v.isna() | (v != v.round()) | (v < 1)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataFormatError(path, f"{col} must be a whole number >= 1, got "
                              f"{df[col].iloc[i]!r}", row=int(df["_row"].iloc[i]), column=col)
    return v.astype(int)


def parse(path: Path) -> pd.DataFrame:
    """One row per (index, edition, level, unit), checked; ``_row`` = line in the file."""
    path = Path(path)
    df = read_csv_checked(path, COLUMNS)
    for col in TEXT:
        df[col] = df[col].str.strip()
    for col in ("index", "edition", "level", "unit", "iso3", "source_publisher"):
        empty = df[col] == ""
        if empty.any():
            raise DataFormatError(path, f"{col} is empty",
                                  row=int(df.loc[empty, "_row"].iloc[0]), column=col)
    df["iso3"] = _check_units(df, path)
    df["rank"] = _whole(df, "rank", path)
    df["of_n"] = _whole(df, "of_n", path)
    over = df["rank"] > df["of_n"]
    if over.any():
        r = df[over].iloc[0]
        raise DataFormatError(path, f"rank {r['rank']} of only {r['of_n']} units",
                              row=int(r["_row"]), column="rank")
    df["score"] = to_numeric_checked(df["score"], path, "score", df["_row"])
    for col in ("published", "source_date"):
        bad = ~df[col].str.fullmatch(DATE)
        if bad.any():
            r = df[bad].iloc[0]
            raise DataFormatError(path, f"{col} {r[col]!r} is not a date YYYY[-MM[-DD]]",
                                  row=int(r["_row"]), column=col)
    bad = ~df["source_url"].str.match(r"https?://\S+$")
    if bad.any():
        r = df[bad].iloc[0]
        raise DataFormatError(path, f"source_url {r['source_url']!r} is not an http(s) URL",
                              row=int(r["_row"]), column="source_url")
    dup = df.duplicated(KEY, keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        rows = df.loc[(df[KEY] == first[KEY]).all(axis=1), "_row"].tolist()
        raise DataFormatError(path, f"duplicate key (index, edition, level, unit) = "
                              f"{tuple(first[KEY])} in rows {', '.join(map(str, rows))}",
                              row=int(rows[1]))
    df["aggregate"] = df["iso3"].map(ctry.is_aggregate_unit)
    return df[[*TABLE_COLUMNS, "_row"]].reset_index(drop=True)


RECORDS = RecordSource(RECORD_TABLE, parse)  # records only: no derived observations

DATASETS: list[Dataset] = [
    Dataset(
        id="published_rankings", records=RECORDS,
        publisher="Index publishers' releases as reported by the press (compiled for aigap)",
        relpath=RELPATH,
        licence="facts reported by the press; cite the index publisher and the article",
        vintage="releases to 22 Dec 2025 (latest editions)", parse=RECORDS.parse,
        flags=("press-reported",),
        description="Headline ranks of the latest editions of Tortoise (2023, 2024), Stanford "
        "Global AI Vibrancy (2025), Oxford Insights (2024, 2025), Belfer CETI 2025 (the EU "
        "counted as one unit) and the KCCI AI-talent figure, each with the article reporting "
        "it."),
]
