"""The package's structure, checked from its source: one-way layers, no import cycles.

Layers (lower first): core (errors, config, yamlfile, jsonsafe, mc, i18n) -> data -> index ->
analysis | tournament -> present -> report | web -> cli. A module imports only its own layer or
lower ones; the tournament simulator needs neither the warehouse nor the index; analyses
neither parse sources nor draw, render or print.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import aigap

PKG = Path(aigap.__file__).resolve().parent

LAYERS = {
    "errors": 0, "config": 0, "yamlfile": 0, "jsonsafe": 0, "mc": 0, "i18n": 0,
    "data": 1, "index": 2, "analysis": 3, "tournament": 3, "present": 4,
    "report": 5, "web": 5, "cli": 6,
}
PRESENTATION_LIBS = ("plotly", "jinja2", "rich", "typer", "fastapi", "starlette", "uvicorn")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skip]


@cache
def imports() -> dict[str, set[str]]:
    """Every module of the package -> the modules it imports when it runs (anywhere in its
    body: function-level imports count, imports for type annotations only do not)."""
    out: dict[str, set[str]] = {}
    for path in sorted(PKG.rglob("*.py")):
        name = _module_name(path)
        found: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        out[name] = found
    return out


def _internal(targets: set[str], modules: set[str]) -> set[str]:
    return {t for t in targets if t in modules and t != "aigap"}


def _layer(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return parts[1], LAYERS[parts[1]]


def test_every_top_level_module_has_a_layer() -> None:
    tops = {m.split(".")[1] for m in imports() if m.count(".") >= 1}
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


def test_layers_only_import_downwards() -> None:
    mods = set(imports())
    bad = []
    for mod, targets in imports().items():
        here = _layer(mod)
        if here is None:
            continue
        for t in _internal(targets, mods):
            there = _layer(t)
            if there is None or there[0] == here[0]:
                continue
            if there[1] > here[1] or (there[1] == here[1] and there[0] != here[0]
                                      and here[1] not in (0,)):
                bad.append(f"{mod} -> {t}")
    assert not bad, "imports against the flow:\n" + "\n".join(sorted(bad))


def test_no_import_cycles() -> None:
    mods = set(imports())
    graph = {m: _internal(t, mods) - {m} for m, t in imports().items()}
    # a package's __init__ importing its own submodules is not a cycle of behaviour
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycles.append(" -> ".join([*stack[stack.index(t):], t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_analyses_neither_parse_nor_present() -> None:
    bad = []
    for mod, targets in imports().items():
        if not mod.startswith(("aigap.analysis", "aigap.tournament")):
            continue
        for t in targets:
            if t.startswith("aigap.data.sources") or t.split(".")[0] in PRESENTATION_LIBS:
                bad.append(f"{mod} imports {t}")
    assert not bad, "\n".join(sorted(bad))


def test_tournament_needs_neither_warehouse_nor_index() -> None:
    bad = [f"{m} -> {t}" for m, ts in imports().items() if m.startswith("aigap.tournament")
           for t in ts if t.startswith(("aigap.data", "aigap.index", "aigap.analysis"))]
    assert not bad, bad


def test_top_level_exports_resolve_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, aigap; heavy = [m for m in ('pandas', 'scipy', 'duckdb', 'plotly') "
            "if m in sys.modules]; assert not heavy, heavy; "
            "[getattr(aigap, n) for n in aigap.__all__]; "
            "assert callable(aigap.simulate_tournament) and callable(aigap.build_index)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_analyses_hold_no_korean_text() -> None:
    """Words come from the catalogue (aigap/i18n/locales), names from the data."""
    files = [p for pkg in ("analysis", "tournament") for p in sorted((PKG / pkg).rglob("*.py"))]
    assert {"profile.py", "gap.py", "what_it_takes.py", "simulate.py"} <= {p.name for p in files}
    hits = [f"{p.relative_to(PKG)}:{n.lineno}: {n.value[:40]!r}" for p in files
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and HANGUL.search(n.value)]
    assert not hits, "Korean text in analyses (move it to the catalogue):\n" + "\n".join(hits)


def _strings_outside_docstrings(path: Path) -> list[ast.Constant]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docs]


def test_delivery_and_presentation_hold_no_korean_text() -> None:
    """Labels and sentences of the CLI, web, report and presentation come from the catalogue
    (docstrings may quote Korean output as an example; templates are not Python)."""
    files = [p for pkg in ("cli", "web", "report", "present") for p in
             sorted((PKG / pkg).rglob("*.py"))]
    assert {"data.py", "official.py", "sections.py", "figures.py"} <= {p.name for p in files}
    hits = [f"{p.relative_to(PKG)}:{n.lineno}: {n.value[:40]!r}" for p in files
            for n in _strings_outside_docstrings(p) if HANGUL.search(n.value)]
    assert not hits, "Korean text outside the catalogue (move it to aigap/i18n/locales):\n" \
        + "\n".join(hits)
