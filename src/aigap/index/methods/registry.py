"""The registry of step methods: a method is one function plus one registration.

``@register("normalise", "minmax")`` on a pure NumPy function makes ``method: minmax`` valid in
every spec (the schema asks this registry), and the pipeline, the batched evaluator,
robustness, what-it-takes and scenarios look it up here by name.

Calling convention per kind (:data:`KINDS`): the first ``n_data`` positional arguments are
data; every other parameter is either a *context* name, supplied by the engine at run time,
or a *step parameter*, taken by name from the YAML step (its field of that name, else its
``params`` mapping, else the function's default). Options given to :func:`register` are
kind-specific facts the callers need (an affine map for inversion, a label, whether values can
be <= 0, ...); an option that is a function is called with the step parameters and context it
names, like the method itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aigap.errors import SpecError


@dataclass(frozen=True)
class Kind:
    """One kind of step method and its calling convention."""

    name: str
    noun: str  # for messages: "normalisation method 'x'"
    n_data: int  # leading positional data arguments
    context: frozenset[str]  # keyword arguments the engine supplies


KINDS: dict[str, Kind] = {k.name: k for k in (
    # denominate(X, D, *, <params>) -> X / D (D: the denominator of every cell)
    Kind("denominate", "denomination", 2, frozenset()),
    # impute(X, *, [groups], <params>) -> X without (some) NaNs
    Kind("impute", "imputation", 1, frozenset({"groups"})),
    # treat(X, columns, *, <params>) -> (X, {column: TreatInfo})
    Kind("treat", "treatment", 2, frozenset()),
    # normalise(X * direction, *, [codes, direction, units, framework], <params>) -> N
    Kind("normalise", "normalisation", 1,
         frozenset({"codes", "direction", "units", "framework"})),
    # weight(*, [X, framework, aggregation], <params>) -> Framework with new weights
    Kind("weight", "weighting", 0, frozenset({"X", "framework", "aggregation"})),
    # aggregate(X, W) -> Y (children x parents W); per_parent=True: (X, w) -> y
    Kind("aggregate", "aggregation", 2, frozenset()),
)}


class UnknownMethodError(SpecError, ValueError):
    """A method name that is not registered (the message lists the registered ones)."""


@dataclass(frozen=True)
class Method:
    """A registered step method."""

    kind: str
    name: str
    fn: Callable[..., Any]
    params: Mapping[str, Any]  # step parameter -> default (inspect.Parameter.empty = required)
    context: frozenset[str]  # context names the function takes
    options: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, *data: Any, **kwargs: Any) -> Any:
        """Call with data, step parameters and context; unused keywords are dropped."""
        return invoke(self.fn, *data, **kwargs)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def call_option(self, key: str, *data: Any, **kwargs: Any) -> Any:
        """An option's value: called like the method when it is a function."""
        opt = self.options.get(key)
        return invoke(opt, *data, **kwargs) if callable(opt) else opt

    def bind(self, step: Any) -> dict[str, Any]:
        """The step parameters' values for ``step`` (a validated YAML step model)."""
        fields = type(step).model_fields
        extra = getattr(step, "params", None) or {}
        out: dict[str, Any] = {}
        for p, default in self.params.items():
            if p in fields:
                out[p] = getattr(step, p)
            elif p in extra:
                out[p] = extra[p]
            elif default is not inspect.Parameter.empty:
                out[p] = default
            else:
                raise ValueError(f"{KINDS[self.kind].noun} {self.name!r} needs parameter "
                                 f"{p!r} (give it under 'params')")
        return out

    def check(self, step: Any) -> None:
        """Schema checks of ``step`` for this method (ValueError naming the problem)."""
        fields = type(step).model_fields
        extra = getattr(step, "params", None) or {}
        unknown = sorted(set(extra) - (set(self.params) - set(fields)))
        if unknown:
            own = sorted(set(self.params) - set(fields))
            raise ValueError(f"params: {KINDS[self.kind].noun} {self.name!r} takes no "
                             f"parameter(s) {unknown}" + (f"; it takes {own}" if own else ""))
        msg = self.call_option("check", **self.bind(step))
        if msg:
            raise ValueError(msg)

    def label(self, params: Mapping[str, Any]) -> str:
        """Short label of this method with these parameters (robustness factor levels)."""
        lab = self.options.get("label")
        if lab is None:
            return self.name
        return invoke(lab, **params) if callable(lab) else str(lab).format(**params)


_REGISTRY: dict[str, dict[str, Method]] = {k: {} for k in KINDS}


@lru_cache(maxsize=512)
def _signature(fn: Callable[..., Any]) -> tuple[tuple[str, ...], bool]:
    """Keyword-passable parameter names of ``fn`` and whether it takes ``**kwargs``."""
    sig = inspect.signature(fn)
    names = tuple(n for n, p in sig.parameters.items()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    return names, any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def invoke(fn: Callable[..., Any], *data: Any, **kwargs: Any) -> Any:
    """``fn(*data, **kwargs)`` passing only the keywords ``fn`` names (all with ``**kw``)."""
    names, var_kw = _signature(fn)
    if not var_kw:
        kwargs = {k: v for k, v in kwargs.items() if k in names}
    return fn(*data, **kwargs)


def register(kind: str, name: str, fn: Callable[..., Any] | None = None, **options: Any
             ) -> Any:
    """Register ``fn`` as method ``name`` of step ``kind`` (as a decorator without ``fn``).

    Registering a name again replaces the method (so a fix is one function). Returns ``fn``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown step kind {kind!r}; kinds: {', '.join(KINDS)}")

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        k = KINDS[kind]
        sig = inspect.signature(f)
        ps = list(sig.parameters.values())
        positional = [p for p in ps[:k.n_data]
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) < k.n_data:
            raise ValueError(f"a {kind} method takes {k.n_data} data argument(s) first")
        rest = [p for p in ps[k.n_data:] if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        _REGISTRY[kind][name] = Method(
            kind=kind, name=name, fn=f,
            params={p.name: p.default for p in rest if p.name not in k.context},
            context=frozenset(p.name for p in rest if p.name in k.context),
            options=dict(options))
        return f

    return deco if fn is None else deco(fn)


def unregister(kind: str, name: str) -> None:
    """Remove a method (tests that register their own)."""
    _REGISTRY[kind].pop(name, None)


def get(kind: str, name: str) -> Method:
    """The method ``name`` of ``kind``; :class:`UnknownMethodError` lists the registered ones."""
    try:
        return _REGISTRY[kind][name]
    except KeyError:
        raise UnknownMethodError(unknown_message(kind, name)) from None


def names(kind: str) -> list[str]:
    """Registered method names of ``kind``, in registration order."""
    return list(_REGISTRY[kind])


def methods(kind: str) -> list[Method]:
    return list(_REGISTRY[kind].values())


def unknown_message(kind: str, name: object) -> str:
    return (f"unknown {KINDS[kind].noun} method {name!r}; registered: "
            f"{', '.join(names(kind))}")


def check_name(kind: str, name: str) -> str:
    """Schema validator: ``name`` if registered, else ValueError listing the registered ones."""
    if name not in _REGISTRY[kind]:
        raise ValueError(unknown_message(kind, name))
    return name
