"""Benchmark of the tournament simulator.

1. 10^6 tournaments of 5 teams and 3 cut stages (5→3→2→1, the sovereign-AI teams and noise)
   with ``simulate_tournament``: warm (after one untimed run), median and best of repeats.
   Target: <= 2 s on a 2-core machine.
2. Baseline: the same tournaments one at a time in Python (``simulate_reference``, the same
   random numbers), timed on a 20,000-tournament subsample and scaled to 10^6; the speed-up is
   baseline / vectorised. The two must agree exactly on the subsample.
3. Chunk sizes: time per chunk size; the estimates must be bit-identical.

Run: ``.venv/bin/python benchmarks/bench_tournament.py``; writes
benchmarks/results/bench_tournament.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from aigap.tournament.simulate import BLOCK, load_config, simulate_reference, simulate_tournament

RESULTS = Path(__file__).resolve().parent / "results"
N = 1_000_000
N_BASELINE = 20_000
TARGET_S = 2.0


def timeit(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float, Any]:
    """(median s, best s, last result) after one untimed warm-up run."""
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), out


def three_stage_config() -> Any:
    base = load_config("sovereign-ai").model_dump(exclude_none=True, exclude={"team_defaults"})
    base["name"] = "bench-5-teams-3-stages"
    base["stages"] = [
        {"name": "Stage 1", "rule": {"type": "top_k", "k": 3}, "cost_per_team": 20},
        {"name": "Stage 2", "rule": {"type": "top_k", "k": 2}, "cost_per_team": 25},
        {"name": "Stage 3", "rule": {"type": "winner_takes_all"}, "cost_per_team": 30},
    ]
    return load_config(base)


def main() -> None:
    cfg = three_stage_config()
    rows: list[dict[str, Any]] = []

    med, best, res = timeit(lambda: simulate_tournament(cfg, N, seed=0))
    rows.append({"case": f"vectorised, {N:,} tournaments, 5 teams, 3 stages",
                 "median_s": med, "best_s": best, "per_1e6_s": med,
                 "p_best_wins": res.p_best_wins})

    med2, best2, res2 = timeit(lambda: simulate_tournament("sovereign-ai", N, seed=0))
    rows.append({"case": f"vectorised, {N:,} tournaments, shipped 5→3→1",
                 "median_s": med2, "best_s": best2, "per_1e6_s": med2,
                 "p_best_wins": res2.p_best_wins})

    t0 = time.perf_counter()
    ref = simulate_reference(cfg, N_BASELINE, seed=0)
    base_s = time.perf_counter() - t0
    base_per_1e6 = base_s * N / N_BASELINE
    sub = simulate_tournament(cfg, N_BASELINE, seed=0)
    agree = bool(np.allclose(sub.p_win.to_numpy(),
                             np.bincount(ref["winner"], minlength=5) / N_BASELINE, atol=0)
                 and abs(sub.expected_regret - ref["regret"].mean()) < 1e-12)
    rows.append({"case": f"baseline: Python loop per tournament ({N_BASELINE:,}, scaled)",
                 "median_s": base_s, "best_s": base_s, "per_1e6_s": base_per_1e6,
                 "p_best_wins": float((ref["winner"] == ref["best"]).mean())})

    chunk_rows = []
    reference_dict = None
    identical = True
    for chunk in (BLOCK, 4 * BLOCK, 16 * BLOCK):
        m, b, r = timeit(lambda c=chunk: simulate_tournament(cfg, N, seed=0, chunk_size=c),
                         repeat=3)
        d = r.to_dict()
        reference_dict = reference_dict or d
        identical &= d == reference_dict
        chunk_rows.append({"chunk_size": chunk, "median_s": m, "best_s": b})

    speedup = base_per_1e6 / med
    table = Table(title="bench_tournament: staged-evaluation Monte Carlo")
    for col in ("case", "median s", "best s", "s per 10^6", "P(best wins)"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for r in rows:
        table.add_row(r["case"], f"{r['median_s']:.3f}", f"{r['best_s']:.3f}",
                      f"{r['per_1e6_s']:.2f}", f"{r['p_best_wins']:.4f}")
    console = Console()
    console.print(table)
    same = "yes" if identical else "NO"
    chunks = Table(title=f"chunk size (results bit-identical: {same})")
    for col in ("chunk size", "median s", "best s"):
        chunks.add_column(col, justify="right")
    for r in chunk_rows:
        chunks.add_row(f"{r['chunk_size']:,}", f"{r['median_s']:.3f}", f"{r['best_s']:.3f}")
    console.print(chunks)
    ok = med <= TARGET_S
    console.print(f"speed-up vs per-tournament loop: [bold]{speedup:,.0f}×[/]; "
                  f"target {TARGET_S} s for 10^6 × 5 teams × 3 stages: "
                  f"{'[green]met[/]' if ok else '[red]missed[/]'} ({med:.3f} s); "
                  f"loop and vectorised agree exactly: {agree}")

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "bench_tournament.json"
    out.write_text(json.dumps({
        "benchmark": "bench_tournament",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "n": N,
        "target_s": TARGET_S,
        "target_met": ok,
        "speedup_vs_loop": speedup,
        "loop_and_vectorised_agree": agree,
        "chunk_size_invariant": identical,
        "rows": rows,
        "chunk_sizes": chunk_rows,
    }, indent=1))
    console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
