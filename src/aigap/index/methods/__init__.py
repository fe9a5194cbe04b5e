"""Registered step methods (denominate, impute, treat, normalise, weight, aggregate).

Importing this package registers the built-in methods; see :mod:`.registry` for how a method
is called and :func:`register` to add one (one function + one registration).
"""

from aigap.index.methods import (  # noqa: F401  (registration on import)
    aggregate,
    denominate,
    impute,
    normalise,
    treat,
    weight,
)
from aigap.index.methods.registry import (
    KINDS,
    Method,
    UnknownMethodError,
    get,
    methods,
    names,
    register,
    unregister,
)

__all__ = ["KINDS", "Method", "UnknownMethodError", "get", "methods", "names", "register",
           "unregister"]
