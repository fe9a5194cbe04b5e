"""Composite-index engine: YAML specs compiled into plans of registered, COINr-parity steps."""

from aigap.index import warehouse_source  # registers `data: {source: warehouse}`
from aigap.index.inputs import register_data_source
from aigap.index.pipeline import build_index
from aigap.index.plan import Framework, Plan
from aigap.index.result import IndexResult, PanelResult
from aigap.index.spec import Spec, load_spec, shipped_specs

__all__ = ["Framework", "IndexResult", "PanelResult", "Plan", "Spec", "build_index",
           "load_spec", "register_data_source", "shipped_specs", "warehouse_source"]
