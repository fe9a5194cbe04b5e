"""Epoch AI's ML hardware database (``raw/epoch_ai_2025_12/ml_hardware/ml_hardware.csv``).

One row per ML accelerator (170 in late 2025: GPUs, TPUs, NPUs ...): designer
(``Manufacturer``), type, release date and price, performance at each precision, memory,
bandwidth, TDP, process node, foundry. Kept whole as the record table ``ml_hardware``.

The file has no country column. The **designer's country** comes from :data:`DESIGNERS`, a
reviewed table of the designers in the file (the organisation's headquarters, e.g. Huawei ->
CHN, PEZY -> JPN); a designer not in the table stops the pull naming the row, so a new
designer is classified by a person, never guessed. A row without a designer (one in late
2025) is kept with ``designer_iso3`` NULL and not counted.

**Indicator** ``ml_accelerators_designed``: accelerators released in the year by designers
headquartered in the country. It is meaningful as a *capability* measure the other compute
indicators miss: TOP500, GPU clusters and data centres count where chips are *installed*;
this counts who *designs* them (chip design is the scarce, export-controlled layer, and the
one where the US-China race is visible: Huawei, Cambricon, Kunlunxin ...). Its limits are
stated in the catalogue: Epoch's selection (accelerators used in notable training runs, plus
major data-centre parts), so a country absent (Korea in late 2025: no Rebellions or
FuriosaAI part is listed) is "none tracked", not zero, and a count says nothing about
performance or volume. Epoch's derived columns (``Max performance``, ``Energy efficiency``,
``Price-performance`` (``inf`` without a price), ``ML OP/s``) are not kept: they are functions
of the published ones.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import (
    Dataset,
    Indicator,
    RecordColumn,
    RecordSource,
    RecordTable,
    check_non_negative,
    raise_first,
    read_csv_checked,
    tidy,
)
from aigap.data.sources.epoch2025 import DIR, LICENCE, PUBLISHER, _dates

FILE = "ml_hardware/ml_hardware.csv"
VINTAGE = "Epoch AI ML hardware, ~Dec 2025"

# Designer (as Epoch spells it) -> country of its headquarters. Reviewed by hand: extend it
# when a new designer appears (the pull names the row).
DESIGNERS: dict[str, str] = {
    "NVIDIA": "USA", "AMD": "USA", "Intel": "USA", "Google": "USA", "Amazon AWS": "USA",
    "Meta": "USA", "Microsoft": "USA", "Tesla": "USA",
    "Huawei": "CHN", "Kunlunxin Baidu": "CHN", "Cambricon": "CHN", "MetaX": "CHN",
    "Iluvatar CoreX": "CHN", "National University of Defense Technology": "CHN",
    "Sunway": "CHN", "Moore Threads (Tencent)": "CHN", "Biren": "CHN", "Hygon": "CHN",
    "Alibaba": "CHN",
    "PEZY": "JPN",
}

NUMERIC = {
    "Release price (USD)": "release_price_usd",
    "FP64 (double precision) performance (FLOP/s)": "fp64_flops",
    "FP32 (single precision) performance (FLOP/s)": "fp32_flops",
    "FP16 (half precision) performance (FLOP/s)": "fp16_flops",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "tf32_flops",
    "Tensor-FP16/BF16 performance (FLOP/s)": "tensor_fp16_bf16_flops",
    "FP8 performance (FLOP/s)": "fp8_flops",
    "FP4 performance (FLOP/s)": "fp4_flops",
    "INT8 performance (OP/s)": "int8_ops",
    "Memory size per board (Byte)": "memory_bytes",
    "Memory bandwidth (byte/s)": "memory_bandwidth_bytes_s",
    "Intranode bandwidth (byte/s)": "intranode_bandwidth_bytes_s",
    "Internode bandwidth (bit/s)": "internode_bandwidth_bits_s",
    "TDP (W)": "tdp_w",
    "Process size (nm)": "process_nm",
    "Transistors (millions)": "transistors_millions",
    "Die Size (mm^2)": "die_size_mm2",
}
TEXT = {"Hardware name": "name", "Manufacturer": "designer", "Type": "type",
        "Foundry": "foundry"}

TABLE = RecordTable(
    name="ml_hardware",
    description="Epoch AI ML hardware: one row per accelerator, with its designer's country.",
    columns=(
        RecordColumn("name", "VARCHAR", "hardware name"),
        RecordColumn("designer", "VARCHAR", "designer (Epoch's Manufacturer column)"),
        RecordColumn("designer_iso3", "VARCHAR", "country of the designer's headquarters "
                     "(aigap's reviewed table; NULL: no designer given)"),
        RecordColumn("type", "VARCHAR", "GPU, TPU, NPU ... as published"),
        RecordColumn("release_date", "DATE", "release date"),
        *(RecordColumn(new, "DOUBLE", old) for old, new in NUMERIC.items()),
        RecordColumn("foundry", "VARCHAR", "foundry (e.g. TSMC, Samsung, SMIC)"),
    ),
    country="designer_iso3",
)


def read_hardware(path: Path) -> pd.DataFrame:
    """The accelerators, checked, with the designer's country."""
    path = Path(path)
    df = read_csv_checked(path, [*TEXT, "Release date"], numeric=NUMERIC)
    out = pd.DataFrame({new: df[old].str.strip() for old, new in TEXT.items()},
                       index=df.index)
    raise_first(out["name"].eq(""), df["_row"], path, "accelerator without a name",
                "Hardware name")
    out["release_date"] = _dates(df, "Release date", path)
    for old, new in NUMERIC.items():
        out[new] = df[old]
    check_non_negative(out, NUMERIC.values(), df["_row"], path)
    given = out["designer"].ne("")
    raise_first(given & ~out["designer"].isin(DESIGNERS), df["_row"], path,
                lambda i: f"designer {out['designer'].iloc[i]!r} has no country in aigap's "
                "table; add it to aigap.data.sources.epoch_hardware.DESIGNERS", "Manufacturer")
    out["designer_iso3"] = out["designer"].map(DESIGNERS).where(given, None)
    out["designer"] = out["designer"].replace("", None)
    for col in ("type", "foundry"):
        out[col] = out[col].replace("", None)
    out["_row"] = df["_row"]
    return out


DESIGNED = Indicator(
    code="ml_accelerators_designed", name_en="ML accelerators designed (Epoch AI)",
    name_ko="설계한 ML 가속기 수(Epoch AI)", pillar="Infrastructure & Compute", direction=1,
    unit="count", licence=LICENCE,
    description="ML accelerators (GPUs, TPUs, NPUs ...) released in the year by designers "
    "headquartered in the country (designer -> country: aigap's reviewed table). Epoch AI's "
    "selection (accelerators of notable training runs and major data-centre parts): a "
    "country absent is 'none tracked', not zero; counts, not performance or volume. "
    "Accelerators without a release date or designer are not counted.")


def derive_hardware(recs: pd.DataFrame, path: Path) -> pd.DataFrame:
    ok = recs[recs["designer_iso3"].notna() & recs["release_date"].notna()]
    g = ok.assign(year=ok["release_date"].dt.year).groupby(["designer_iso3", "year"])
    tab = g.agg(count=("name", "size"), _row=("_row", "min")).reset_index()
    return finish(tidy(tab, indicator=DESIGNED.code, iso3=tab["designer_iso3"],
                       year=tab["year"].astype(int), value=tab["count"].astype(float),
                       unit=DESIGNED.unit), path)


HARDWARE = RecordSource(TABLE, read_hardware, derive_hardware)

DATASETS: list[Dataset] = [
    Dataset(
        id="epoch_2025_12_ml_hardware", publisher=f"{PUBLISHER}, Data on Machine Learning "
        "Hardware", relpath=f"{DIR}/{FILE}", licence=LICENCE, vintage=VINTAGE,
        parse=HARDWARE.parse, records=HARDWARE, vintage_inferred=True,
        description="Epoch AI ML hardware (170 accelerators), kept as records (table "
        "ml_hardware, designer's country from aigap's reviewed table); accelerators designed "
        "per country and release year.",
        indicators=(DESIGNED,)),
]
