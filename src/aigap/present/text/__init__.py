"""Text built from results: ``sentence(result, lang)`` and ``document(result)``, dispatched on
the result's type to the builders of each analysis area (diagnosis, targets, claims, strategy),
each area's module loaded with its first result (:data:`._dispatch.TEXT_MODULES`).

The analyses compute and hold numbers and names (data); every word of a sentence comes from
the catalogue (:mod:`aigap.i18n`), so a new language needs a catalogue file, not code.
"""

from __future__ import annotations

import importlib
from typing import Any

from aigap.present.text._dispatch import document, sentence

# helpers other layers use, by the module that holds them (loaded on first use)
_HELPERS = {"claims_frame": "claims", "group_phrase": "diagnosis",
            "interval_text": "diagnosis", "method_note": "diagnosis"}

__all__ = ["claims_frame", "document", "group_phrase", "interval_text", "method_note",
           "sentence"]


def __getattr__(name: str) -> Any:
    if name in _HELPERS:
        return getattr(importlib.import_module(f"aigap.present.text.{_HELPERS[name]}"), name)
    raise AttributeError(f"module 'aigap.present.text' has no attribute {name!r}")
