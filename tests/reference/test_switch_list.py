"""The list of fast-path switches (:mod:`trustgraph.checks.reference_mode`) is complete and every entry is a switch.

A fast path added without an entry fails here three ways: the package is scanned for switch-like attributes (a bool
set in a class body, a ``ClassVar[bool]``, a bool at module level, a bool a ``GraphQueries`` sets on itself, a
``SolverOptions`` field), and the switch column of docs/architecture.md's fast-path table is read, each name it gives
resolved to an entry; the other way round, every entry must be named in that table.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import fields
from pathlib import Path

import trustgraph
from trustgraph.checks import reference_mode as rm
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.smt.options import SolverOptions

PACKAGE = Path(trustgraph.__file__).resolve().parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

#: bools in class bodies or at module level that are not fast-path switches: state or data, with the reason
NOT_SWITCHES = {
    "plot._REGISTERED": "state: the plot module registered its backends once",
    "decide._heap_kept": "state: the allocator thresholds were set once in this process",
    "decide.keep_heap": "memory only (allocator thresholds): no answer depends on where freed heap goes",
}

#: names in the table's switch column that are no switch of a scan's findings, with the reason
NOT_SCAN_SWITCHES = {
    "SolverOptions.reference": "the options with every field off, not a field",
    "every_source": "the context manager that sets SourceTail.enabled (listed)",
    "TrustGraph.scan.every_source": "the scan option that sets SourceTail.enabled (listed)",
    "CarriedPaths.from_one": "set by GraphQueries.lazy_from_one (listed)",
    "PARTS_MAX_MB": "worker parts: a scan with one process makes none",
    "ScanReport.grouped_order": "report layer: orders the findings after the scan",
    "render_json": "render layer: writes the findings after the scan",
    "json_chunks.lean_tables": "render layer: writes the findings after the scan",
    "Tables.lean": "render layer: writes the findings after the scan",
    "ondemand.lean_flat": "the reference function of ActionSequences.shared (listed), not a switch",
    "AdminDecider.may_allow": "the reference of a fast path with no switch (escalation globs read one by one)",
    "reference": "SolverOptions.reference(), the options with every field off",
}


def code_labels() -> set[str]:
    """Every switch the module lists, as ``Owner.name``."""
    labels = {s.label for s in rm.SWITCHES}
    labels |= {f"{type(obj).__name__}.{name}" for obj, name, _ in rm.CHECK_OBJECT_SWITCHES}
    labels |= {f"{c.__module__.rsplit('.', 1)[-1]}.{c.__name__}" for c in rm.CONTEXTS}
    labels |= {f"GraphQueries.{name}" for name in rm.QUERY_SWITCHES}
    labels |= {f"ScanContext.{name}" for name in rm.SCAN_OPTIONS}
    labels |= {f"SolverOptions.{f.name}" for f in fields(SolverOptions) if f.type in ("bool", bool)}
    return labels


def switch_like_in_package() -> set[str]:
    """``Class.name`` of every bool set in a class body without a field annotation (or as a ``ClassVar[bool]``) and
    ``module.name`` of every bool at module level, in the package's source."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for st in node.body:
                if isinstance(st, ast.Assign) and _is_bool(st.value):
                    found |= {f"{node.name}.{t.id}" for t in st.targets if isinstance(t, ast.Name)}
                elif (isinstance(st, ast.AnnAssign) and _is_bool(st.value) and isinstance(st.target, ast.Name)
                      and "ClassVar" in ast.unparse(st.annotation)):
                    found.add(f"{node.name}.{st.target.id}")
        for st in tree.body:
            if not isinstance(st, ast.Assign | ast.AnnAssign):
                continue
            target = st.targets[0] if isinstance(st, ast.Assign) else st.target
            if isinstance(target, ast.Name) and _is_bool(st.value):
                found.add(f"{path.stem if path.stem != '__init__' else path.parent.name}.{target.id}")
    return found


def _is_bool(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, bool)


def query_instance_bools() -> set[str]:
    """The bools ``GraphQueries.__init__`` sets on ``self``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(GraphQueries.__init__)))
    return {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) and _is_bool(n.value)
            for t in n.targets if isinstance(t, ast.Attribute)}


def table_rows() -> list[str]:
    """The switch column of the fast-path table."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    start = text.index("| fast path | module | switch |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split(" | ")[2])
    return rows


def table_names(column: str) -> set[str]:
    """The switch names a table cell gives in backquotes, as ``Owner.name`` (``Ctor(kw=False)`` -> ``Ctor.kw``,
    ``a.b.Class.attr`` -> ``Class.attr``, ``func()`` -> ``module.func``, ``TrustGraph`` read as ``GraphQueries``)."""
    names = set()
    for quoted in re.findall(r"`([^`]+)`", column):
        text = quoted.split(" = ")[0]
        text = text if "(" in text else text.removesuffix("=False")
        call = re.fullmatch(r"([\w.]+)\((?:\.\.\., )?(\w+)=\w+\)", text)
        if call:
            text = f"{call.group(1)}.{call.group(2)}"
        text = text.removesuffix("()")
        if text.startswith("TrustGraph.") and not text.startswith("TrustGraph.scan"):
            text = "GraphQueries." + text.split(".", 1)[1]
        names |= {n for n in (part.strip() for part in text.split("/")) if n}
    return names


def resolve(name: str, labels: set[str]) -> set[str]:
    """The labels a table name stands for: itself, or those ending in its last two parts (or in its one part)."""
    if name in labels:
        return {name}
    tail = ".".join(name.split(".")[-2:])
    return {label for label in labels if label == tail or label.endswith("." + tail)}


def test_every_switch_like_attribute_is_listed() -> None:
    labels = code_labels()
    missing = {n for n in switch_like_in_package() if n not in labels and n not in NOT_SWITCHES}
    assert not missing, f"switch-like attributes with no entry in trustgraph/checks/reference_mode.py: {missing}"


def test_every_query_switch_is_listed() -> None:
    assert query_instance_bools() == set(rm.QUERY_SWITCHES)


def test_every_table_switch_is_listed() -> None:
    labels = code_labels()
    unresolved = {n for row in table_rows() for n in table_names(row)
                  if n not in NOT_SCAN_SWITCHES and not resolve(n, labels)}
    assert not unresolved, f"fast-path table switches with no entry in reference_mode: {unresolved}"


def test_every_listed_switch_is_in_the_table() -> None:
    labels = code_labels()
    named = {label for row in table_rows() for n in table_names(row) for label in resolve(n, labels)}
    assert labels - named == set(), f"listed switches the fast-path table does not name: {labels - named}"


def test_every_entry_is_a_switch_with_its_default_on() -> None:
    """Each entry names an existing attribute or keyword default holding the fast value (True, or for
    ``layered_kept`` a bound), and the reference options turn every SolverOptions field off."""
    for switch in rm.SWITCHES:
        value = switch.read()
        assert value is not switch.reference, switch.label
        if isinstance(switch.reference, bool):
            assert value is True, switch.label
    for obj, name, reference in rm.CHECK_OBJECT_SWITCHES:
        assert getattr(obj, name) is True and reference is False
    queries = GraphQueries.__new__(GraphQueries)
    GraphQueries.__init__(queries, trustgraph.load().estate)
    assert all(getattr(queries, name) is True for name in rm.QUERY_SWITCHES)
    assert SolverOptions().is_reference is False and SolverOptions.reference().is_reference


def test_reference_mode_sets_and_restores_every_switch() -> None:
    before = [s.read() for s in rm.SWITCHES]
    try:
        with rm.reference_mode():
            assert [s.read() for s in rm.SWITCHES] == [s.reference for s in rm.SWITCHES]
            assert all(getattr(o, n) == v for o, n, v in rm.CHECK_OBJECT_SWITCHES)
            from trustgraph.checks.exact import shortcuts_enabled
            from trustgraph.semantics.actions import index_enabled

            assert not shortcuts_enabled() and not index_enabled()
            raise KeyError("leaving the block by an error restores the switches too")
    except KeyError:
        pass
    assert [s.read() for s in rm.SWITCHES] == before
