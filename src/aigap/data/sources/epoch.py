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

from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy, to_numeric_checked
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
    "estimate are ignored. 2024-2025 incomplete.", licence=LICENCE,
    plausibility_waiver="the in-year maximum of a handful of models: a country's largest "
    "model moves by 100-1,000,000x from one year to the next (Switzerland 3.6e15 FLOP in "
    "2016, 8.4e20 in 2017, 4.1e17 in 2019)")


def _split_list(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).split(",") if p.strip()]


def read_models(path: Path) -> pd.DataFrame:
    """Model-level table: one row per model with ``countries`` as a list of ISO3 codes.

    Columns: model, domain, domains (list), organization, organization_category, countries
    (list, aggregates such as "Multinational" removed), multinational (bool),
    publication_date (datetime, NaT when blank), year (Int64), the numeric columns of
    :data:`NUMERIC` (float), the other text columns of :data:`TEXT` (``frontier_model`` as
    bool), and ``_row``.
    """
    path = Path(path)
    df = read_csv_checked(path, ["Model", COUNTRY, DATE, *NUMERIC, *TEXT])
    for col in NUMERIC:
        df[col] = to_numeric_checked(df[col], path, col, df["_row"])
    dates = pd.to_datetime(df[DATE].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna() & df[DATE].str.strip().ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"not a YYYY-MM-DD date: {df[DATE].iloc[i]!r}",
                              row=int(df["_row"].iloc[i]), column=DATE)
    # Map every distinct country token once; the error lists unknown names with a row.
    tokens = df[[COUNTRY, "_row"]].assign(name=df[COUNTRY].map(_split_list)).explode("name")
    tokens = tokens.dropna(subset=["name"]).drop_duplicates("name")
    codes = names_to_iso3(tokens["name"], file=path, column=COUNTRY, rows=tokens["_row"])
    lookup = dict(zip(tokens["name"], codes, strict=True))
    countries = df[COUNTRY].map(
        lambda c: list(dict.fromkeys(lookup[n] for n in _split_list(c) if lookup[n])))
    out = pd.DataFrame({new: df[old].str.strip() for old, new in TEXT.items()})
    out["frontier_model"] = out["frontier_model"].str.lower().eq("true")
    out["domains"] = df["Domain"].map(_split_list)
    out["countries"] = countries
    out["multinational"] = df[COUNTRY].map(lambda c: "Multinational" in _split_list(c))
    out["publication_date"] = dates
    out["year"] = dates.dt.year.astype("Int64")
    for old, new in NUMERIC.items():
        out[new] = df[old]
    out["_row"] = df["_row"]
    return out


def parse(path: Path) -> pd.DataFrame:
    """Country-year counts and in-year maximum training compute."""
    path = Path(path)
    models = read_models(path)
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


DATASETS: list[Dataset] = [
    Dataset(
        id="epoch_notable_models", publisher=PUBLISHER, relpath=RELPATH, licence=LICENCE,
        vintage=VINTAGE, parse=parse, vintage_inferred=True,
        description="Epoch AI notable AI models (924 models, 1950 - Mar 2025), aggregated to "
        "country-year counts and in-year maximum training compute. Snapshot date inferred "
        "from the last publication date and the source commit (2025-04-18).",
        indicators=(MODELS, MAX_COMPUTE),
    ),
]
