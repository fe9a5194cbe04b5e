"""One signature style and one result protocol for every public analysis (``aigap.__all__``).

Style: the data source first (warehouse, spec, or the frame a strategy analysis works on), then
``unit`` (positional-or-keyword), every other parameter keyword-only; ``indicator`` for one
indicator and ``indicators`` for several; ``peers`` for peer groups (never ``group``);
``unit``, never ``country``; ``seed`` defaults to 0. Results have ``to_frame()`` and
``to_dict()``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import pytest

import aigap

SOURCES = {"wh", "spec", "models", "profile"}
FORBIDDEN = {"country": "unit", "group": "peers", "unit_a": "unit", "unit_b": "vs"}


def analyses() -> list[tuple[str, Callable[..., Any]]]:
    out = []
    for name in aigap.__all__:
        obj = getattr(aigap, name)
        if inspect.isfunction(obj) and obj.__module__.startswith("aigap.analysis."):
            out.append((name, obj))
    return out


def test_every_analysis_is_walked() -> None:
    names = {n for n, _ in analyses()}
    assert {"gap", "trend", "peer_rank", "profile", "decompose", "check_claims", "robustness",
            "sensitivity", "what_it_takes", "scenario", "frontier_lag", "niche",
            "partners"} <= names


@pytest.mark.parametrize(("name", "fn"), analyses(), ids=[n for n, _ in analyses()])
def test_signature_convention(name: str, fn: Callable[..., Any]) -> None:
    params = list(inspect.signature(fn).parameters.values())
    assert params[0].name in SOURCES, f"{name}: data source first, got {params[0].name}"
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    allowed = [params[0].name, "unit"] if name != "check_claims" else ["wh", "claims"]
    assert positional == allowed[:len(positional)], f"{name}: positional {positional}"
    assert not [p for p in params if p.kind in (inspect.Parameter.VAR_POSITIONAL,
                                                  inspect.Parameter.VAR_KEYWORD)]
    for p in params:
        assert p.name not in FORBIDDEN, f"{name}: {p.name} should be {FORBIDDEN[p.name]}"
    names = {p.name for p in params}
    assert not {"indicator", "indicators"} <= names, f"{name}: indicator and indicators"
    if "seed" in names:
        assert inspect.signature(fn).parameters["seed"].default == 0, f"{name}: seed default"


@pytest.mark.parametrize(("name", "fn"), analyses(), ids=[n for n, _ in analyses()])
def test_result_protocol(name: str, fn: Callable[..., Any]) -> None:
    ann = inspect.signature(fn).return_annotation
    cls = getattr(sys.modules[fn.__module__], ann)
    assert callable(getattr(cls, "to_frame", None)), f"{name}: {ann} has no to_frame()"
    assert callable(getattr(cls, "to_dict", None)), f"{name}: {ann} has no to_dict()"
