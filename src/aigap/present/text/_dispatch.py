"""The two entry points of text: ``sentence(result, lang)`` and ``document(result)``."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from aigap.i18n import languages
from aigap.jsonsafe import json_safe


@singledispatch
def sentence(result: Any, lang: str = "en", **options: Any) -> str:
    """The plain-language sentence that sums up ``result`` in ``lang``."""
    raise TypeError(f"no sentence for {type(result).__name__}; register one in "
                    "aigap.present.text")


# The key a result's sentences take in its JSON document (claims have "findings").
TEXT_KEY: dict[type, str] = {}


@singledispatch
def document(result: Any) -> dict[str, Any]:
    """``result.to_dict()`` plus its sentence in every catalogue language (``sentence_en``,
    ``sentence_ko``, ...): the JSON the CLI prints and the API returns."""
    out = dict(result.to_dict())
    key = TEXT_KEY.get(type(result), "sentence")
    for lang in languages():
        out[f"{key}_{lang}"] = sentence(result, lang)
    return json_safe(out)  # type: ignore[no-any-return]
