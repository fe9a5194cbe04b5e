"""Epoch AI "Notable AI Models" (``raw/epoch_ai/notable_ai_models.csv``, snapshot ~Apr 2025).

Country-year indicators:

* ``notable_ai_models_epoch``: models published in the year by organisations of the country.
  A model with organisations in several countries counts once for each of them (as the
  mirror's derived ``notable_models_by_country_year.csv``); "Multinational" is dropped.
* ``max_training_compute_flop``: the largest training compute among the country's notable
  models published IN that year (not a running maximum: a year without a model with known
  compute has no value, and the frontier-to-date is a cummax away for analyses that want it).

2024 and 2025 are incomplete (Epoch adds models with a lag; the snapshot ends 2025-03-16):
rows for those years carry a note. :func:`read_models` returns the model-level table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import (
    Dataset,
    Indicator,
    RecordColumn,
    RecordSource,
    RecordTable,
    read_csv_checked,
    tidy,
    to_numeric_checked,
)
from aigap.errors import DataFormatError

PUBLISHER = "Epoch AI, Notable AI Models"
LICENCE = "CC BY 4.0"
VINTAGE = "Epoch AI notable models snapshot (~Apr 2025)"
RELPATH = "raw/epoch_ai/notable_ai_models.csv"
COUNTRY = "Country (from Organization)"
DATE = "Publication date"
COMPUTE = "Training compute (FLOP)"
NUMERIC = {
    "Parameters": "parameters",
    COMPUTE: "training_compute_flop",
    "Training compute cost (2023 USD)": "training_compute_cost_2023_usd",
    "Training dataset size (datapoints)": "training_dataset_size",
    "Hardware quantity": "hardware_quantity",
}
TEXT = {
    "Model": "model",
    "Domain": "domain",
    "Organization": "organization",
    "Organization categorization": "organization_category",
    "Notability criteria": "notability_criteria",
    "Training hardware": "training_hardware",
    "Model accessibility": "model_accessibility",
    "Frontier model": "frontier_model",
    "Base model": "base_model",
}
# The publication a model comes from, kept when the file has it (variants of one paper
# share it; the strategy analyses count a paper once). Optional: not every file has them.
PUBLICATION = {"Reference": "reference", "Link": "link"}
INCOMPLETE_FROM = 2024
INCOMPLETE_NOTE = "incomplete year: Epoch adds models with a lag (snapshot ~Apr 2025)"

MODELS = Indicator(
    code="notable_ai_models_epoch", name_en="Notable AI models (Epoch AI)",
    name_ko="주목할 만한 AI 모델 수(Epoch AI)", pillar="Research", direction=1, unit="count",
    description="Notable AI models published in the year by organisations based in the "
    "country (Epoch AI); multi-country models count for each country. 2024-2025 incomplete.",
    licence=LICENCE)
MAX_COMPUTE = Indicator(
    code="max_training_compute_flop", name_en="Largest training compute of a notable model",
    name_ko="주요 AI 모델 최대 학습 연산량(FLOP)", pillar="Infrastructure & Compute",
    direction=1, unit="FLOP",
    description="Largest training compute (FLOP) among the country's notable models "
    "published in that year (in-year maximum, not cumulative); models without a compute "
    "estimate are ignored. 2024-2025 incomplete.", licence=LICENCE)


def _split_list(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).split(",") if p.strip()]


def read_model_table(path: Path, *, country: str, columns: Mapping[str, str]) -> pd.DataFrame:
    """Model-level table of one Epoch AI models file.

    ``columns`` maps the file's headers to the canonical names of :data:`TEXT` and
    :data:`NUMERIC` (files of other vintages or lists name or lack some); a canonical column
    the file lacks is missing (None / NaN). ``country`` is the file's country column.
    """
    path = Path(path)
    df = read_csv_checked(path, ["Model", country, DATE, *columns])
    numeric = {h: c for h, c in columns.items() if c in NUMERIC.values()}
    for col in numeric:
        df[col] = to_numeric_checked(df[col], path, col, df["_row"])
    dates = pd.to_datetime(df[DATE].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna() & df[DATE].str.strip().ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"not a YYYY-MM-DD date: {df[DATE].iloc[i]!r}",
                              row=int(df["_row"].iloc[i]), column=DATE)
    # Map every distinct country token once; the error lists unknown names with a row.
    tokens = df[[country, "_row"]].assign(name=df[country].map(_split_list)).explode("name")
    tokens = tokens.dropna(subset=["name"]).drop_duplicates("name")
    codes = names_to_iso3(tokens["name"], file=path, column=country, rows=tokens["_row"])
    lookup = dict(zip(tokens["name"], codes, strict=True))
    countries = df[country].map(
        lambda c: list(dict.fromkeys(lookup[n] for n in _split_list(c) if lookup[n])))
    by_canon = {c: h for h, c in columns.items()}
    out = pd.DataFrame({c: df[by_canon[c]].str.strip() if c in by_canon else None
                        for c in TEXT.values()}, index=df.index)
    out["model"] = df["Model"].str.strip()
    for header, name in PUBLICATION.items():
        out[name] = (df[header].str.strip().replace("", None) if header in df.columns
                     else None)
    if "frontier_model" in by_canon:
        out["frontier_model"] = out["frontier_model"].str.lower().eq("true")
    out["domains"] = df["Domain"].map(_split_list)
    out["countries"] = countries
    out["country_names"] = df[country].str.strip()
    out["multinational"] = df[country].map(lambda c: "Multinational" in _split_list(c))
    out["publication_date"] = dates
    out["year"] = dates.dt.year.astype("Int64")
    for c in NUMERIC.values():
        out[c] = df[by_canon[c]] if c in by_canon else np.nan
    out["_row"] = df["_row"]
    return out


def read_models(path: Path) -> pd.DataFrame:
    """Model-level table of the April-2025 file: one row per model, ``countries`` a list of
    ISO3 codes.

    Columns: model, domain, domains (list), organization, organization_category, countries
    (list, aggregates such as "Multinational" removed), country_names (the cell as
    published), multinational (bool),
    publication_date (datetime, NaT when blank), year (Int64), the numeric columns of
    :data:`NUMERIC` (float), the other text columns of :data:`TEXT` (``frontier_model`` as
    bool), and ``_row``.
    """
    return read_model_table(path, country=COUNTRY, columns={**TEXT, **NUMERIC})


MODELS_TABLE = RecordTable(
    name="epoch_models",
    description="Epoch AI models, one row per model and list (notable, large_scale, "
    "frontier) and vintage; countries of the developing organisations as ISO3 lists.",
    country="countries",
    columns=(
        RecordColumn("list", "VARCHAR", "Epoch list: notable, large_scale or frontier"),
        RecordColumn("model", "VARCHAR", "model name"),
        RecordColumn("domain", "VARCHAR", "domain(s) as published"),
        RecordColumn("domains", "VARCHAR[]", "domains, split"),
        RecordColumn("organization", "VARCHAR", "developing organisation(s)"),
        RecordColumn("organization_category", "VARCHAR", "Industry, Academia, ..."),
        RecordColumn("countries", "VARCHAR[]", "ISO3 codes of the organisations' countries "
                     "('Multinational' dropped)"),
        RecordColumn("country_names", "VARCHAR", "the country cell as published"),
        RecordColumn("multinational", "BOOLEAN", "the country cell says 'Multinational'"),
        RecordColumn("publication_date", "DATE", "publication date"),
        RecordColumn("year", "INTEGER", "year of publication"),
        *(RecordColumn(c, "DOUBLE", h) for h, c in NUMERIC.items()),
        *(RecordColumn(c, "BOOLEAN" if c == "frontier_model" else "VARCHAR", h)
          for h, c in TEXT.items() if c not in ("model", "domain", "organization",
                                                "organization_category")),
        *(RecordColumn(c, "VARCHAR", f"{h} (the publication; blank when the file has none)")
          for h, c in PUBLICATION.items()),
    ),
)


def model_records(list_name: str, country: str, columns: Mapping[str, str]
                  ) -> Callable[[Path], pd.DataFrame]:
    """Reader of one models file as records of :data:`MODELS_TABLE`."""

    def read(path: Path) -> pd.DataFrame:
        return read_model_table(path, country=country, columns=columns).assign(list=list_name)

    return read


def derive(models: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Country-year counts and in-year maximum training compute."""
    long = models[models["year"].notna()].explode("countries")
    long = long[long["countries"].notna()].rename(columns={"countries": "iso3"})
    grouped = long.groupby(["iso3", "year"], as_index=False).agg(
        count=("model", "size"), compute=("training_compute_flop", "max"),
        _row=("_row", "min"))
    grouped["year"] = grouped["year"].astype(int)
    note = np.where(grouped["year"] >= INCOMPLETE_FROM, INCOMPLETE_NOTE, "")
    out = pd.concat([
        tidy(grouped, indicator=MODELS.code, iso3=grouped["iso3"], year=grouped["year"],
             value=grouped["count"].astype(float), unit=MODELS.unit,
             note=pd.Series(note, index=grouped.index)),
        tidy(grouped, indicator=MAX_COMPUTE.code, iso3=grouped["iso3"], year=grouped["year"],
             value=grouped["compute"], unit=MAX_COMPUTE.unit,
             note=pd.Series(note, index=grouped.index)),
    ], ignore_index=True)
    return finish(out, path)


RECORDS = RecordSource(MODELS_TABLE, model_records("notable", COUNTRY, {**TEXT, **NUMERIC}),
                       derive)
parse = RECORDS.parse

DATASETS: list[Dataset] = [
    Dataset(
        id="epoch_notable_models", publisher=PUBLISHER, relpath=RELPATH, licence=LICENCE,
        vintage=VINTAGE, parse=parse, vintage_inferred=True, records=RECORDS,
        description="Epoch AI notable AI models (924 models, 1950 - Mar 2025), aggregated to "
        "country-year counts and in-year maximum training compute. Snapshot date inferred "
        "from the last publication date and the source commit (2025-04-18).",
        indicators=(MODELS, MAX_COMPUTE),
    ),
]
