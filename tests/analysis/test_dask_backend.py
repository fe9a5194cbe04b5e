"""Same seed, same numbers: in-process, Dask with 1 worker and with 2 workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.uncertainty.robustness import BLOCK, prepare, robustness
from aigap.analysis.uncertainty.sensitivity import sensitivity
from aigap.index import Spec
from aigap.mc import DaskBackend, LocalBackend, make_backend

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def setup():
    spec = Spec.from_dict({
        "name": "toy",
        "indicators": [{"code": f"x{i}", "parent": f"P{i % 3}"} for i in range(9)],
        "aggregates": [*({"code": f"P{j}", "parent": "Index"} for j in range(3)),
                       {"code": "Index"}],
        "steps": [{"step": "impute", "method": "indicator_mean"},
                  {"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                  {"step": "aggregate", "method": "arithmetic"}],
    })
    rng = np.random.default_rng(1)
    X = rng.lognormal(size=(30, 9))
    X[rng.random(X.shape) < 0.1] = np.nan
    data = pd.DataFrame(X, columns=[f"x{i}" for i in range(9)],
                        index=[f"U{i:02d}" for i in range(30)])
    return prepare(spec, None, data=data)


def test_workers_and_chunks_do_not_change_results(setup) -> None:
    n = 3 * BLOCK + 17
    local = robustness(setup.spec, n=n, seed=11, setup=setup, backend=LocalBackend(1),
                       keep_replications=True)
    threads = robustness(setup.spec, n=n, seed=11, setup=setup, backend=LocalBackend(2),
                         chunk_size=BLOCK, keep_replications=True)
    one = robustness(setup.spec, n=n, seed=11, setup=setup, chunk_size=2 * BLOCK,
                     backend=DaskBackend("local", workers=1, processes=False),
                     keep_replications=True)
    two = robustness(setup.spec, n=n, seed=11, setup=setup, chunk_size=BLOCK,
                     backend=DaskBackend("local", workers=2, processes=True))
    two_raw = robustness(setup.spec, n=n, seed=11, setup=setup, chunk_size=BLOCK,
                         backend=DaskBackend("local", workers=2, processes=True),
                         keep_replications=True)
    for other in (threads, one, two_raw):
        np.testing.assert_array_equal(local.scores, other.scores)
        np.testing.assert_array_equal(local.ranks, other.ranks)
        np.testing.assert_array_equal(local.failed, other.failed)
    assert two.backend == "dask" and local.backend == "local"
    pd.testing.assert_frame_equal(local.to_frame(), two.to_frame())
    # workers ship tallies, not replications: the same numbers either way
    assert two.ranks is None and two.mean_abs_shift == local.mean_abs_shift


def test_sensitivity_on_dask_equals_local(setup) -> None:
    a = sensitivity(setup.spec, n=256, seed=2, setup=setup)
    b = sensitivity(setup.spec, n=256, seed=2, setup=setup,
                    backend=DaskBackend("local", workers=2, processes=False))
    pd.testing.assert_frame_equal(a.indices, b.indices)


def test_make_backend() -> None:
    assert isinstance(make_backend(None), LocalBackend)
    d = make_backend("tcp://127.0.0.1:8786", 3)
    assert isinstance(d, DaskBackend) and d.workers == 3
