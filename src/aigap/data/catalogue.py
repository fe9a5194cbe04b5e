"""The indicator catalogue: every indicator aigap can load, with names in English and Korean."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, replace
from functools import cache

import pandas as pd

from aigap.data.sources import all_datasets
from aigap.data.sources.base import PILLARS, Indicator
from aigap.errors import AigapError

CATALOGUE_COLUMNS = [
    "code", "name_en", "name_ko", "pillar", "direction", "unit", "source", "licence",
    "description", "top_n",
]


@cache
def catalogue() -> dict[str, Indicator]:
    """Indicators by code. A code published by several datasets (e.g. two editions of one
    chart) must have the same unit and direction in each; ``source`` lists them all."""
    out: dict[str, Indicator] = {}
    for ds in all_datasets():
        for ind in ds.indicators:
            if ind.pillar not in PILLARS:
                raise RuntimeError(f"{ds.id}: {ind.code} has unknown pillar {ind.pillar!r}")
            if ind.direction not in (1, -1):
                raise RuntimeError(f"{ds.id}: {ind.code} direction must be +1 or -1")
            entry = replace(ind, source=ind.source or ds.id, licence=ind.licence or ds.licence)
            if ind.code in out:
                prev = out[ind.code]
                if (prev.unit, prev.direction) != (entry.unit, entry.direction):
                    raise RuntimeError(
                        f"indicator {ind.code!r}: {ds.id} says unit {entry.unit!r}, "
                        f"{prev.source} says {prev.unit!r}"
                    )
                if ds.id not in prev.source.split(","):
                    out[ind.code] = replace(prev, source=f"{prev.source},{ds.id}")
            else:
                out[ind.code] = entry
    return out


@cache
def ceti_sectors() -> dict[str, tuple[str, str]]:
    """Belfer CETI sectors (the ``ceti_<sector>_*`` codes): key -> (English, Korean) name."""
    from aigap.data.sources.belfer import SECTORS

    return {key: (en, ko) for key, (_file, en, ko) in SECTORS.items()}


def catalogue_frame() -> pd.DataFrame:
    return pd.DataFrame([asdict(i) for i in catalogue().values()], columns=CATALOGUE_COLUMNS)


def check_indicators(codes: Iterable[str], known: Iterable[str] | None = None) -> list[str]:
    """Return ``codes`` if all are known, else raise naming the unknown ones and near matches."""
    pool = list(known) if known is not None else list(catalogue())
    codes = list(codes)
    bad = [c for c in codes if c not in pool]
    if bad:
        raise AigapError(
            f"unknown indicator(s): {near_matches(bad, pool)}. `aigap data indicators` lists them"
        )
    return codes


def near_matches(bad: Iterable[str], pool: Iterable[str]) -> str:
    """``'x' (did you mean y, z?); 'w'``: unknown names with their closest known ones."""
    pool = list(pool)
    hints = []
    for c in bad:
        close = difflib.get_close_matches(c, pool, n=3, cutoff=0.5)
        hints.append(f"{c!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return "; ".join(hints)
