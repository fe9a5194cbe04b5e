"""Composite-index engine: declarative specs, COINr-parity steps, panels and explanations."""

from aigap.index import warehouse_source  # registers `data: {source: warehouse}`
from aigap.index.pipeline import build_index, register_data_source
from aigap.index.result import IndexResult, PanelResult
from aigap.index.spec import Framework, Spec, load_spec, shipped_specs

__all__ = ["Framework", "IndexResult", "PanelResult", "Spec", "build_index", "load_spec",
           "register_data_source", "shipped_specs", "warehouse_source"]
