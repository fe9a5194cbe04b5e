"""Reading the YAML files users write (specs, claims, uncertainty, tournaments)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aigap.errors import SpecError


def read_yaml(path: str | Path, what: str = "file") -> Any:
    """Parsed YAML, or a one-line :class:`SpecError` naming the file, line and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: {what} is not UTF-8 text (byte {exc.start}); re-save it as "
                        "UTF-8") from None
    if not text.strip():
        raise SpecError(f"{path}: {what} is empty")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"{path}: invalid YAML{where}: {problem}") from None
