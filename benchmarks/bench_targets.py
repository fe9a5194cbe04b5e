"""Benchmark of what-it-takes and scenarios.

1. what-it-takes for one unit (rank 3, with the engine re-run check) on a synthetic spec of
   60 units x 25 indicators (5 pillars, impute -> min-max -> arithmetic), on the same spec with
   geometric aggregation, and on asem-treated (51 x 49, winsorised). Baseline in the same run:
   one full ``build_index`` of the same spec and data. Target: <= 1 s each.
2. scenario on the ASEM panel (51 x 49, 2018-2022) to 2030 with n = 20 000 sampled futures,
   against one ``build_index`` of the panel's last year (ratio = cost per sample in builds).

Run: ``.venv/bin/python benchmarks/bench_targets.py``; writes results/bench_targets.json.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import report, timeit

from aigap.analysis.targets.scenarios import scenario
from aigap.analysis.targets.what_it_takes import what_it_takes
from aigap.index import Spec, build_index, load_spec

N_UNITS, N_IND = 60, 25


def synthetic(method: str = "arithmetic") -> tuple[Spec, pd.DataFrame]:
    rng = np.random.default_rng(0)
    inds = [{"code": f"x{k:02d}", "parent": f"P{k // 5}", "direction": 1 if k % 4 else -1}
            for k in range(N_IND)]
    aggs = [{"code": f"P{p}", "parent": "Index"} for p in range(5)] + [{"code": "Index"}]
    spec = Spec.from_dict({
        "name": f"synthetic-{method}", "data": {"source": "frame"}, "indicators": inds,
        "aggregates": aggs,
        "steps": [{"step": "impute"},
                  {"step": "normalise", "method": "minmax", "l": 1 if method != "arithmetic"
                   else 0, "u": 100},
                  {"step": "aggregate", "method": method}],
    })
    X = rng.lognormal(0, 0.7, size=(N_UNITS, N_IND))
    X[rng.random(X.shape) < 0.05] = np.nan
    data = pd.DataFrame(X, index=[f"U{k:02d}" for k in range(N_UNITS)],
                        columns=[f"x{k:02d}" for k in range(N_IND)])
    return spec, data


def main() -> None:
    rows = []
    for method in ("arithmetic", "geometric"):
        spec, data = synthetic(method)
        unit = build_index(spec, data=data).ranks["Index"].sort_values().index[30]
        base = timeit(lambda spec=spec, data=data: build_index(spec, data=data))
        t = timeit(lambda spec=spec, data=data, unit=unit: what_it_takes(spec, unit, rank=3,
                                                                         data=data))
        res = what_it_takes(spec, unit, rank=3, data=data)
        rows.append({"case": f"what-it-takes 60x25 {method}", "median_s": t["median_s"],
                     "baseline_build_s": base["median_s"],
                     "ratio": t["median_s"] / base["median_s"], "target_s": 1.0,
                     "ok": t["median_s"] <= 1.0, "verified_rank": res.verified_rank,
                     "gap": res.gap})
    base = timeit(lambda: build_index("asem-treated"))
    t = timeit(lambda: what_it_takes("asem-treated", "KOR", rank=3))
    res = what_it_takes("asem-treated", "KOR", rank=3)
    rows.append({"case": "what-it-takes asem-treated KOR", "median_s": t["median_s"],
                 "baseline_build_s": base["median_s"], "ratio": t["median_s"] / base["median_s"],
                 "target_s": 1.0, "ok": t["median_s"] <= 1.0,
                 "verified_rank": res.verified_rank, "gap": res.gap})
    raw = load_spec("asem").model_dump(by_alias=True, exclude_none=True)
    raw["data"] = {"source": "asem", "panel": True}
    panel = Spec.from_dict(raw)
    base = timeit(lambda: build_index(panel, year=2022), repeat=3)
    t = timeit(lambda: scenario(panel, to=2030, n=20_000, seed=0), repeat=3)
    rows.append({"case": "scenario asem panel -> 2030, n=20000", "median_s": t["median_s"],
                 "baseline_build_s": base["median_s"], "ratio": t["median_s"] / base["median_s"],
                 "per_sample_ms": t["median_s"] / 20_000 * 1e3})
    report("bench_targets", rows)


if __name__ == "__main__":
    main()
