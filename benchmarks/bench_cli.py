"""Benchmark of the CLI's start-up: whole processes, as a user runs them.

Rows: ``python -c pass`` (the baseline, in the same run), ``python -c "import pandas,
duckdb"`` (the libraries a warehouse command cannot do without: a floor for `gap`),
``import aigap.cli``, ``aigap --help``, ``aigap gap KOR --vs USA -i private_ai_investment`` and
``aigap rank`` (both on a warehouse: --db, $AIGAP_DB or $AIGAP_HOME/warehouse.duckdb; skipped
without one). Targets: ``aigap --help`` < 0.3 s, ``aigap gap`` < 0.8 s.

Each case runs ``--repeat`` times after a warm-up, the cases interleaved (one round runs every
case once), so that a change in the machine's load touches all of them alike. Per case: wall
time (min and median) and CPU time of the process (user + system, from the OS's accounting of
the child: what the process itself costs, less sensitive to other processes than wall time on
a shared machine), and the minimum wall time as a multiple of the baseline's. On a loaded
machine take the minimum: it is the run least delayed by others.

Run: ``.venv/bin/python benchmarks/bench_cli.py [--repeat 7] [--db PATH]``; writes
benchmarks/results/bench_cli.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

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


def _run(argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--db", default=None, help="warehouse for `aigap gap` and `aigap rank`")
    args = ap.parse_args()
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("import pandas, duckdb", [sys.executable, "-c", "import pandas, duckdb"]),
        ("import aigap.cli", [sys.executable, "-c", "import aigap.cli"]),
        ("aigap --help", [*AIGAP, "--help"]),
    ]
    db = _warehouse(args.db)
    if db is not None and db.exists():
        cases += [("aigap gap", [*AIGAP, "--db", str(db), "gap", "KOR", "--vs", "USA", "-i",
                                 "private_ai_investment"]),
                  ("aigap rank", [*AIGAP, "--db", str(db), "rank"])]
    else:
        print("no warehouse (run `aigap data pull` or pass --db): gap and rank skipped")
    started = time.time()
    load_before = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in cases}
    for _, argv in cases:  # warm-up: the OS's file cache, Python's bytecode cache
        _run(argv)
    for _ in range(args.repeat):
        for name, argv in cases:
            times[name].append(_run(argv))
    base = min(w for w, _ in times["python -c pass"])
    rows: list[dict[str, Any]] = []
    for name, _ in cases:
        walls = [w for w, _ in times[name]]
        cpus = [c for _, c in times[name]]
        target = TARGETS_S.get(name)
        rows.append({"case": name, "min_s": min(walls), "median_s": statistics.median(walls),
                     "cpu_min_s": min(cpus), "cpu_median_s": statistics.median(cpus),
                     "min_x_baseline": min(walls) / base, "target_s": target,
                     "meets_target_min": None if target is None else min(walls) < target})
    out = report("bench_cli", rows, {"repeat": args.repeat, "warehouse": str(db),
                                     "load_1min_before": load_before,
                                     "load_1min_after": os.getloadavg()[0],
                                     "cores": os.cpu_count(),
                                     "seconds": time.time() - started})
    print(f"load average (1 min) {load_before:.1f} -> {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; wrote {out}")


if __name__ == "__main__":
    main()
