"""Epoch AI's late-2025 data bundle (``raw/epoch_ai_2025_12``): AI models and GPU clusters.

**AI models** (``ai_models/``): the notable (965), large-scale (>= 1e23 FLOP, 481) and
frontier (137) lists, read with :func:`aigap.data.sources.epoch.read_model_table` into the
same ``epoch_models`` record table as the April-2025 file (the country column is now
``Country (of organization)``). Country-year counts per list use **whole counting**: a model
whose organisations sit in k countries counts 1 for each of them (as the April indicator and
the AI Index do), so country counts add up to more than the number of models;
"Multinational" is not a country and is dropped. 2025 is incomplete (Epoch adds models with a
lag).

**GPU clusters** (``gpu_clusters/gpu_clusters.csv``, 786 records): Epoch records a cluster "at
a point in time" and adds a new record when it is upgraded, linking the two in ``Builds
Upon`` / ``Superseded by``. Records linked that way are one *site*, and a site counts once: at
each date, by its most recent record operational then (each record describes the whole
cluster at its date). Records enter the capacity figures when their certainty is Confirmed or
Likely and they are not flagged ``Possible Duplicate`` (e.g. "Paper on Llama 3.1", a view of
another record). Existing capacity is a year-end series from ``First Operational Date`` (and
``Decommissioned Date``); the snapshot year (2025) is the state of the snapshot, which also
counts existing clusters without a date. Planned capacity (snapshot year only) is, per site,
its largest planned record minus what the site already has. Epoch's own
``Include in Standard Analysis`` flag (existing, single cluster, no possible duplicate) is kept
as a column. The dataset covers an estimated 10-20% of AI chips: missing is "none recorded",
so nothing is zero-filled. Chinese systems are anonymised and rounded by Epoch.

``data_centers/`` and ``ml_hardware/`` are read by :mod:`aigap.data.sources.epoch_datacenters`
(country from the address, checked against the coordinates) and
:mod:`aigap.data.sources.epoch_hardware` (country of the designer).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources import epoch
from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import (
    Dataset,
    Indicator,
    RecordColumn,
    RecordSource,
    RecordTable,
    read_csv_checked,
    tidy,
)
from aigap.errors import DataFormatError

PUBLISHER = "Epoch AI"
LICENCE = "CC BY 4.0"
DIR = "raw/epoch_ai_2025_12"
MODELS_VINTAGE = "Epoch AI data bundle, late 2025 (models to 2025-11-24)"
CLUSTERS_VINTAGE = "Epoch AI GPU clusters, ~22 Oct 2025"
SNAPSHOT = pd.Timestamp("2025-10-22")  # Epoch's "last updated"; the latest operational date
INCOMPLETE_FROM = 2025
COUNTRY = "Country (of organization)"

# --- AI models -----------------------------------------------------------------------------
# Canonical columns per file (header -> name); a column a file lacks stays missing.
_COMMON = {"Model": "model", "Domain": "domain", "Organization": "organization",
           "Training hardware": "training_hardware", "Model accessibility":
           "model_accessibility", "Base model": "base_model", "Parameters": "parameters",
           "Training compute (FLOP)": "training_compute_flop",
           "Hardware quantity": "hardware_quantity"}
_RICH = {"Organization categorization": "organization_category",
         "Notability criteria": "notability_criteria", "Frontier model": "frontier_model",
         "Training compute cost (2023 USD)": "training_compute_cost_2023_usd"}
MODEL_FILES = {
    # list: (file, columns, (code, English, Korean, what))
    "notable": ("notable_ai_models.csv", {**_COMMON, **_RICH},
                ("notable_ai_models_epoch_2025_12", "Notable AI models (Epoch AI, late 2025)",
                 "주목할 만한 AI 모델 수(Epoch AI, 2025년 말)",
                 "Notable AI models (Epoch AI's notability criteria)")),
    "large_scale": ("large_scale_ai_models.csv",
                    {**_COMMON, "(DEPRECATED) Training dataset size (datapoints)":
                     "training_dataset_size"},
                    ("large_scale_ai_models_epoch_2025_12",
                     "Large-scale AI models, >= 1e23 FLOP (Epoch AI, late 2025)",
                     "대규모 AI 모델 수(1e23 FLOP 이상, Epoch AI)",
                     "AI models trained with at least 1e23 FLOP")),
    "frontier": ("frontier_ai_models.csv", {**_COMMON, **_RICH},
                 ("frontier_ai_models_epoch_2025_12", "Frontier AI models (Epoch AI, late 2025)",
                  "프런티어 AI 모델 수(Epoch AI)",
                  "Frontier AI models (in the top 10 by training compute when released)")),
}


def _count_indicator(list_name: str) -> Indicator:
    code, en, ko, what = MODEL_FILES[list_name][2]
    return Indicator(
        code=code, name_en=en, name_ko=ko, pillar="Research", direction=1, unit="count",
        description=f"{what} published in the year by organisations based in the country. "
        "Whole counting: a model of organisations in k countries counts 1 for each "
        "(multinational models are counted once per country named; 'Multinational' alone "
        "counts for none). 2025 incomplete.", licence=LICENCE)


COUNT_INDICATORS = {k: _count_indicator(k) for k in MODEL_FILES}


def _count_derive(list_name: str) -> Callable[[pd.DataFrame, Path], pd.DataFrame]:
    ind = COUNT_INDICATORS[list_name]

    def derive(models: pd.DataFrame, path: Path) -> pd.DataFrame:
        long = models[models["year"].notna()].explode("countries")
        long = long[long["countries"].notna()].rename(columns={"countries": "iso3"})
        g = long.groupby(["iso3", "year"], as_index=False).agg(
            count=("model", "size"), _row=("_row", "min"))
        g["year"] = g["year"].astype(int)
        note = pd.Series(np.where(g["year"] >= INCOMPLETE_FROM, "incomplete year: Epoch adds "
                                  "models with a lag", ""), index=g.index)
        return finish(tidy(g, indicator=ind.code, iso3=g["iso3"], year=g["year"],
                           value=g["count"].astype(float), unit=ind.unit, note=note), path)

    return derive


# --- GPU clusters ----------------------------------------------------------------------------
CLUSTERS_FILE = "gpu_clusters/gpu_clusters.csv"
STATUSES = ("Existing", "Planned", "Decommissioned")
CERTAINTIES = ("Confirmed", "Likely", "Unlikely", "")
COUNTABLE_CERTAINTY = ("Confirmed", "Likely")
CLUSTER_NUMERIC = {
    "H100 equivalents": "h100_equivalents", "Chip quantity (primary)": "chip_quantity",
    "Total number of AI chips": "total_ai_chips", "Power Capacity (MW)": "power_mw",
    "Hardware Cost": "hardware_cost_usd",
}
CLUSTER_TEXT = {
    "Status": "status", "Certainty": "certainty", "Single cluster?": "single_cluster",
    "Chip type (primary)": "chip_type", "Owner": "owner", "Sector": "sector",
    "Country": "country",
}
LINKS = {"Builds Upon": "builds_upon", "Superseded by": "superseded_by"}
DATES = {"First Operational Date": "first_operational_date",
         "Decommissioned Date (if applicable)": "decommissioned_date"}
FLAGS = {"Possible Duplicate": "possible_duplicate",
         "Include in Standard Analysis": "include_in_standard_analysis"}

CLUSTERS_TABLE = RecordTable(
    name="gpu_clusters",
    description="Epoch AI GPU clusters (AI supercomputers), one row per record; records of "
    "one site (upgrade phases) share `site`.",
    columns=(
        RecordColumn("name", "VARCHAR", "record name (stray surrounding quotes removed)"),
        RecordColumn("site", "VARCHAR", "the site: name of the first record of its chain of "
                     "Builds Upon / Superseded by links (with its row if the name is shared)"),
        RecordColumn("status", "VARCHAR", "Existing, Planned or Decommissioned"),
        RecordColumn("certainty", "VARCHAR", "Confirmed, Likely or Unlikely"),
        RecordColumn("single_cluster", "VARCHAR", "Yes, No (several clusters) or Unclear"),
        RecordColumn("h100_equivalents", "DOUBLE", "performance in H100 equivalents"),
        RecordColumn("chip_type", "VARCHAR", "primary chip"),
        RecordColumn("chip_quantity", "DOUBLE", "number of primary chips"),
        RecordColumn("total_ai_chips", "DOUBLE", "all AI chips"),
        RecordColumn("country", "VARCHAR", "country as published (blank: unknown)"),
        RecordColumn("iso3", "VARCHAR", "ISO3 code (NULL: unknown location)"),
        RecordColumn("owner", "VARCHAR", "owner(s)"),
        RecordColumn("sector", "VARCHAR", "Private, Public or Public/Private"),
        RecordColumn("first_operational_date", "DATE", "first operational date"),
        RecordColumn("decommissioned_date", "DATE", "decommissioned (first of the month when "
                     "only the month is published)"),
        RecordColumn("power_mw", "DOUBLE", "power capacity, MW"),
        RecordColumn("hardware_cost_usd", "DOUBLE", "hardware cost, US$"),
        RecordColumn("builds_upon", "VARCHAR", "record this one upgrades"),
        RecordColumn("superseded_by", "VARCHAR", "record that upgrades this one"),
        RecordColumn("possible_duplicate", "BOOLEAN", "Epoch flags a possible duplicate"),
        RecordColumn("include_in_standard_analysis", "BOOLEAN", "Epoch's standard subset"),
        RecordColumn("countable", "BOOLEAN", "enters aigap's capacity figures (Confirmed or "
                     "Likely, not a possible duplicate)"),
    ),
)


def _clean_name(s: pd.Series) -> pd.Series:
    return s.str.strip().str.strip('"').str.strip()


def _dates(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    """YYYY-MM-DD, YYYY-MM or YYYY (first day of the period); blank = NaT."""
    s = df[col].str.strip()
    out = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for fmt, pat in (("%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"), ("%Y-%m", r"\d{4}-\d{2}"),
                     ("%Y", r"\d{4}")):
        sel = s.str.fullmatch(pat)
        out[sel] = pd.to_datetime(s[sel], format=fmt, errors="coerce")
    bad = out.isna() & s.ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"not a date: {s.iloc[i]!r}", row=int(df["_row"].iloc[i]),
                              column=col)
    return out


def _choice(df: pd.DataFrame, col: str, allowed: tuple[str, ...], path: Path) -> pd.Series:
    s = df[col].str.strip()
    bad = ~s.isin(allowed)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"{s.iloc[i]!r} is not one of {[a for a in allowed if a]}",
                              row=int(df["_row"].iloc[i]), column=col)
    return s


def assign_sites(names: pd.Series, links: pd.DataFrame, dates: pd.Series, path: Path,
                 rows: pd.Series) -> pd.Series:
    """Site of each record: connected records (by the link columns) share the name of the
    earliest (by date, then name) record of their group.

    A link to a name no record has (a phase not in the data) links nothing; a link to a name
    several records share would make "count a site once" ambiguous and is an error.
    """
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    counts = names.value_counts()
    index = {n: i for i, n in enumerate(names) if counts[n] == 1}
    for col in links.columns:
        for i, ref in enumerate(links[col]):
            if not ref:
                continue
            if counts.get(ref, 0) > 1:
                raise DataFormatError(path, f"link {ref!r} names {counts[ref]} records; a link "
                                      "must name one", row=int(rows.iloc[i]), column=col)
            j = index.get(ref)
            if j is not None:
                parent[find(i)] = find(j)
    root = np.array([find(i) for i in range(len(names))])
    # a name several records share ("Anonymized Chinese System") is told apart by its row
    label = [n if counts[n] == 1 else f"{n} (row {r})" for n, r in zip(names, rows,
                                                                        strict=True)]
    order = pd.DataFrame({"root": root, "date": dates.to_numpy(), "name": label})
    first = order.sort_values(["date", "name"], na_position="last").groupby("root")["name"].first()
    return pd.Series(first.reindex(root).to_numpy(), index=names.index)


def read_clusters(path: Path) -> pd.DataFrame:
    """The GPU-cluster records, checked, with ISO3 codes and sites."""
    path = Path(path)
    df = read_csv_checked(path, ["Name", *CLUSTER_NUMERIC, *CLUSTER_TEXT, *LINKS, *DATES,
                                 *FLAGS], numeric=CLUSTER_NUMERIC)
    out = pd.DataFrame({"name": _clean_name(df["Name"])}, index=df.index)
    for old, new in CLUSTER_TEXT.items():
        out[new] = df[old].str.strip()
    out["status"] = _choice(df, "Status", STATUSES, path)
    out["certainty"] = _choice(df, "Certainty", CERTAINTIES, path)
    for old, new in CLUSTER_NUMERIC.items():
        out[new] = df[old]
    neg = (out[list(CLUSTER_NUMERIC.values())] < 0).any(axis=1)
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        raise DataFormatError(path, "negative quantity", row=int(df["_row"].iloc[i]))
    for old, new in DATES.items():
        out[new] = _dates(df, old, path)
    for old, new in LINKS.items():
        out[new] = _clean_name(df[old])
    for old, new in FLAGS.items():
        out[new] = _choice(df, old, ("True", "False", ""), path).eq("True")
    has_country = out["country"].ne("")
    iso = names_to_iso3(out.loc[has_country, "country"], file=path, column="Country",
                        rows=df.loc[has_country, "_row"])
    out["iso3"] = None
    out.loc[has_country, "iso3"] = iso.replace("", None)
    out["country"] = out["country"].replace("", None)
    out["site"] = assign_sites(out["name"], out[list(LINKS.values())],
                               out["first_operational_date"], path, df["_row"])
    out["countable"] = (out["certainty"].isin(COUNTABLE_CERTAINTY)
                        & ~out["possible_duplicate"])
    out["_row"] = df["_row"]
    return out


def _site_state(recs: pd.DataFrame, at: pd.Timestamp | None) -> pd.DataFrame:
    """Each site's most recent countable record operational at ``at`` (None: the snapshot,
    status Existing whatever the date)."""
    if at is None:
        ok = recs["countable"] & recs["status"].eq("Existing")
    else:
        ok = (recs["countable"] & recs["status"].ne("Planned")
              & recs["first_operational_date"].le(at) & ~recs["decommissioned_date"].le(at))
    live = recs[ok].sort_values(["first_operational_date", "name"], na_position="first")
    return live.groupby("site", sort=False).tail(1)


def cluster_table(recs: pd.DataFrame, snapshot: pd.Timestamp = SNAPSHOT) -> pd.DataFrame:
    """Per country and year: existing H100e, share of the world, largest single cluster,
    power (MW) and (snapshot year) planned H100e. Pure: records in, tidy-ish frame out."""
    dated = recs["first_operational_date"].dropna()
    if dated.empty:
        return pd.DataFrame(columns=["iso3", "year", "existing", "share", "largest", "power",
                                     "planned", "_row"])
    years = range(int(dated.dt.year.min()), snapshot.year + 1)
    rows = []
    for year in years:
        at = None if year == snapshot.year else pd.Timestamp(f"{year}-12-31")
        state = _site_state(recs, at)
        world = state["h100_equivalents"].sum()
        known = state[state["iso3"].notna()]
        g = known.groupby("iso3")
        single = known[known["single_cluster"].eq("Yes")].groupby("iso3")["h100_equivalents"]
        per = pd.DataFrame({
            "existing": g["h100_equivalents"].sum(min_count=1),
            "largest": single.max(),
            "power": g["power_mw"].sum(min_count=1),
            "_row": g["_row"].min(),
        })
        per["share"] = per["existing"] / world * 100 if world > 0 else np.nan
        per["year"] = year
        rows.append(per)
    out = pd.concat(rows).rename_axis("iso3").reset_index()
    planned = recs[recs["countable"] & recs["status"].eq("Planned")]
    if len(planned):
        now = _site_state(recs, None).set_index("site")["h100_equivalents"]
        top = planned.sort_values("h100_equivalents", ascending=False).groupby("site").head(1)
        top = top[top["iso3"].notna()]
        extra = (top["h100_equivalents"] - top["site"].map(now).fillna(0)).clip(lower=0)
        add = top.assign(planned=extra).groupby("iso3").agg(planned=("planned", "sum"),
                                                            _row_p=("_row", "min"))
        add["year"] = snapshot.year
        out = out.merge(add.reset_index(), on=["iso3", "year"], how="outer")
        out["_row"] = out["_row"].fillna(out.pop("_row_p"))
    else:
        out["planned"] = np.nan
    return out.sort_values(["iso3", "year"]).reset_index(drop=True)


def _cluster_ind(code: str, en: str, ko: str, unit: str, desc: str) -> Indicator:
    return Indicator(
        code=code, name_en=en, name_ko=ko, pillar="Infrastructure & Compute", direction=1,
        unit=unit, licence=LICENCE,
        description=desc + " Sites (records linked by Builds Upon / Superseded by) count "
        "once, at their most recent record; Confirmed or Likely records that are not possible "
        "duplicates. Year = state at 31 December; 2025 = the snapshot (~22 Oct 2025, incl. "
        "existing clusters without a date). Epoch covers an estimated 10-20% of AI chips.")


CLUSTER_INDICATORS = {
    "existing": _cluster_ind(
        "gpu_cluster_h100e", "GPU cluster capacity, existing (H100 equivalents)",
        "GPU 클러스터 연산 용량(H100 환산, 가동 중)", "H100 equivalents",
        "Sum of the H100-equivalent performance of the country's operational GPU clusters."),
    "share": _cluster_ind(
        "gpu_cluster_h100e_share", "Share of world GPU cluster capacity",
        "세계 GPU 클러스터 용량 점유율", "% of world H100 equivalents",
        "The country's existing H100 equivalents over the world's (clusters of unknown "
        "location included in the world total), in percent."),
    "largest": _cluster_ind(
        "gpu_cluster_largest_h100e", "Largest single GPU cluster (H100 equivalents)",
        "최대 단일 GPU 클러스터(H100 환산)", "H100 equivalents",
        "H100 equivalents of the country's largest operational record marked a single "
        "cluster (Single cluster? = Yes)."),
    "power": _cluster_ind(
        "gpu_cluster_power_mw", "GPU cluster power capacity, existing (MW)",
        "GPU 클러스터 전력 용량(MW, 가동 중)", "MW",
        "Sum of the power capacity of the country's operational GPU clusters; clusters "
        "without a power figure are left out of the sum."),
    "planned": _cluster_ind(
        "gpu_cluster_h100e_planned", "GPU cluster capacity, planned additions (H100 "
        "equivalents)", "GPU 클러스터 계획 용량(H100 환산, 추가분)", "H100 equivalents",
        "Planned additions: per site, its largest planned record minus what the site already "
        "operates, summed over the country's sites (snapshot year only)."),
}


def derive_clusters(recs: pd.DataFrame, path: Path) -> pd.DataFrame:
    tab = cluster_table(recs)
    tab["_row"] = tab["_row"].astype("Int64")
    parts = []
    for key, ind in CLUSTER_INDICATORS.items():
        note = pd.Series(np.where(tab["year"] == SNAPSHOT.year,
                                  f"as of the snapshot ({SNAPSHOT.date()})", ""),
                         index=tab.index)
        parts.append(tidy(tab, indicator=ind.code, iso3=tab["iso3"], year=tab["year"],
                          value=tab[key].astype(float), unit=ind.unit, note=note))
    return finish(pd.concat(parts, ignore_index=True), path)


CLUSTERS = RecordSource(CLUSTERS_TABLE, read_clusters, derive_clusters)


def _models_dataset(list_name: str) -> Dataset:
    file, columns, _ = MODEL_FILES[list_name]
    src = RecordSource(epoch.MODELS_TABLE, epoch.model_records(list_name, COUNTRY, columns),
                       _count_derive(list_name))
    n = {"notable": 965, "large_scale": 481, "frontier": 137}[list_name]
    return Dataset(
        id=f"epoch_2025_12_{list_name}_models", publisher=f"{PUBLISHER}, Data on AI Models",
        relpath=f"{DIR}/ai_models/{file}", licence=LICENCE, vintage=MODELS_VINTAGE,
        parse=src.parse, records=src, vintage_inferred=True,
        description=f"Epoch AI {list_name.replace('_', '-')} models ({n} in the mirror), kept "
        "as records (table epoch_models) and counted per country-year (whole counting).",
        indicators=(COUNT_INDICATORS[list_name],))


DATASETS: list[Dataset] = [
    *(_models_dataset(k) for k in MODEL_FILES),
    Dataset(
        id="epoch_2025_12_gpu_clusters", publisher=f"{PUBLISHER}, Data on GPU Clusters",
        relpath=f"{DIR}/{CLUSTERS_FILE}", licence=LICENCE, vintage=CLUSTERS_VINTAGE,
        parse=CLUSTERS.parse, records=CLUSTERS, vintage_inferred=True,
        description="Epoch AI GPU clusters (786 records), kept as records (table "
        "gpu_clusters); per country and year: existing H100 equivalents (each site once), "
        "share of the world, largest single cluster, power, and planned additions.",
        indicators=tuple(CLUSTER_INDICATORS.values())),
]
