"""The package's layers, checked from the source: every import (at module level, inside functions and under
``TYPE_CHECKING`` alike) goes downward, the subpackages have no import cycle, and no module is over 800 lines.

Layers, lowest first (docs/architecture.md explains each)::

    errors, _lazy, safe_text, atomic_write, timeline, the package root (version, lazy names)
    model
    ingest, semantics
    smt
    graph
    queries
    checks
    report
    render, plot
    api (the notebook facade ``TrustGraph``)
    synth, bench, bench_adversarial, collect
    cli
    __main__

A unit (a subpackage, or a top-level module) may import units of lower layers, and units of its own layer as long as
the units form no cycle, and no two units import each other. Upward imports would have to be listed in
:data:`DISPLAY_HOOKS`, which is empty: the notebook displays and tables that used to import the renderers from a
result value now live in the facade (``trustgraph.api``) or are handed to IPython by it. The list is exact: a new
upward import fails the test, and so does an entry that no longer exists.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "trustgraph"
MAX_LINES = 800

#: unit -> layer rank (lower ranks never import higher ones)
LAYERS: dict[str, int] = {
    "errors": 0, "_lazy": 0, "__init__": 0, "safe_text": 0, "atomic_write": 0, "timeline": 0,
    "model": 1,
    "ingest": 2, "semantics": 2,
    "smt": 3,
    "graph": 4,
    "queries": 5,
    "checks": 6,
    "report": 7,
    "render": 8, "plot": 8,
    "api": 9,
    "synth": 10, "bench": 10, "bench_adversarial": 10, "collect": 10,
    "cli": 11,
    "__main__": 12,
}

#: The upward imports allowed: (importing module, enclosing function, imported unit). None: the values below the
#: renderers get their notebook displays from the facade (trustgraph.render.notebook.register_displays).
DISPLAY_HOOKS: frozenset[tuple[str, str, str]] = frozenset()


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, path: Path) -> list[tuple[str, str, int]]:
    """(imported trustgraph module, enclosing function or '', line) for every import statement of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str, int]] = []
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((a.name, function, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    name = ".".join(base + ([child.module] if child.module else []))
                else:
                    name = child.module or ""
                found.append((name, function, child.lineno))
            visit(child, function)

    visit(tree, "")
    return [(name, fn, line) for name, fn, line in found if name == "trustgraph" or name.startswith("trustgraph.")]


def _edges() -> list[tuple[str, str, str, str, int]]:
    """(importing module, its unit, imported unit, enclosing function, line) for imports across units."""
    out = []
    for module, path in _modules():
        for name, function, line in _imports(module, path):
            src, dst = _unit(module), _unit(name)
            if src != dst:
                out.append((module, src, dst, function, line))
    return out


def test_every_unit_has_a_layer() -> None:
    units = {_unit(m) for m, _ in _modules()}
    missing = sorted(units - set(LAYERS))
    assert not missing, f"add these to LAYERS in {__file__} (and to docs/architecture.md): {missing}"


def test_imports_go_downward() -> None:
    upward = []
    hooks_used = set()
    for module, src, dst, function, line in _edges():
        if src not in LAYERS or dst not in LAYERS or LAYERS[dst] <= LAYERS[src]:
            continue
        if (module, function, dst) in DISPLAY_HOOKS:
            hooks_used.add((module, function, dst))
            continue
        upward.append(f"{module}:{line} ({function or 'module level'}) imports {dst} (layer {LAYERS[dst]} above "
                      f"{src}'s {LAYERS[src]})")
    assert not upward, "upward imports:\n" + "\n".join(upward)
    assert hooks_used == DISPLAY_HOOKS, f"display hooks listed but gone: {sorted(DISPLAY_HOOKS - hooks_used)}"


def test_no_cycle_between_units() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, src, dst, function, _ in _edges():
        if (module, function, dst) not in DISPLAY_HOOKS:
            graph[src].add(dst)
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(u: str) -> None:
        state[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == 1:
                pytest.fail("import cycle: " + " -> ".join([*stack[stack.index(v):], v]))
            if v not in state:
                visit(v)
        stack.pop()
        state[u] = 2

    for u in sorted(graph):
        if u not in state:
            visit(u)


def test_no_two_units_import_each_other() -> None:
    """A pair of units importing each other, in either direction and at any depth of a module (functions included),
    is named with the import lines of both sides: the cycle test below would only show one path of it."""
    lines: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, src, dst, function, line in _edges():
        if (module, function, dst) not in DISPLAY_HOOKS:
            lines[(src, dst)].append(f"{module}:{line} ({function or 'module level'})")
    pairs = sorted((a, b) for a, b in lines if a < b and (b, a) in lines)
    assert not pairs, "units importing each other:\n" + "\n".join(
        f"{a} <-> {b}: {lines[(a, b)][0]} imports {b}; {lines[(b, a)][0]} imports {a}" for a, b in pairs)


def test_no_module_over_800_lines() -> None:
    long = {str(p.relative_to(PACKAGE.parent)): n for _, p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them along a seam): {long}"


def test_the_checker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    """The checker is not blind to the imports that hid the old cycle."""
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from trustgraph.render.report import ScanReport\n"
        "def f():\n    from trustgraph.cli.common import load_inputs\n"
        "class C:\n    def g(self):\n        import trustgraph.plot\n"
        "from . import sibling\n",
        encoding="utf-8",
    )
    found = _imports("trustgraph.checks.mod", source)
    assert [(n, fn) for n, fn, _ in found] == [
        ("trustgraph.render.report", ""), ("trustgraph.cli.common", "f"), ("trustgraph.plot", "g"),
        ("trustgraph.checks", ""),
    ]
