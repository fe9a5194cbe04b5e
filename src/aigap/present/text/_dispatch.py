"""The two entry points of text: ``sentence(result, lang)`` and ``document(result)``.

Each analysis area's builders live in their own module (:data:`TEXT_MODULES`), imported with
the first result of that area: `aigap gap` does not load the trend, targets or strategy
analyses (nor SciPy) to say one sentence. A builder is registered on its result class; a
module that imports a heavy result class only for type checking registers by the class name in
the annotation (``def _trend(res: TrendResult, ...)`` under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from aigap.i18n import languages
from aigap.jsonsafe import json_safe

# result classes' module (prefix) -> the module with their text builders (None: the area has
# no sentences); the longest prefix wins; a result from anywhere else loads them all.
TEXT_MODULES: dict[str, str | None] = {
    "aigap.analysis.diagnosis.claims": "aigap.present.text.claims",
    "aigap.analysis.diagnosis.reconcile": "aigap.present.text.reconcile",
    "aigap.analysis.diagnosis": "aigap.present.text.diagnosis",
    "aigap.analysis.strategy": "aigap.present.text.strategy",
    "aigap.analysis.targets": "aigap.present.text.targets",
    "aigap.analysis.uncertainty": "aigap.present.text.uncertainty",
    "aigap.tournament": None,
}


def load_text(cls: type) -> None:
    """Import the text module(s) that hold the builders for ``cls`` (and its bases)."""
    for c in cls.__mro__[:-1]:  # not object
        mod = c.__module__
        hits = [p for p in TEXT_MODULES if mod == p or mod.startswith(p + ".")]
        for name in [TEXT_MODULES[max(hits, key=len)]] if hits else TEXT_MODULES.values():
            if name is not None:
                importlib.import_module(name)


class Dispatch:
    """A function chosen by its first argument's type (the class or, by name, a base)."""

    def __init__(self, default: Callable[..., Any]) -> None:
        self.default = default
        self.by_class: dict[type, Callable[..., Any]] = {}
        self.by_name: dict[str, Callable[..., Any]] = {}
        update_wrapper(self, default)

    def register(self, target: Any) -> Any:
        """``@register`` (the first parameter's annotation names the class) or
        ``register(cls)(func)``."""
        if isinstance(target, type):
            def add(func: Callable[..., Any]) -> Callable[..., Any]:
                self.by_class[target] = func
                return func
            return add
        func = target
        ann = next(iter(inspect.signature(func).parameters.values())).annotation
        if isinstance(ann, str):
            ann = func.__globals__.get(ann, ann)  # imported for real, or only for type checks
        if isinstance(ann, type):
            self.by_class[ann] = func
        else:
            name = str(ann).rsplit(".", 1)[-1]
            if self.by_name.get(name, func) is not func:  # pragma: no cover - programming error
                raise RuntimeError(f"two {self.__name__} builders for {name}")
            self.by_name[name] = func
        return func

    def dispatch(self, cls: type) -> Callable[..., Any]:
        load_text(cls)
        for c in cls.__mro__:
            if c in self.by_class:
                return self.by_class[c]
            if c.__name__ in self.by_name:
                return self.by_name[c.__name__]
        return self.default

    def __call__(self, result: Any, *args: Any, **kwargs: Any) -> Any:
        return self.dispatch(type(result))(result, *args, **kwargs)


def _no_sentence(result: Any, lang: str = "en", **options: Any) -> str:
    """The plain-language sentence that sums up ``result`` in ``lang``."""
    raise TypeError(f"no sentence for {type(result).__name__}; register one in "
                    "aigap.present.text")


sentence = Dispatch(_no_sentence)

# The key a result's sentences take in its JSON document (claims have "findings").
TEXT_KEY: dict[type, str] = {}


def _document(result: Any) -> dict[str, Any]:
    """``result.to_dict()`` plus its sentence in every catalogue language (``sentence_en``,
    ``sentence_ko``, ...): the JSON the CLI prints and the API returns."""
    out = dict(result.to_dict())
    key = TEXT_KEY.get(type(result), "sentence")
    for lang in languages():
        out[f"{key}_{lang}"] = sentence(result, lang)
    return json_safe(out)  # type: ignore[no-any-return]


document = Dispatch(_document)
