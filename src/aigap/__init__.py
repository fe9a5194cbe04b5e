"""aigap: diagnose a country's AI competitiveness gap with numbers and their uncertainty."""

from __future__ import annotations

__version__ = "0.1.0"

from aigap.data.warehouse import Warehouse, pull
from aigap.index import IndexResult, Spec, build_index

__all__ = ["IndexResult", "Spec", "Warehouse", "__version__", "build_index", "pull"]
