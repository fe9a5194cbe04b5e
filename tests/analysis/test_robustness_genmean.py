"""The generalised mean (a parametrised quasi-arithmetic mean) in the Monte Carlo engine."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.analysis.uncertainty.robustness import prepare, robustness
from aigap.errors import SpecError

UNC = {"name": "genmean", "normalisation": [{"method": "minmax", "l": 1, "u": 100}],
       "aggregation": ["arithmetic", {"method": "genmean", "params": {"p": 2}},
                       {"method": "genmean", "params": {"p": 0.5}}],
       "weights": [{"level": 2, "spread": 0.25}]}


def test_genmean_replications_equal_the_pipeline() -> None:
    st = prepare("asem", UNC)
    e = st.engine
    agg = next(f for f in e.factors if f.name == "aggregation")
    assert agg.labels == ("arithmetic", "genmean(p=2)", "genmean(p=0.5)")
    d = e.decode(np.random.default_rng(11).random((30, e.n_dims)))
    S, _ = e.score(d)
    assert set(np.unique(d.a)) == {0, 1, 2}
    for b in range(30):
        want = st.build(st.replication_spec(d, b)).index.reindex(e.units).to_numpy(float)
        np.testing.assert_allclose(S[b], want, rtol=1e-11, atol=1e-11)
    res = robustness("asem", n=4096, uncertainty=UNC, setup=st)
    assert res.n_failed == 0


def test_genmean_without_p_is_refused() -> None:
    with pytest.raises(SpecError, match=r"genmean.*give its params"):
        prepare("asem", {**UNC, "aggregation": ["arithmetic", "genmean"]})
