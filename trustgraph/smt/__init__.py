"""The z3 encoding of one assume-role hop, its solve entry point, witness decoding and a result cache.

Public API: a :class:`~trustgraph.smt.question.HopQuestion` answered by :func:`~trustgraph.smt.solve.answer` (the
fast paths, then the reference path) or :func:`~trustgraph.smt.solve.reference_answer` (the reference path alone)
within a :class:`~trustgraph.smt.session.SolverSession` (the caches and :class:`~trustgraph.smt.options.SolverOptions`
of one analysis); :func:`~trustgraph.smt.solve.solve_hop` builds the question from arguments. Answers are
:class:`~trustgraph.smt.results.Sat` / :class:`~trustgraph.smt.results.Unsat` /
:class:`~trustgraph.smt.results.Unknown`; constraints :class:`~trustgraph.smt.results.KeyConstraint`; outsiders
:class:`~trustgraph.smt.symbolic.SymbolicCaller`.
z3 is imported only by the submodules, and by them only when first used (:mod:`trustgraph.smt.z3lazy`), so
``import trustgraph.smt`` and its submodules stay cheap.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "solve_hop": "trustgraph.smt.solve",
    "answer": "trustgraph.smt.solve",
    "reference_answer": "trustgraph.smt.solve",
    "HopQuestion": "trustgraph.smt.question",
    "HopAnswer": "trustgraph.smt.question",
    "SolverOptions": "trustgraph.smt.options",
    "SolverSession": "trustgraph.smt.session",
    "KeyConstraint": "trustgraph.smt.results",
    "Sat": "trustgraph.smt.results",
    "Unsat": "trustgraph.smt.results",
    "Unknown": "trustgraph.smt.results",
    "HopResult": "trustgraph.smt.results",
    "DEFAULT_TIMEOUT_MS": "trustgraph.smt.results",
    "SymbolicCaller": "trustgraph.smt.symbolic",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = sorted(_EXPORTS)
