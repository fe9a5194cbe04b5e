"""Batched weight evaluation agrees with running the pipeline once per weight set."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.index import Spec, build_index
from aigap.index.batched import batched_scores, level_children, random_weights


@pytest.mark.parametrize("spec_name", ["asem", "asem-geometric"])
def test_batched_equals_pipeline(spec_name, asem_dir):
    res = build_index(spec_name)
    fw = res.framework
    X = res.dataset("Normalised")[fw.indicators].to_numpy()
    rng = np.random.default_rng(1)
    W = random_weights(fw, 4, spread=0.5, rng=rng)
    got = batched_scores(X, fw, W, res.aggregation, all_levels=True)
    assert got.shape == (4, 51, len(fw.aggregates))
    for b in range(4):
        w = {}
        for lv, arr in W.items():
            w.update(dict(zip(level_children(fw, lv), arr[b], strict=True)))
        spec = Spec.from_dict({**res.spec.model_dump(by_alias=True, exclude_none=True),
                               "steps": [*res.spec.model_dump()["steps"][:-1],
                                         {"step": "weight", "method": "manual", "weights": w},
                                         res.spec.model_dump()["steps"][-1]]})
        ref = build_index(spec).scores[fw.aggregates].to_numpy()
        np.testing.assert_allclose(got[b], ref, rtol=1e-12, atol=1e-12)
    # default weights reproduce the pipeline's own scores
    base = batched_scores(X, fw, {}, res.aggregation)
    np.testing.assert_allclose(base[0], res.index.to_numpy(), rtol=1e-12)


def test_batched_handles_missing_and_alternative_datasets(asem):
    fw = asem.framework
    X = asem.dataset("Normalised")[fw.indicators].to_numpy()
    assert np.isnan(X).any()  # ASEM raw has gaps: re-weighting is exercised
    X2 = np.stack([X, np.where(np.isnan(X), np.nan, 100 - X)])
    W = random_weights(fw, 6, rng=np.random.default_rng(2))
    which = np.array([0, 1, 0, 1, 1, 0])
    got = batched_scores(X2, fw, W, "arithmetic", which=which)
    for b in range(6):
        single = batched_scores(X2[which[b]], fw, {k: v[b:b + 1] for k, v in W.items()})
        np.testing.assert_allclose(got[b], single[0], rtol=1e-12)
    assert not np.allclose(got[0], got[1])


def test_batched_shape_errors(asem):
    fw = asem.framework
    X = asem.dataset("Normalised")[fw.indicators].to_numpy()
    with pytest.raises(ValueError, match="weights\\[2\\]"):
        batched_scores(X, fw, {2: np.ones((3, 5))})
