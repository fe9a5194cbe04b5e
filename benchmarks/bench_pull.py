"""Time a full pull of the local mirror into a fresh warehouse.

Baseline in the same run: reading the same files with plain ``pandas.read_csv`` (no checks,
no warehouse), so the ratio says what validation, harmonisation and the transactional write
cost on top of raw I/O.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from _common import report, timeit

from aigap import config
from aigap.data.sources import all_datasets
from aigap.data.warehouse import pull


def main() -> None:
    data_dir = config.data_dir()
    datasets = all_datasets()
    tmp = Path(tempfile.mkdtemp())

    def full_pull() -> None:
        db = tmp / "wh.duckdb"
        db.unlink(missing_ok=True)
        pull(db_path=db, data_dir=data_dir)

    def re_pull() -> None:
        pull(db_path=tmp / "wh2.duckdb", data_dir=data_dir)

    def raw_read() -> None:
        for ds in datasets:
            p = data_dir / ds.relpath
            if p.is_file() and p.suffix == ".xlsx":
                pd.read_excel(p, sheet_name=None, header=None, dtype=str)
            elif p.is_file():
                pd.read_csv(p, dtype=str, encoding_errors="replace")

    base = timeit(raw_read, repeat=5)
    fresh = timeit(full_pull, repeat=5)
    again = timeit(re_pull, repeat=5)
    rows_loaded = pull(db_path=tmp / "wh3.duckdb", data_dir=data_dir).rows
    rows = [
        {"case": "baseline: pandas.read_csv of every file", **base, "ratio": 1.0},
        {"case": "full pull into a new warehouse", **fresh,
         "ratio": fresh["median_s"] / base["median_s"]},
        {"case": "pull again over an existing warehouse", **again,
         "ratio": again["median_s"] / base["median_s"]},
    ]
    report("bench_pull", rows, {"datasets": len(datasets), "observations": rows_loaded})


if __name__ == "__main__":
    main()
