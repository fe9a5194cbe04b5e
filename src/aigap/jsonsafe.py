"""JSON-safe copies of analysis results: the one cleaner behind every ``to_dict()``, the CLI's
``--format json`` and the API.

One convention for non-finite numbers: **NaN, +inf and -inf become null** (``None``). Standard
JSON (RFC 8259) has no NaN or Infinity, so any consumer parses the output; a result whose
infinities mean something says so with a flag of its own (the trend's ``may_never_close`` when
the years-to-close interval is open-ended), never with a string such as ``"inf"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def json_safe(obj: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN/inf to None, frames to records."""
    if isinstance(obj, Mapping):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, pd.DataFrame):
        return [json_safe(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return json_safe(obj.to_dict())
    if isinstance(obj, list | tuple | set):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if hasattr(obj, "to_dict"):
        return json_safe(obj.to_dict())
    return str(obj)
