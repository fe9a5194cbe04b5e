"""Benchmark of the CLI's start-up: wall time of whole processes, as a user runs them.

Rows: ``python -c pass`` (the baseline, in the same run), ``python -c "import aigap.cli"``,
``aigap --help``, ``aigap gap KOR --vs USA -i private_ai_investment`` and ``aigap rank`` (both
on a warehouse: $AIGAP_DB, $AIGAP_HOME/warehouse.duckdb or --db; skipped without one).
Targets: ``aigap --help`` < 0.3 s, ``aigap gap`` < 0.8 s. Each process runs ``--repeat`` times
after a warm-up; the table shows the median and the minimum, and the median above baseline.

Run: ``.venv/bin/python benchmarks/bench_cli.py [--repeat 7] [--db PATH]``; writes
benchmarks/results/bench_cli.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report, timeit

TARGETS_S = {"aigap --help": 0.3, "aigap gap": 0.8}
# The CLI as the console script runs it (`aigap = aigap.cli:main`), without relying on PATH.
AIGAP = [sys.executable, "-c", "import sys; from aigap.cli import main; sys.argv[0] = 'aigap'; "
         "main()"]


def _warehouse(db: str | None) -> Path | None:
    if db:
        return Path(db)
    if os.environ.get("AIGAP_DB"):
        return Path(os.environ["AIGAP_DB"])
    home = Path(os.environ.get("AIGAP_HOME", Path.home() / ".aigap"))
    path = home / "warehouse.duckdb"
    return path if path.exists() else None


def _run(argv: list[str]) -> None:
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--db", default=None, help="warehouse for `aigap gap` and `aigap rank`")
    args = ap.parse_args()
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("import aigap.cli", [sys.executable, "-c", "import aigap.cli"]),
        ("aigap --help", [*AIGAP, "--help"]),
    ]
    db = _warehouse(args.db)
    if db is not None and db.exists():
        cases += [("aigap gap", [*AIGAP, "--db", str(db), "gap", "KOR", "--vs", "USA", "-i",
                                 "private_ai_investment", "--years", "2023"]),
                  ("aigap rank", [*AIGAP, "--db", str(db), "rank"])]
    else:
        print("no warehouse (run `aigap data pull` or pass --db): gap and rank skipped")
    rows: list[dict[str, Any]] = []
    base = None
    started = time.time()
    for name, argv in cases:
        t = timeit(lambda argv=argv: _run(argv), repeat=args.repeat)
        base = t["median_s"] if base is None else base
        target = TARGETS_S.get(name)
        rows.append({"case": name, "median_s": t["median_s"], "min_s": t["min_s"],
                     "above_baseline_s": t["median_s"] - base, "target_s": target,
                     "meets_target": None if target is None else t["median_s"] < target})
    out = report("bench_cli", rows, {"repeat": args.repeat, "warehouse": str(db),
                                     "load_1min": os.getloadavg()[0],
                                     "seconds": time.time() - started})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
