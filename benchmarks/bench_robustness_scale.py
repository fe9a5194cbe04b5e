"""Robustness at scale: 10^6 and 10^7 replications, peak memory, local threads vs Dask.

Each case runs in a fresh process (``python bench_robustness_scale.py --case NAME``) that
reports its wall time, CPU time and peak RSS (``ru_maxrss``), so memory is the case's own.

* ``1e6-raw``: 10^6 replications keeping every replication (``keep_replications=True``):
  the memory baseline (what every run kept before the streaming tallies).
* ``1e6``: 10^6 replications, streaming tallies, 2 local threads.
* ``1e6-dask``: the same on a Dask LocalCluster of 2 worker processes (workers return
  per-chunk tallies of a few kB, not replications). Same seed, same numbers: checked.
* ``1e7``: 10^7 replications, streaming (score quantiles from the sketch). Target: peak RSS
  < 500 MB.

Run: ``.venv/bin/python benchmarks/bench_robustness_scale.py``; writes
benchmarks/results/bench_robustness_scale.json.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import blas_info, report

SPEC, SEED = "asem-treated", 1
CASES = {"1e6-raw": (10**6, "local", True), "1e6": (10**6, "local", False),
         "1e6-dask": (10**6, "dask", False), "1e7": (10**7, "local", False)}


def run_case(name: str) -> None:
    from aigap.analysis.uncertainty.robustness import prepare, robustness
    from aigap.mc import DaskBackend, LocalBackend

    n, backend, keep = CASES[name]
    st = prepare(SPEC)
    be = DaskBackend("local", workers=2) if backend == "dask" else LocalBackend(2)
    w0, c0 = time.perf_counter(), time.process_time()
    res = robustness(SPEC, n=n, seed=SEED, setup=st, backend=be, keep_replications=keep)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    t0 = time.perf_counter()
    df = res.to_frame()
    summ = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": name, "n": n, "backend": backend, "keep_replications": keep,
                      "wall_s": wall, "cpu_s_driver": cpu, "per_rep_us": wall / n * 1e6,
                      "to_frame_s": summ, "peak_rss_mb": rss,
                      "median_rank": df["median_rank"].tolist(),
                      "p_top3": df["p_top3"].tolist()}))


def main() -> None:
    rows = []
    for name in CASES:
        out = subprocess.run([sys.executable, __file__, "--case", name], check=True,
                             capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    by = {r["case"]: r for r in rows}
    same = (by["1e6"]["median_rank"] == by["1e6-dask"]["median_rank"]
            and by["1e6"]["p_top3"] == by["1e6-dask"]["p_top3"]
            and by["1e6"]["p_top3"] == by["1e6-raw"]["p_top3"])
    table = [{k: r[k] for k in ("case", "n", "wall_s", "per_rep_us", "to_frame_s",
                                "peak_rss_mb")} for r in rows]
    table[1]["ratio"] = by["1e6-raw"]["peak_rss_mb"] / by["1e6"]["peak_rss_mb"]  # memory
    table[2]["ratio"] = by["1e6"]["wall_s"] / by["1e6-dask"]["wall_s"]  # dask vs threads
    extra = {"spec": SPEC, "seed": SEED, "blas": blas_info(), "dask_equals_local": same,
             "rss_target_mb": 500, "meets_rss_target": by["1e7"]["peak_rss_mb"] < 500,
             "dask_at_least_as_fast": by["1e6-dask"]["wall_s"] <= by["1e6"]["wall_s"],
             "cases": rows}
    path = report("bench_robustness_scale", table, extra)
    print(f"10^7: {by['1e7']['wall_s']:.1f} s, peak RSS {by['1e7']['peak_rss_mb']:.0f} MB; "
          f"10^6 raw {by['1e6-raw']['peak_rss_mb']:.0f} MB vs streaming "
          f"{by['1e6']['peak_rss_mb']:.0f} MB; dask {by['1e6-dask']['wall_s']:.1f} s vs "
          f"threads {by['1e6']['wall_s']:.1f} s (same numbers: {same}); wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        run_case(sys.argv[2])
    else:
        main()
