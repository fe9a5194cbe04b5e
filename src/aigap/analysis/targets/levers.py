"""Levers and their costs: which indicators policy can move, in which absolute unit, at what cost.

The assumptions live in one labelled YAML file (``costs.yaml`` beside this module; a user file
with the same layout replaces it). An indicator finds its class by exact code, then by the
first rule whose ``code`` / ``unit`` regular expressions match the indicator code and the
catalogue's unit text, so a new indicator with a familiar unit is classified without editing
the file. Nothing here depends on a particular index's indicator list.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigap.errors import SpecError
from aigap.yamlfile import read_yaml

DEFAULT_COSTS = Path(__file__).with_name("costs.yaml")
_SCALES = {"population/1e6": ("population", 1e-6), "population/1e5": ("population", 1e-5),
           "population/100": ("population", 1e-2), "gdp/100": ("gdp", 1e-2)}


@dataclass(frozen=True)
class Lever:
    """How one indicator is treated: lever or not, its absolute unit, the cost of one unit."""

    indicator: str
    lever_class: str  # "" = matched nothing
    policy_lever: bool
    unit: str  # absolute unit of a move ("" = the indicator's own unit)
    unit_ko: str  # the same in Korean ("" = as ``unit``)
    scale: float | str  # raw unit -> absolute unit: a number or a key of _SCALES
    cost_usd: float | None
    per: str
    source: str

    def factor(self, denominators: dict[str, float]) -> float:
        """Absolute units per raw unit for a unit with ``denominators`` (NaN if one is missing)."""
        if isinstance(self.scale, str):
            key, mult = _SCALES[self.scale]
            d = denominators.get(key, math.nan)
            return float(d) * mult if d is not None and math.isfinite(d) else math.nan
        return float(self.scale)


@dataclass(frozen=True)
class CostBook:
    """The parsed assumption file: classes, matching rules, per-indicator overrides."""

    path: str
    classes: dict[str, dict[str, Any]]
    rules: list[dict[str, Any]]
    indicators: dict[str, dict[str, Any]]

    def lever(self, code: str, unit: str = "") -> Lever:
        """The lever entry of indicator ``code`` whose catalogue unit is ``unit``."""
        entry = self.indicators.get(code)
        klass = ""
        if entry is not None:
            klass = str(entry.get("class", ""))
        else:
            for rule in self.rules:
                if _match(rule.get("code"), code) and _match(rule.get("unit"), unit):
                    klass = str(rule["class"])
                    break
        base: dict[str, Any] = dict(self.classes.get(klass, {}))
        if entry:
            base.update({k: v for k, v in entry.items() if k != "class"})
        cost = base.get("cost_usd")
        return Lever(indicator=code, lever_class=klass,
                     policy_lever=bool(base.get("policy_lever", True)),
                     unit=str(base.get("unit", "") or unit),
                     unit_ko=str(base.get("unit_ko", "") or ""), scale=base.get("scale", 1),
                     cost_usd=None if cost is None else float(cost),
                     per=str(base.get("per", "")),
                     source=str(base.get("source", base.get("why", ""))).strip())


def _match(pattern: str | None, text: str) -> bool:
    return pattern is None or re.search(pattern, text or "", re.IGNORECASE) is not None


def load_costs(path: str | Path | None = None) -> CostBook:
    """Read and check a cost file (default: the shipped ``costs.yaml``)."""
    p = Path(path) if path is not None else DEFAULT_COSTS
    if not p.is_file():
        raise SpecError(f"--costs {str(p)!r}: no such file")
    raw = read_yaml(p, "cost file")
    where = str(p)
    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict):
        raise SpecError(f"{where}: expected a mapping with 'classes:' (and 'rules:', "
                        "'indicators:')")
    classes: dict[str, dict[str, Any]] = {}
    for name, c in raw["classes"].items():
        if not isinstance(c, dict):
            raise SpecError(f"{where}: classes.{name} must be a mapping")
        _check_class(c, f"{where}: classes.{name}")
        classes[str(name)] = c
    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        raise SpecError(f"{where}: 'rules' must be a list")
    for i, r in enumerate(rules):
        at = f"{where}: rules[{i}]"
        if not isinstance(r, dict) or "class" not in r:
            raise SpecError(f"{at}: each rule needs 'class' (and 'code' and/or 'unit')")
        if r["class"] not in classes:
            raise SpecError(f"{at}: unknown class {r['class']!r}")
        if "code" not in r and "unit" not in r:
            raise SpecError(f"{at}: give 'code' and/or 'unit' (regular expressions)")
        for key in ("code", "unit"):
            if key in r:
                try:
                    re.compile(str(r[key]))
                except re.error as exc:
                    raise SpecError(f"{at}.{key}: bad regular expression ({exc})") from None
    inds = raw.get("indicators") or {}
    if not isinstance(inds, dict):
        raise SpecError(f"{where}: 'indicators' must be a mapping of code -> entry")
    for code, e in inds.items():
        at = f"{where}: indicators.{code}"
        if not isinstance(e, dict):
            raise SpecError(f"{at} must be a mapping")
        if "class" in e and e["class"] not in classes:
            raise SpecError(f"{at}.class: unknown class {e['class']!r}")
        _check_class(e, at)
    return CostBook(path=where, classes=classes, rules=rules, indicators=dict(inds))


def _check_class(c: dict[str, Any], at: str) -> None:
    cost = c.get("cost_usd")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int | float)
                             or not math.isfinite(cost) or cost < 0):
        raise SpecError(f"{at}.cost_usd: must be a number >= 0 or null, got {cost!r}")
    scale = c.get("scale", 1)
    if isinstance(scale, str):
        if scale not in _SCALES:
            raise SpecError(f"{at}.scale: {scale!r} is not one of {sorted(_SCALES)} or a number")
    elif isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
        raise SpecError(f"{at}.scale: must be a number > 0, got {scale!r}")
    if "policy_lever" in c and not isinstance(c["policy_lever"], bool):
        raise SpecError(f"{at}.policy_lever: must be true or false")
    if c.get("cost_usd") is not None and not str(c.get("source", "")).strip():
        raise SpecError(f"{at}: a cost needs its 'source' (where the number comes from)")
