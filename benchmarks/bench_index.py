"""Benchmark of the index engine.

1. Full pipeline (impute -> treat -> min-max -> arithmetic aggregation over 3 levels) on a
   synthetic panel of 200 units x 100 indicators x 10 years with 10 % missing cells.
   Timed: ``aigap.index.pipeline.run`` on already-loaded frames (no YAML or CSV I/O), warm
   (after one untimed run), best and median of repeats; per year (a one-year run) and the whole
   10-year panel in one run. Target: <= 50 ms per year.
2. Batched weights: 10^4 perturbed weight sets on ASEM (51 x 49, 3 levels) scored at once with
   ``batched_scores``; baseline = the naive loop re-aggregating once per weight set
   (``aggregate_tree``), measured on 300 sets and scaled to 10^4. Target: <= 0.2 s.

Run: ``.venv/bin/python benchmarks/bench_index.py``; writes benchmarks/results/bench_index.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from aigap.index import Spec, build_index
from aigap.index.batched import batched_scores, level_children, random_weights
from aigap.index.pipeline import aggregate_tree, run
from aigap.index.plan import resolve

OUT = Path(__file__).parent / "results" / "bench_index.json"
N_UNITS, N_IND, N_YEARS, MISSING = 200, 100, 10, 0.10


def timeit(fn: Callable[[], object], repeat: int = 7) -> dict[str, float]:
    fn()  # warm-up (imports, caches)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return {"best_s": min(ts), "median_s": statistics.median(ts), "repeat": repeat}


def synthetic_spec() -> Spec:
    inds = [{"code": f"x{k:03d}", "parent": f"P{k // 10}", "direction": 1 if k % 4 else -1}
            for k in range(N_IND)]
    aggs = [{"code": f"P{p}", "parent": f"S{p % 3}"} for p in range(N_IND // 10)]
    aggs += [{"code": f"S{s}", "parent": "Index"} for s in range(3)] + [{"code": "Index"}]
    return Spec.from_dict({
        "name": "synthetic", "data": {"source": "frame", "panel": True},
        "indicators": inds, "aggregates": aggs,
        "steps": [{"step": "impute", "method": "indicator_mean"}, {"step": "treat"},
                  {"step": "normalise", "method": "minmax"}, {"step": "aggregate"}],
    })


def synthetic_frames(rng: np.random.Generator) -> dict[int | None, pd.DataFrame]:
    units = [f"U{k:03d}" for k in range(N_UNITS)]
    out: dict[int | None, pd.DataFrame] = {}
    for y in range(2015, 2015 + N_YEARS):
        X = rng.lognormal(0, rng.uniform(0.2, 1.5, N_IND), size=(N_UNITS, N_IND))  # some skewed
        X[rng.random(X.shape) < MISSING] = np.nan
        out[y] = pd.DataFrame(X, index=units, columns=[f"x{k:03d}" for k in range(N_IND)])
    return out


def main() -> None:
    rng = np.random.default_rng(42)
    spec = synthetic_spec()
    plan = resolve(spec)
    frames = synthetic_frames(rng)
    first = {2015: frames[2015]}
    results: dict[str, object] = {}

    per_year = timeit(lambda: run(plan, first), repeat=15)
    panel = timeit(lambda: run(plan, frames), repeat=5)
    n_treated = int((run(plan, first)[2015].treatment_log["treatment"] != "none").sum())
    results["pipeline"] = {
        "what": "run(plan, frames): impute, treat, minmax, aggregate 3 levels; "
                "no file I/O", "units": N_UNITS, "indicators": N_IND, "years": N_YEARS,
        "missing_share": MISSING, "indicators_treated_per_year": n_treated,
        "per_year": per_year, "panel": panel,
        "panel_per_year_s": panel["median_s"] / N_YEARS, "target_per_year_s": 0.05,
        "ratio_to_target": per_year["median_s"] / 0.05,
    }

    asem = build_index("asem")
    afw = asem.framework
    X = asem.dataset("Normalised")[afw.indicators].to_numpy()
    B = 10_000
    W = random_weights(afw, B, rng=rng)
    batched = timeit(lambda: batched_scores(X, afw, W, asem.aggregation), repeat=7)

    n_naive = 300

    def naive() -> None:
        for b in range(n_naive):
            w = {}
            for lv, arr in W.items():
                w.update(zip(level_children(afw, lv), arr[b], strict=True))
            aggregate_tree(X, afw.with_weights(w), asem.aggregation)

    naive_t = timeit(naive, repeat=3)
    naive_per = naive_t["median_s"] / n_naive
    # spot check that both give the same numbers
    chk = {}
    for lv, arr in W.items():
        chk.update(zip(level_children(afw, lv), arr[0], strict=True))
    same = np.allclose(batched_scores(X, afw, {k: v[:1] for k, v in W.items()})[0],
                       aggregate_tree(X, afw.with_weights(chk), asem.aggregation)[:, -1])
    results["batched"] = {
        "what": "batched_scores on ASEM (51 units, 49 indicators, 3 aggregation levels, missing "
                "values re-weighted), all levels' weights perturbed +-25%",
        "weight_sets": B, "batched": batched, "target_s": 0.2,
        "naive_loop_per_set_s": naive_per, "naive_loop_extrapolated_s": naive_per * B,
        "speedup_vs_naive": naive_per * B / batched["median_s"], "agree_with_naive": bool(same),
    }
    results["machine"] = {"python": platform.python_version(), "numpy": np.__version__,
                          "processor": platform.processor() or platform.machine()}

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1))

    t = Table(title="aigap index engine benchmark", header_style="bold cyan")
    for col in ("case", "median", "best", "target", "note"):
        t.add_column(col)
    p, b = results["pipeline"], results["batched"]
    t.add_row("pipeline, 1 year (200x100)", f"{per_year['median_s']*1e3:.1f} ms",
              f"{per_year['best_s']*1e3:.1f} ms", "50 ms",
              f"{p['ratio_to_target']:.2f} x target; {n_treated} indicators treated")
    t.add_row("pipeline, 10-year panel", f"{panel['median_s']*1e3:.1f} ms",
              f"{panel['best_s']*1e3:.1f} ms", "500 ms",
              f"{p['panel_per_year_s']*1e3:.1f} ms per year")
    t.add_row("batched 10^4 weight sets (ASEM)", f"{batched['median_s']*1e3:.1f} ms",
              f"{batched['best_s']*1e3:.1f} ms", "200 ms",
              f"{b['speedup_vs_naive']:.0f} x faster than naive loop")
    t.add_row("naive loop, 10^4 (extrapolated)", f"{b['naive_loop_extrapolated_s']*1e3:.0f} ms",
              "", "", f"{naive_per*1e6:.0f} us per weight set, measured on {n_naive}")
    Console().print(t)
    Console().print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
