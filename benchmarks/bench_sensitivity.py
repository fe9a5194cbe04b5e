"""Benchmark of the Sobol indices: SALib's ``analyze`` target by target (the previous way)
against the vectorised estimators (:func:`sobol_indices`), same outputs, same run.

Outputs: the ASEM shape of the default uncertainty spec, 52 targets (51 unit ranks + the
mean rank shift), 6 factors (2 of them weight groups), base sample n = 1024 (8,192 runs),
100 bootstrap resamples. Model outputs are synthetic (the engine is not timed here).

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py``; writes
benchmarks/results/bench_sensitivity.json.
"""

from __future__ import annotations

import warnings

import numpy as np
from _common import report, timeit
from SALib.analyze import sobol as salib_sobol

from aigap.analysis.uncertainty.sensitivity import sobol_design, sobol_indices, sobol_problem

N, TARGETS, SEED = 1024, 52, 7


def main() -> None:
    names = ["imputation", "treatment", "normalisation", "aggregation",
             *(f"w2[{i}]" for i in range(8)), "w3[0]", "w3[1]"]
    groups = [*names[:4], *["weights (level 2)"] * 8, *["weights (level 3)"] * 2]
    prob = sobol_problem(names, groups)
    U = sobol_design(prob, N, SEED)
    rng = np.random.default_rng(SEED)
    Y = U @ rng.random((U.shape[1], TARGETS)) + 0.1 * rng.random((len(U), TARGETS))

    def salib() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j in range(TARGETS):
                salib_sobol.analyze(prob, Y[:, j], calc_second_order=False, num_resamples=100,
                                    conf_level=0.95, seed=SEED)

    base = timeit(salib, repeat=3)
    vec = timeit(lambda: sobol_indices(prob, Y, seed=SEED), repeat=3)
    rows = [{"case": f"SALib analyze x {TARGETS} targets (baseline)", **base},
            {"case": "vectorised sobol_indices", **vec,
             "ratio": base["median_s"] / vec["median_s"]}]
    one = timeit(lambda: sobol_indices(prob, Y[:, :2], seed=SEED), repeat=3)
    rows.append({"case": "vectorised, one unit + shift (sensitivity(unit=...))", **one,
                 "ratio": base["median_s"] / one["median_s"]})
    out = report("bench_sensitivity", rows, {"n": N, "targets": TARGETS, "runs": len(U)})
    print(f"Sobol indices: SALib {base['median_s']:.3f} s, vectorised {vec['median_s']:.3f} s "
          f"(x{base['median_s'] / vec['median_s']:.1f}); wrote {out}")


if __name__ == "__main__":
    main()
