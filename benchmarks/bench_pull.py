"""Time a pull of the local mirror: into a fresh warehouse and again over an existing one,
with the parse cache (files parsed and checked before by the same code are not parsed again)
and without it (every file parsed, as before the cache existed).

Baseline in the same run: reading the same files with plain pandas (no checks, no
warehouse): every file of a dataset, the files of folder datasets and the extra files a
parser reads, so the ratio says what validation, harmonisation and the transactional write
cost on top of raw I/O. ``BENCH_REPEAT`` sets the runs per case (default 5).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import report, timeit

from aigap import config
from aigap.data.sources import all_datasets
from aigap.data.warehouse import pull


def files_read(data_dir: Path) -> list[Path]:
    """Every data file a pull reads: each dataset's file (or its folder's files) and extras."""
    out: list[Path] = []
    for ds in all_datasets():
        p = data_dir / ds.relpath
        out += sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        out += [data_dir / e for e in ds.extra_files]
    return list(dict.fromkeys(q for q in out if q.suffix in (".csv", ".xlsx", ".xls")))


def raw_read(paths: list[Path]) -> None:
    for p in paths:
        if p.suffix in (".xlsx", ".xls"):
            pd.read_excel(p, sheet_name=None, header=None, dtype=str)
        else:
            pd.read_csv(p, dtype=str, encoding_errors="replace", on_bad_lines="skip")


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    data_dir = config.data_dir()
    paths = files_read(data_dir)
    tmp = Path(tempfile.mkdtemp())
    cache = config.cache_dir() / "pull"

    def fresh(parse_cache: bool) -> None:
        db = tmp / "fresh.duckdb"
        db.unlink(missing_ok=True)
        if not parse_cache:
            shutil.rmtree(cache, ignore_errors=True)
        pull(db_path=db, data_dir=data_dir, parse_cache=parse_cache)

    def again(parse_cache: bool) -> None:
        pull(db_path=tmp / "again.duckdb", data_dir=data_dir, parse_cache=parse_cache)

    base = timeit(lambda: raw_read(paths), repeat=repeat)
    cases = [
        ("full pull into a new warehouse, every file parsed", lambda: fresh(False)),
        ("full pull into a new warehouse, parse cache warm", lambda: fresh(True)),
        ("pull again over an existing warehouse, every file parsed", lambda: again(False)),
        ("pull again over an existing warehouse, parse cache warm", lambda: again(True)),
    ]
    rows = [{"case": f"baseline: pandas read of the {len(paths)} files", **base, "ratio": 1.0}]
    for name, fn in cases:
        t = timeit(fn, repeat=repeat)
        rows.append({"case": name, **t, "ratio": t["median_s"] / base["median_s"]})
    t0 = time.perf_counter()
    loaded = pull(db_path=tmp / "last.duckdb", data_dir=data_dir).rows
    rows_s = time.perf_counter() - t0
    report("bench_pull", rows, {"datasets": len(all_datasets()), "files": len(paths),
                                "observations": loaded, "last_pull_s": rows_s,
                                "cpus": os.cpu_count(), "load_avg": os.getloadavg()})


if __name__ == "__main__":
    main()
