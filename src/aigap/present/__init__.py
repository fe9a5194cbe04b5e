"""Presentation: Plotly figures (one template, one colourway) and text built from results.

``aigap.present.sentence(result, lang)``, ``aigap.present.document(result)`` (to_dict() plus
the sentences in every language) and ``aigap.present.figure(result, lang)`` work on every
analysis result; they load their modules on first use (the CLI stays quick to start).
"""

from __future__ import annotations

from typing import Any

__all__ = ["document", "figure", "sentence"]


def __getattr__(name: str) -> Any:
    if name in ("sentence", "document"):
        from aigap.present import text

        return getattr(text, name)
    if name == "figure":
        from aigap.present.figures import figure

        return figure
    raise AttributeError(f"module 'aigap.present' has no attribute {name!r}")
