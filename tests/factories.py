"""Build small data mirrors in the published formats, for tests that must control the bytes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

TORTOISE = "raw/tortoise_global_ai_index/AI_index_db.csv"
OWID_INV = "raw/owid_cset_ai/private-investment-in-artificial-intelligence-cset.csv"
WB_GDP = "raw/world_bank_wdi/gdp_current_usd.csv"
DATASETS = ["tortoise_global_ai_index", "owid_cset_private_ai_investment", "wb_gdp_current_usd"]

TORTOISE_HEADER = ("Country,Talent,Infrastructure,Operating Environment,Research,Development,"
                   "Government Strategy,Commercial,Total score,Region,Cluster,Income group,"
                   "Political regime")
TORTOISE_ROWS = [
    "United States of America,100,94.02,64.56,100,100,77.39,100,100,Americas,Power players,"
    "High,Liberal democracy",
    "China,16.51,100,91.57,71.42,79.97,94.87,44.02,62.92,Asia-Pacific,Power players,"
    "Upper middle,Closed autocracy",
    "South Korea,25.1,87.3,71.1,36.4,41.5,85.6,14.6,40.3,Asia-Pacific,Traditional champions,"
    "High,Liberal democracy",
]
OWID_HEADER = "Entity,Code,Year,Estimated investment - Field: All"
OWID_ROWS = [
    "China,CHN,2022,11970000000", "China,CHN,2023,9121000000",
    "South Korea,KOR,2022,2441604948", "South Korea,KOR,2023,2605634733",
    "United States,USA,2022,80890000000", "United States,USA,2023,77650000000",
    "World,OWID_WRL,2023,120000000000",
]
WB_HEADER = "iso3,year,country_name,value,wb_indicator,canonical_name"
WB_ROWS = [
    'KOR,2023,"Korea, Rep.",1712792854202.4,NY.GDP.MKTP.CD,gdp_current_usd',
    "USA,2023,United States,27720709000000,NY.GDP.MKTP.CD,gdp_current_usd",
    "CHN,2023,China,18270356654533.2,NY.GDP.MKTP.CD,gdp_current_usd",
]


def write(root: Path, relpath: str, header: str, rows: list[str]) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def make_mirror(root: Path) -> Path:
    """A valid three-dataset mirror under ``root``."""
    write(root, TORTOISE, TORTOISE_HEADER, TORTOISE_ROWS)
    write(root, OWID_INV, OWID_HEADER, OWID_ROWS)
    write(root, WB_GDP, WB_HEADER, WB_ROWS)
    return root


TABLES = ["observations", "indicators", "countries", "memberships", "sources"]


def snapshot(db: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in TABLES:
            df = con.execute(f"SELECT * FROM {t}").df()
            if t == "sources":
                df = df.drop(columns=["loaded_at"])
            out[t] = df.sort_values(list(df.columns[:3])).reset_index(drop=True)
        return out
    finally:
        con.close()


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)
