"""Spec validation: each mistake gets a specific SpecError naming the place."""

from __future__ import annotations

import copy

import pytest
import yaml

from aigap.errors import AigapError, SpecError
from aigap.index import Spec, build_index, load_spec, shipped_specs

from .conftest import small_data, small_spec

BASE = small_spec().model_dump(by_alias=True, exclude_none=True)


def _with(**changes):
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return raw


def _err(raw) -> str:
    with pytest.raises(SpecError) as exc:
        spec = Spec.from_dict(raw, "t.yaml")
        build_index(spec, small_data())
    return str(exc.value)


def test_shipped_specs_load():
    names = shipped_specs()
    want = {"asem", "asem-treated", "asem-zscore", "asem-geometric", "asem-denominated"}
    assert want <= set(names)
    for n in names:
        assert load_spec(n).name == n


def test_unknown_spec_lists_shipped():
    with pytest.raises(SpecError, match=r"unknown spec 'aigapx'.*asem-treated"):
        load_spec("aigapx")


def test_unknown_indicator_in_step():
    raw = _with(steps=[{"step": "treat", "indicators": ["nope"]}, *BASE["steps"]])
    assert "steps[0] (treat): unknown indicator/aggregate code(s) ['nope']" in _err(raw)


def test_indicator_missing_from_data():
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["code"] = "zz"
    assert "not in the data: ['zz']" in _err(raw)


def test_cycle():
    raw = copy.deepcopy(BASE)
    raw["aggregates"] = [{"code": "P1", "parent": "P2"}, {"code": "P2", "parent": "P1"},
                         {"code": "Index"}]
    msg = _err(raw)
    assert "cycle in the tree" in msg and "P1" in msg


def test_level_without_children():
    raw = copy.deepcopy(BASE)
    raw["aggregates"].insert(0, {"code": "Empty", "parent": "Index"})
    assert "aggregate(s) with no children: ['Empty']" in _err(raw)


def test_negative_weight_names_field():
    raw = copy.deepcopy(BASE)
    raw["indicators"][2]["weight"] = -1
    msg = _err(raw)
    assert "indicators[2].weight" in msg and "greater than or equal to 0" in msg


def test_geometric_after_minmax_from_zero():
    raw = _with(steps=[{"step": "normalise", "method": "minmax", "l": 0, "u": 100},
                       {"step": "aggregate", "method": "geometric"}])
    msg = _err(raw)
    assert "steps[1] (aggregate).method: geometric aggregation needs strictly positive" in msg
    ok = _with(steps=[{"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                      {"step": "aggregate", "method": "geometric"}])
    assert build_index(Spec.from_dict(ok), small_data()).index.notna().all()


@pytest.mark.parametrize(("step", "where"), [
    ({"step": "treat", "winmax": -1}, "steps[0].winmax"),
    ({"step": "treat", "skew_thresh": 0}, "steps[0].skew_thresh"),
    ({"step": "normalise", "method": "minmax", "l": 5, "u": 5}, "l < u"),
    ({"step": "normalise", "method": "zscore", "sd": 0}, "steps[0].sd"),
    ({"step": "aggregate", "dat_thresh": 1.5}, "steps[0].dat_thresh"),
    ({"step": "impute", "method": "group_mean"}, "needs a 'group' column"),
    ({"step": "weight", "method": "manual", "weights": {"i1": -2}}, "negative weight"),
    ({"step": "bogus"}, "steps[0]"),
])
def test_step_parameters_out_of_range(step, where):
    raw = _with(steps=[step, *BASE["steps"]])
    assert where in _err(raw)


def test_needs_normalise_and_aggregate():
    assert "normalise" in _err(_with(steps=[{"step": "aggregate"}]))


def test_yaml_path_and_bad_yaml(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(BASE))
    assert load_spec(p).name == "small"
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [unclosed")
    with pytest.raises(SpecError, match="invalid YAML"):
        load_spec(bad)
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "missing.yaml")


def test_explicit_four_levels():
    raw = copy.deepcopy(BASE)
    raw["aggregates"] = [
        {"code": "P1", "parent": "S1"}, {"code": "P2", "parent": "S1"},
        {"code": "S1", "parent": "Index"}, {"code": "Index"},
    ]
    res = build_index(Spec.from_dict(raw), small_data())
    assert res.framework.n_levels == 4
    assert res.framework.level["S1"] == 3
    # S1 is the only child of Index, so they are equal
    assert (res.scores["S1"] - res.scores["Index"]).abs().max() < 1e-12


def test_warehouse_source_without_warehouse_gives_clear_error():
    raw = _with(data={"source": "warehouse", "year": 2024})
    with pytest.raises(AigapError, match="run `aigap data pull` first"):
        build_index(Spec.from_dict(raw))
