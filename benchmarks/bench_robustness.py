"""Benchmark of the Monte Carlo robustness engine.

Spec ``asem-treated`` (51 units x 49 indicators, 3 aggregation levels) with the default
uncertainty spec: imputation (2) x treatment (5) x normalisation (2) = 20 alternative data
sets, aggregation (arithmetic / geometric) and +/-25% weight noise on pillars and sub-indices.

1. One-off set-up (:func:`prepare`: nominal build + the 20 data sets through the pipeline).
2. Engine CPU time per replication (one thread, ``time.process_time``) on 10 blocks:
   decode + score + rank, fast path (constant lower levels per data set, segmented products,
   unstable sort) against the general path in the same run (every level as products, as
   before: ``Draws.nominal_below = 2``, stable sort). Target: <= 1.5 us per replication.
   Physical-limit estimate in the same run: the replication's useful flops (level-3 and
   level-4 weighted sums of 51 units) at this machine's measured dense-GEMM rate, plus an
   unstable float32 argsort of 51 values (the ranking floor).
3. 10^5 replications end to end (1 and 2 threads), excluding the set-up.
4. Summaries (``to_frame``) from the streaming tallies, 10^5 replications.
5. Baseline: the naive loop calling the full pipeline once per replication (50 replications
   the pipeline accepts, scaled to 10^5). Goal: speed-up >= 50x.

Run: ``.venv/bin/python benchmarks/bench_robustness.py``; writes
benchmarks/results/bench_robustness.json. Scale (10^6-10^7, peak RSS, Dask):
``benchmarks/bench_robustness_scale.py``.
"""

from __future__ import annotations

import time

import numpy as np
from _common import blas_info, report, timeit

from aigap.analysis.uncertainty.robustness import Engine, prepare, rank_rows, robustness
from aigap.errors import SpecError
from aigap.mc import LocalBackend, one_blas_thread

SPEC, N, N_NAIVE, SEED = "asem-treated", 100_000, 50, 1
BLOCKS = 10


def rank_rows_stable(S: np.ndarray) -> np.ndarray:
    """The previous ranking (stable sort), for the same-run baseline."""
    return rank_rows(S, kind="stable")


def cpu_per_rep(eng: Engine, general: bool) -> dict[str, float]:
    """CPU microseconds per replication of decode, score and rank (best of 3 passes)."""
    from aigap.analysis.uncertainty.robustness import BLOCK

    rng = np.random.default_rng(SEED)
    Us = [rng.random((BLOCK, eng.n_dims)) for _ in range(BLOCKS)]
    best = {"decode_us": np.inf, "score_us": np.inf, "rank_us": np.inf}
    for _ in range(3):
        t = dict.fromkeys(best, 0.0)
        for U in Us:
            t0 = time.process_time()
            d = eng.decode(U)
            if general:
                d.nominal_below = 2
            t1 = time.process_time()
            S, _ = eng.score(d)
            t2 = time.process_time()
            (rank_rows_stable if general else rank_rows)(S)
            t3 = time.process_time()
            t["decode_us"] += t1 - t0
            t["score_us"] += t2 - t1
            t["rank_us"] += t3 - t2
        for k in best:
            best[k] = min(best[k], t[k] / (BLOCKS * BLOCK) * 1e6)
    return {**best, "total_us": sum(best.values())}


def physical_limit(eng: Engine) -> dict[str, float]:
    """Microseconds per replication for the irreducible work at this machine's best rates."""
    n = len(eng.units)
    flops = 2 * n * sum(len(lv.kids) for lv in eng.levels if lv.level >= eng.first_varied)
    A = np.random.default_rng(0).random((1024, 1024))
    t = timeit(lambda: A @ A, repeat=3)
    rate = 2 * 1024**3 / t["min_s"]  # flop/s, one BLAS thread
    S = np.random.default_rng(0).random((40_960, n)).astype(np.float32)
    ts = timeit(lambda: np.argsort(S, axis=1), repeat=3)
    sort_us = ts["min_s"] / S.shape[0] * 1e6
    return {"flops_per_rep": flops, "gemm_gflops": rate / 1e9,
            "arith_us": flops / rate * 1e6, "sort_us": sort_us,
            "limit_us": flops / rate * 1e6 + sort_us}


def main() -> None:
    setup_t = timeit(lambda: prepare(SPEC), repeat=3)
    st = prepare(SPEC)
    eng = st.engine
    rows = [{"case": "set-up: nominal + 20 data sets (pipeline)", "n": 1, **setup_t}]
    with one_blas_thread():
        general = cpu_per_rep(eng, general=True)
        fast = cpu_per_rep(eng, general=False)
        limit = physical_limit(eng)
    rows.append({"case": "engine CPU/rep, general path (baseline)", **general})
    rows.append({"case": "engine CPU/rep, fast path", **fast,
                 "ratio": general["total_us"] / fast["total_us"]})
    rows.append({"case": "physical-limit estimate (1 core)", "total_us": limit["limit_us"],
                 "ratio": fast["total_us"] / limit["limit_us"]})
    res = None
    for threads in (1, 2):
        def mc(threads: int = threads) -> None:
            nonlocal res
            res = robustness(SPEC, n=N, seed=SEED, setup=st, backend=LocalBackend(threads))
        t = timeit(mc, repeat=3)
        c0 = time.process_time()
        mc()
        cpu = time.process_time() - c0
        rows.append({"case": f"MC 10^5 end to end, {threads} thread(s)", "n": N, **t,
                     "per_rep_us": t["median_s"] / N * 1e6, "cpu_per_rep_us": cpu / N * 1e6})
    assert res is not None
    mc_s = rows[-1]["median_s"]
    summ = timeit(lambda: res.to_frame(), repeat=5)  # type: ignore[union-attr]
    rows.append({"case": "summaries: to_frame (streaming tallies)", "n": N, **summ})

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
                 "ratio": speedup})
    extra = {
        "spec": SPEC, "units": len(eng.units), "indicators": len(eng.fw.indicators),
        "datasets": int(eng.X.shape[0]), "n": N, "seed": SEED, "blas": blas_info(),
        "failed_replications": res.n_failed, "naive_refused": refused,
        "engine_general_us": general, "engine_fast_us": fast, "physical_limit": limit,
        "target_cpu_per_rep_us": 1.5, "meets_cpu_target": fast["total_us"] <= 1.5,
        "mc_s": mc_s, "speedup": speedup, "meets_speedup_goal": speedup >= 50,
        "setup_s": setup_t["median_s"], "to_frame_s": summ["median_s"],
    }
    out = report("bench_robustness", rows, extra)
    print(f"engine CPU/rep: {fast['total_us']:.2f} us (general path {general['total_us']:.2f} "
          f"us, x{general['total_us'] / fast['total_us']:.1f}; limit ~{limit['limit_us']:.2f} "
          f"us); 10^5 end to end {mc_s:.3f} s; to_frame {summ['median_s'] * 1e3:.1f} ms; "
          f"speed-up vs naive {speedup:,.0f}x; wrote {out}")


if __name__ == "__main__":
    main()
