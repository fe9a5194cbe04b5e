"""Reading the YAML files users write (specs, claims, uncertainty, tournaments).

One strict reader for all of them: besides YAML's own syntax it refuses what would otherwise
be read silently and wrongly — a key given twice (YAML keeps the last one), nesting deeper
than :data:`MAX_DEPTH` (a recursion bomb), integers longer than :data:`MAX_INT_DIGITS`, and
numbers that are not finite (``.nan``, ``.inf``, ``1e400``). Each error is one line naming the
file, the line and column, and the problem.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from aigap.errors import SpecError

MAX_DEPTH = 64  # nesting of mappings/sequences; shipped files use fewer than 8
MAX_INT_DIGITS = 30  # far beyond any count, weight or seed a user can mean
MAX_BYTES = 10_000_000  # a YAML file larger than this is not a hand-written spec


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with duplicate-key, depth and number checks."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice (first on line {first})",
                    key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"integer with {digits} digits (at most {MAX_INT_DIGITS})",
                node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"number {node.value!r} is not finite", node.start_mark)
        return value


# YAML 1.1 (PyYAML) reads 1e3 and 1e400 as strings, which pydantic would then turn into floats
# (1e400 -> inf) behind the reader's back; YAML 1.2 reads them as numbers, and so do we.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


def parse_yaml(text: str, source: str = "<string>", what: str = "file") -> Any:
    """Parse YAML text strictly; errors become one-line :class:`SpecError` naming ``source``."""
    if not text.strip():
        raise SpecError(f"{source}: {what} is empty")
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no tags run code
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"{source}: invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise SpecError(f"{source}: invalid YAML: nested too deeply") from None


def read_yaml(path: str | Path, what: str = "file") -> Any:
    """Parsed YAML, or a one-line :class:`SpecError` naming the file, line and problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SpecError(f"{path}: {what} is {size:,} bytes; at most {MAX_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: {what} is not UTF-8 text (byte {exc.start}); re-save it as "
                        "UTF-8") from None
    return parse_yaml(text, str(path), what)
