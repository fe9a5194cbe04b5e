"""Best and worst attainable rank: the MILP against exhaustive search, invariants, errors."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigap.analysis.uncertainty.rank_range import rank_range
from aigap.analysis.uncertainty.robustness import rank_rows
from aigap.analysis.uncertainty.weightspace import _box_simplex_vertices
from aigap.errors import SpecError
from aigap.index import Spec, build_index
from aigap.present import document, sentence
from analysis.test_acceptability import aigap_spec  # noqa: F401  (fixture)


def flat_spec(c: int, agg: str = "arithmetic") -> Spec:
    """``c`` one-indicator pillars under the index; values used as they are (min-max into
    [1, 100] for geometric, which needs positive values)."""
    norm = {"method": "none"} if agg == "arithmetic" else {"method": "minmax", "l": 1, "u": 100}
    return Spec.from_dict({
        "name": "flat",
        "indicators": [{"code": f"x{i}", "parent": f"P{i}"} for i in range(c)],
        "aggregates": [{"code": f"P{i}", "parent": "Index"} for i in range(c)]
        + [{"code": "Index"}],
        "steps": [{"step": "normalise", **norm}, {"step": "aggregate", "method": agg}],
    })


def normalised(spec: Spec, data: pd.DataFrame) -> np.ndarray:
    res = build_index(spec, data=data)
    return res.dataset("Normalised")[res.framework.indicators].to_numpy()  # type: ignore[union-attr]


def two_level_spec() -> Spec:
    """Pillars P0, P1 under S0 and P2, P3 under S1; S1 weighs twice S0 in the index."""
    return Spec.from_dict({
        "name": "two-level",
        "indicators": [{"code": f"x{i}", "parent": f"P{i}"} for i in range(4)],
        "aggregates": [{"code": "P0", "parent": "S0"}, {"code": "P1", "parent": "S0"},
                       {"code": "P2", "parent": "S1"}, {"code": "P3", "parent": "S1"},
                       {"code": "S0", "parent": "Index", "weight": 1},
                       {"code": "S1", "parent": "Index", "weight": 2}, {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "none"},
                  {"step": "aggregate", "method": "arithmetic"}],
    })


def frame(V: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(V, columns=[f"x{i}" for i in range(V.shape[1])],
                        index=[f"U{u}" for u in range(V.shape[0])])


def exhaustive(D: np.ndarray, w0: np.ndarray, P: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               step: int = 300) -> tuple[int, int]:
    """Best and worst of ``1 + #{j: D_j . w > 0}`` over the polygon ``w = w0 + P t`` within
    ``lo <= w <= hi``, by exhaustive search: every vertex of the arrangement of the lines
    ``D_j . w = 0`` and the bounds (where the best is attained), points just inside every cell
    around each vertex (every cell has a vertex), and a fine grid."""
    lines = [(D[j] @ P, D[j] @ w0) for j in range(len(D))]  # a . t + b = 0
    for i in range(len(w0)):
        lines += [(P[i], w0[i] - lo[i]), (P[i], w0[i] - hi[i])]
    verts = []
    for (a1, b1), (a2, b2) in combinations(lines, 2):
        M = np.array([a1, a2])
        if abs(np.linalg.det(M)) > 1e-14:
            verts.append(np.linalg.solve(M, -np.array([b1, b2])))
    T = np.array(verts)
    ang = np.linspace(0, 2 * np.pi, 97)[:-1]
    ring = np.stack([np.cos(ang), np.sin(ang)], axis=1) * 1e-7
    near = (T[:, None, :] + ring[None]).reshape(-1, 2)
    g = np.linspace(-1, 2, 3 * step + 1)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)

    def counts(T: np.ndarray) -> np.ndarray:
        W = w0 + T @ P.T
        ok = ((lo - 1e-12 <= W) & (hi + 1e-12 >= W)).all(axis=1)
        return 1 + ((W[ok] @ D.T) > 1e-12).sum(axis=1)  # type: ignore[no-any-return]

    at_vertices, inside = counts(T), counts(np.vstack([near, grid]))
    return int(min(at_vertices.min(), inside.min())), int(inside.max())


SIMPLEX3 = (np.array([0.0, 0.0, 1.0]), np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))


@pytest.mark.parametrize("seed", range(6))
def test_milp_agrees_with_exhaustive_search_three_weights(seed: int) -> None:
    rng = np.random.default_rng(seed)
    V = rng.random((7, 3))
    lo, hi = np.full(3, 0.05), np.full(3, 0.7)
    for s in range(3):
        res = rank_range(flat_spec(3), f"U{s}", data=frame(V), default_bounds=(0.05, 0.7))
        D = np.delete(V, s, axis=0) - V[s]
        assert (res.best_rank, res.worst_rank) == exhaustive(D, *SIMPLEX3, lo, hi)
        assert res.exact and res.method == "milp-highs"
        assert res.verified == (res.best_rank, res.worst_rank)
        assert res.space.contains(np.vstack([res.best_weights, res.worst_weights])).all()


@pytest.mark.parametrize("seed", range(3))
def test_geometric_under_the_index_is_exact_in_logs(seed: int) -> None:
    raw = np.random.default_rng(10 + seed).random((6, 3))
    V = normalised(flat_spec(3, "geometric"), frame(raw))
    res = rank_range(flat_spec(3, "geometric"), "U0", data=frame(V))
    D = np.log(V[1:]) - np.log(V[0])
    assert res.exact and (res.best_rank, res.worst_rank) == \
        exhaustive(D, *SIMPLEX3, np.zeros(3), np.ones(3))


@pytest.mark.parametrize("seed", range(3))
def test_two_level_arithmetic_is_exact(seed: int) -> None:
    V = np.random.default_rng(20 + seed).random((6, 4))
    res = rank_range(two_level_spec(), "U2", data=frame(V), default_bounds=(0.1, 1.0))
    E = np.array([1, 1, 2, 2]) / 3  # the index weights of S0 and S1, normalised
    D = (np.delete(V, 2, axis=0) - V[2]) * E
    w0 = np.array([0.0, 1.0, 0.0, 1.0])
    P = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    assert res.exact and (res.best_rank, res.worst_rank) == \
        exhaustive(D, w0, P, np.full(4, 0.1), np.ones(4))
    assert res.verified == (res.best_rank, res.worst_rank)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), n=st.integers(3, 7), c=st.integers(2, 4),
       lo=st.floats(0.0, 0.2), hi=st.floats(0.55, 1.0), geometric=st.booleans())
def test_any_admissible_weights_rank_between_best_and_worst(
        seed: int, n: int, c: int, lo: float, hi: float, geometric: bool) -> None:
    rng = np.random.default_rng(seed)
    sp = flat_spec(c, "geometric" if geometric else "arithmetic")
    V = normalised(sp, frame(rng.uniform(1, 10, (n, c))))
    res = rank_range(sp, "U0", data=frame(V), default_bounds=(lo, hi))
    W = res.space.sample(rng, 300)[0]
    S = W @ (np.log(V) if geometric else V).T
    r = rank_rows(S)[:, 0]
    assert (res.best_rank <= r).all() and (r <= res.worst_rank).all()
    assert res.best_rank <= res.nominal_rank <= res.worst_rank or not res.nominal_admissible
    assert res.verified == (res.best_rank, res.worst_rank)


def test_fallback_when_not_linear_is_an_inner_bound() -> None:
    """Geometric pillars under an arithmetic index: vertices and draws, flagged inexact."""
    sp = two_level_spec()
    sp = sp.model_copy(update={"steps": [flat_spec(1, "geometric").steps[0],
                                         sp.steps[1].model_copy(update={"method": "geometric"})]})
    V = np.random.default_rng(5).uniform(1, 10, (6, 4))
    res = rank_range(sp, "U1", data=frame(V), samples=2000)
    assert not res.exact and "inner bound" in res.method
    assert any("no exact method: geometric aggregation" in w for w in res.warnings)
    assert res.best_rank <= res.worst_rank


def test_box_simplex_vertices() -> None:
    np.testing.assert_allclose(_box_simplex_vertices(np.zeros(3), np.ones(3)),
                               np.eye(3)[::-1])
    v = _box_simplex_vertices(np.full(3, 0.1), np.full(3, 0.6))
    assert len(v) == 6 and np.allclose(v.sum(axis=1), 1.0)
    assert {tuple(sorted(np.round(x, 9))) for x in v} == {(0.1, 0.3, 0.6)}


def test_errors_and_preferences() -> None:
    V = frame(np.random.default_rng(0).random((5, 3)))
    with pytest.raises(SpecError, match="unit 'XYZ' is not in this index"):
        rank_range(flat_spec(3), "XYZ", data=V)
    with pytest.raises(SpecError, match="'Talent': not a level-2 node"):
        rank_range(flat_spec(3), "U0", data=V, bounds={"Talent": (0.1, 0.3)})
    res = rank_range(flat_spec(3), "u0", data=V, order=[("P0", "P1"), ("P1", "P2")])
    for w in (res.best_weights, res.worst_weights):
        assert w[0] >= w[1] - 1e-9 and w[1] >= w[2] - 1e-9
    free = rank_range(flat_spec(3), "U0", data=V)
    assert free.best_rank <= res.best_rank and res.worst_rank <= free.worst_rank


def test_result_protocol_and_sentences() -> None:
    V = frame(np.random.default_rng(1).random((6, 3)))
    res = rank_range(flat_spec(3), "U3", data=V, default_bounds=(0.1, 0.6), k=2)
    df = res.to_frame()
    assert list(df.index) == ["best", "worst", "nominal"]
    assert list(df.columns) == ["rank", "w_P0", "w_P1", "w_P2"]
    d = res.to_dict()
    assert d["best_rank"] == res.best_rank and d["attainable"] == (res.best_rank <= 2)
    en, ko = sentence(res, "en"), sentence(res, "ko")
    assert "U3" in en and "U3" in ko and en != ko
    assert {"sentence_en", "sentence_ko"} <= set(document(res))


# --------------------------------------------------------------------------- real mirror


def test_real_mirror_korea(aigap_spec: str) -> None:  # noqa: F811
    free = rank_range(aigap_spec, "KOR")
    tight = rank_range(aigap_spec, "KOR", default_bounds=(0.1, 0.4))
    assert free.exact and tight.exact
    assert free.best_rank <= tight.best_rank <= tight.nominal_rank <= tight.worst_rank \
        <= free.worst_rank
    assert tight.nominal_admissible and tight.verified == (tight.best_rank, tight.worst_rank)
    assert tight.space.contains(np.vstack([tight.best_weights, tight.worst_weights])).all()
