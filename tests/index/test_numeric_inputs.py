"""Every number a user writes is finite and in range, or the run stops naming where."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigap.analysis.diagnosis.claims import load_claims
from aigap.errors import SpecError
from aigap.index import Spec, build_index

from .conftest import small_data, small_spec


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 1e400])
def test_spec_weight_must_be_finite(bad: float) -> None:
    raw = small_spec().model_dump(by_alias=True, exclude_none=True)
    raw["indicators"][0]["weight"] = bad
    with pytest.raises(SpecError, match=r"indicators\[0\]\.weight"):
        Spec.from_dict(raw)


def test_all_zero_weights_name_the_level() -> None:
    raw = small_spec().model_dump(by_alias=True, exclude_none=True)
    first_parent = raw["indicators"][0]["parent"]
    for ind in raw["indicators"]:
        if ind["parent"] == first_parent:
            ind["weight"] = 0
    with pytest.raises(SpecError, match=rf"children of \['{first_parent}'\] \(level 2\) are "
                                        "all zero"):
        build_index(Spec.from_dict(raw), data=small_data())


def _claims(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: c1\n    text_en: x\n    kind: ratio\n"
                    "    indicator: private_ai_investment\n    vs: [USA]\n" + body,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "needle"), [
    ("    min: .nan\n", "not finite"),
    ("    min: 1e400\n", "not finite"),
    ("    min: 5\n    max: -5\n", "min (5) is above max (-5)"),
    ("    min: 1\n    min: 2\n", "appears twice"),
])
def test_claim_bounds(tmp_path: Path, body: str, needle: str) -> None:
    with pytest.raises(SpecError) as exc:
        load_claims([_claims(tmp_path, body)], shipped=False)
    assert needle in str(exc.value) and str(tmp_path) in str(exc.value)


def test_valid_claim_bounds_load(tmp_path: Path) -> None:
    (claim,) = load_claims([_claims(tmp_path, "    min: 10\n    max: 100\n")], shipped=False)
    assert (claim.min, claim.max) == (10.0, 100.0)
