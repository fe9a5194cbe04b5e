"""Benchmark of the Monte Carlo robustness engine.

Spec ``asem-treated`` (51 units x 49 indicators, 3 aggregation levels) with the default
uncertainty spec: imputation (2) x treatment (5) x normalisation (2) = 20 alternative data
sets, aggregation (arithmetic / geometric) and +/-25% weight noise on pillars and sub-indices.

1. One-off set-up (:func:`prepare`: nominal build + the 20 data sets through the pipeline).
2. 10^5 replications through the vectorised engine, in-process (2 threads), excluding the
   set-up. Target: <= 2 s on 2 cores.
3. Baseline: the naive loop calling the full pipeline (``build_index`` with the replication's
   spec) once per replication, on the first 50 replications the pipeline accepts (it refuses
   geometric aggregation of z-scores up front), scaled to 10^5. Goal: speed-up >= 50x.

Run: ``.venv/bin/python benchmarks/bench_robustness.py``; writes
benchmarks/results/bench_robustness.json.
"""

from __future__ import annotations

import time

import numpy as np
from _common import report, timeit

from aigap.analysis.uncertainty.robustness import prepare, robustness
from aigap.errors import SpecError
from aigap.mc import LocalBackend

SPEC, N, N_NAIVE, SEED = "asem-treated", 100_000, 50, 1


def main() -> None:
    setup_t = timeit(lambda: prepare(SPEC), repeat=3)
    st = prepare(SPEC)
    eng = st.engine
    rows = [{"case": "set-up: nominal + 20 data sets (pipeline)", "n": 1, **setup_t}]
    res = None
    for threads in (1, 2):
        def mc(threads: int = threads) -> None:
            nonlocal res
            res = robustness(SPEC, n=N, seed=SEED, setup=st, backend=LocalBackend(threads))
        t = timeit(mc, repeat=3)
        rows.append({"case": f"vectorised MC, {threads} thread(s)", "n": N, **t,
                     "per_rep_us": t["median_s"] / N * 1e6})
    assert res is not None
    mc_s = rows[-1]["median_s"]

    # naive: one full pipeline build per replication
    d = eng.decode(np.random.default_rng(SEED).random((4 * N_NAIVE, eng.n_dims)))
    times: list[float] = []
    refused = 0
    for b in range(d.k.size):
        t0 = time.perf_counter()
        try:
            st.build(st.replication_spec(d, b))
        except SpecError:
            refused += 1
            continue
        times.append(time.perf_counter() - t0)
        if len(times) == N_NAIVE:
            break
    per = float(np.median(times))
    naive_total = per * N
    rows.append({"case": f"naive pipeline loop ({N_NAIVE} reps, scaled)", "n": N,
                 "median_s": naive_total, "min_s": float(np.min(times)) * N,
                 "per_rep_us": per * 1e6})
    speedup = naive_total / mc_s
    rows.append({"case": "speed-up (naive / vectorised, 2 threads)", "n": N,
                 "median_s": speedup})
    extra = {
        "spec": SPEC, "units": len(eng.units), "indicators": len(eng.fw.indicators),
        "datasets": int(eng.X.shape[0]), "n": N, "seed": SEED,
        "failed_replications": res.n_failed, "naive_refused": refused,
        "target_mc_s": 2.0, "mc_s": mc_s, "meets_target": mc_s <= 2.0,
        "speedup": speedup, "meets_speedup_goal": speedup >= 50,
        "setup_s": setup_t["median_s"],
    }
    out = report("bench_robustness", rows, extra)
    print(f"10^5 replications: {mc_s:.3f} s (target <= 2 s); set-up {setup_t['median_s']:.3f} s;"
          f" naive {per * 1e3:.1f} ms/rep -> speed-up {speedup:,.0f}x; wrote {out}")


if __name__ == "__main__":
    main()
