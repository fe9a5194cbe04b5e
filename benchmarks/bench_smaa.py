"""Benchmark of SMAA rank acceptability and the attainable-rank MILP.

Spec ``asem`` (51 units x 49 indicators; 8 pillars under 2 sub-indices), pillar weights drawn
uniformly from the simplex of each sub-index (Dirichlet(1, ..., 1)).

1. 10^5 SMAA draws through the batched engine, in-process with 1 and 2 threads, excluding the
   one-off set-up (nominal build) and the confidence factors.
2. Baseline, in the same run: the plain loop, one full pipeline build (``build_index`` with a
   manual weight step) per draw with the same weights, on the first 50 draws, scaled to 10^5.
3. Best and worst attainable rank of KOR (MILP, HiGHS), free and with every pillar weight in
   [0.05, 0.5].

Run: ``.venv/bin/python benchmarks/bench_smaa.py``; writes benchmarks/results/bench_smaa.json.
"""

from __future__ import annotations

import time

import numpy as np
from _common import report, timeit

from aigap.analysis.uncertainty.acceptability import (
    NOMINAL,
    Sampler,
    acceptability,
    weight_draws,
)
from aigap.analysis.uncertainty.rank_range import rank_range
from aigap.analysis.uncertainty.robustness import prepare
from aigap.index.spec import WeightStep
from aigap.mc import LocalBackend

SPEC, N, N_NAIVE, SEED = "asem", 100_000, 50, 1


def main() -> None:
    st = prepare(SPEC, NOMINAL)
    rows: list[dict[str, object]] = []
    res = None
    for threads in (1, 2):
        def run(threads: int = threads) -> None:
            nonlocal res
            res = acceptability(SPEC, n=N, seed=SEED, setup=st, confidence=None,
                                backend=LocalBackend(threads))
        t = timeit(run, repeat=3)
        rows.append({"case": f"SMAA, batched engine, {threads} thread(s)", "n": N, **t,
                     "per_draw_us": t["median_s"] / N * 1e6})
    assert res is not None
    smaa_s = float(rows[-1]["median_s"])  # type: ignore[arg-type]

    # the plain loop: one full pipeline build per draw, with the same weights
    W = weight_draws(Sampler(st.engine, res.space), N_NAIVE, SEED)
    agg = st.spec.steps[-1]
    times = []
    for w in W:
        step = WeightStep(step="weight", method="manual",
                          weights=dict(zip(res.space.codes, map(float, w), strict=True)))
        sp = st.spec.model_copy(update={"steps": [*st.spec.steps[:-1], step, agg]})
        t0 = time.perf_counter()
        st.build(sp)
        times.append(time.perf_counter() - t0)
    per = float(np.median(times))
    rows.append({"case": f"plain pipeline loop ({N_NAIVE} draws, scaled)", "n": N,
                 "median_s": per * N, "min_s": float(np.min(times)) * N,
                 "per_draw_us": per * 1e6})
    speedup = per * N / smaa_s
    rows.append({"case": "ratio (plain loop / batched, 2 threads)", "n": N, "median_s": speedup})

    rr: dict[str, object] = {}
    for label, kw in (("free", {}), ("[0.05, 0.5]", {"default_bounds": (0.05, 0.5)})):
        out = rank_range(SPEC, "KOR", setup=st, **kw)  # type: ignore[arg-type]
        t = timeit(lambda kw=kw: rank_range(SPEC, "KOR", setup=st, **kw), repeat=3)
        rows.append({"case": f"rank range KOR, MILP (HiGHS), weights {label}", "n": 1, **t})
        rr[label] = {"best": out.best_rank, "worst": out.worst_rank, "method": out.method}
    extra = {"spec": SPEC, "units": len(st.engine.units), "weights": res.space.c, "n": N,
             "seed": SEED, "smaa_s": smaa_s, "plain_loop_per_draw_s": per, "ratio": speedup,
             "rank_range_kor": rr, "p_top3_kor": float(res.p_top(3)["KOR"])}
    path = report("bench_smaa", rows, extra)
    print(f"10^5 SMAA draws: {smaa_s:.2f} s; plain loop {per * 1e3:.1f} ms/draw -> ratio "
          f"{speedup:,.0f}x; KOR attainable ranks {rr}; wrote {path}")


if __name__ == "__main__":
    main()
