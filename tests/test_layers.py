"""Data flows one way: analyses compute, ``aigap.present`` makes text and figures.

Walks the imports of every module of ``aigap.analysis`` and ``aigap.tournament`` with ``ast``:
none may import Plotly, Jinja2, rich or a presentation/delivery layer, and no string in them
may hold Korean text (names come from the data or the catalogue, aigap/i18n/locales).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import aigap

SRC = Path(aigap.__file__).parent
COMPUTING = [p for pkg in ("analysis", "tournament") for p in sorted((SRC / pkg).rglob("*.py"))]
FORBIDDEN = ("plotly", "jinja2", "rich", "aigap.present", "aigap.report", "aigap.web",
             "aigap.cli")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _imports(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


@pytest.mark.parametrize("path", COMPUTING, ids=lambda p: str(p.relative_to(SRC)))
def test_analysis_imports_no_presentation(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [m for m in _imports(tree) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("path", COMPUTING, ids=lambda p: str(p.relative_to(SRC)))
def test_analysis_holds_no_korean_text(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hits = [(n.lineno, n.value[:40]) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and HANGUL.search(n.value)]
    assert not hits, f"{path.relative_to(SRC)}: Korean text at {hits} (move it to the catalogue)"


def test_the_walk_sees_the_analyses() -> None:
    names = {p.name for p in COMPUTING}
    assert {"profile.py", "gap.py", "what_it_takes.py", "simulate.py"} <= names
