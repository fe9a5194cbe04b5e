"""Shared fixtures: ASEM builds (computed once) and a small explicit framework."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.index import Spec, build_index


@pytest.fixture(scope="session")
def asem_dir():
    path = data_dir() / "asem"
    if not (path / "iData.csv").is_file():
        pytest.skip("ASEM data mirror not available")
    return path


@pytest.fixture(scope="session")
def asem(asem_dir):
    return build_index("asem")


@pytest.fixture(scope="session")
def asem_treated(asem_dir):
    return build_index("asem-treated")


def small_spec(steps: list[dict] | None = None, weights: list[float] | None = None,
               directions: list[int] | None = None) -> Spec:
    """Six indicators in two pillars under one index, fully explicit."""
    w = weights or [1.0] * 6
    d = directions or [1, 1, -1, 1, 1, 1]
    return Spec.from_dict({
        "name": "small",
        "data": {"source": "frame"},
        "indicators": [
            {"code": f"i{k}", "parent": "P1" if k < 3 else "P2", "weight": w[k],
             "direction": d[k]} for k in range(6)
        ],
        "aggregates": [
            {"code": "P1", "parent": "Index", "weight": 1},
            {"code": "P2", "parent": "Index", "weight": 2},
            {"code": "Index"},
        ],
        "steps": steps or [
            {"step": "normalise", "method": "minmax", "l": 0, "u": 100},
            {"step": "aggregate", "method": "arithmetic"},
        ],
    })


def small_data(n: int = 12, seed: int = 0, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(size=(n, 6))
    if missing:
        X[rng.random(X.shape) < missing] = np.nan
    return pd.DataFrame(X, index=[f"U{k:02d}" for k in range(n)],
                        columns=[f"i{k}" for k in range(6)])
