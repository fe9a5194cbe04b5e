"""Registry of the published formats aigap reads (one module per format)."""

from __future__ import annotations

import importlib
from functools import cache

from aigap.data.sources.base import Dataset

# Order matters only for display.
SOURCE_MODULES = (
    "tortoise",
    "owid",
    "worldbank",
    "aiindex2026",  # before aiindex2025: codes both editions share keep the 2026 top_n
    "aiindex2025",
    "oxford",
    "belfer",
    "epoch",
    "ncses",
    "coinr_asem",
    "top500",  # record-level sources: their records go to tables of their own too
    "epoch2025",
    "epoch_datacenters",
    "epoch_hardware",
    "imf_aipi",
    "published",  # headline ranks as released: the published_ranks table, not observations
)


@cache
def all_datasets() -> tuple[Dataset, ...]:
    """Every dataset of every source module, ids unique."""
    out: list[Dataset] = []
    seen: set[str] = set()
    for name in SOURCE_MODULES:
        mod = importlib.import_module(f"aigap.data.sources.{name}")
        for ds in mod.DATASETS:
            if ds.id in seen:  # pragma: no cover - programming error
                raise RuntimeError(f"dataset id {ds.id!r} defined twice")
            seen.add(ds.id)
            out.append(ds)
    return tuple(out)


def get_dataset(dataset_id: str) -> Dataset:
    for ds in all_datasets():
        if ds.id == dataset_id:
            return ds
    from aigap.errors import AigapError

    raise AigapError(
        f"unknown dataset {dataset_id!r}; known: {', '.join(d.id for d in all_datasets())}"
    )
