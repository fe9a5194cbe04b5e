"""aigap: diagnose a country's AI competitiveness gap with numbers and their uncertainty."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Loaded on first use: `import aigap` (and every CLI start) stays cheap.
_EXPORTS = {
    "Warehouse": "aigap.data.warehouse",
    "pull": "aigap.data.warehouse",
    "IndexResult": "aigap.index",
    "Spec": "aigap.index",
    "build_index": "aigap.index",
}

if TYPE_CHECKING:
    from aigap.data.warehouse import Warehouse, pull
    from aigap.index import IndexResult, Spec, build_index

__all__ = ["IndexResult", "Spec", "Warehouse", "__version__", "build_index", "pull"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aigap' has no attribute {name!r}")
