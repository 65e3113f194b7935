"""The z3 encoding of one assume-role hop, its solve entry point, witness decoding and a result cache.

Public API: :func:`~trustgraph.smt.solve.solve_hop` with :class:`~trustgraph.smt.results.KeyConstraint`,
:class:`~trustgraph.smt.results.Sat` / :class:`~trustgraph.smt.results.Unsat` /
:class:`~trustgraph.smt.results.Unknown`,
:class:`~trustgraph.smt.symbolic.SymbolicCaller`, and :func:`~trustgraph.smt.cache.cache_stats`. z3 is imported only
by the submodules, so ``import trustgraph.smt`` stays cheap.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "solve_hop": "trustgraph.smt.solve",
    "KeyConstraint": "trustgraph.smt.results",
    "Sat": "trustgraph.smt.results",
    "Unsat": "trustgraph.smt.results",
    "Unknown": "trustgraph.smt.results",
    "HopResult": "trustgraph.smt.results",
    "DEFAULT_TIMEOUT_MS": "trustgraph.smt.results",
    "inject_unknown": "trustgraph.smt.results",
    "SymbolicCaller": "trustgraph.smt.symbolic",
    "cache_stats": "trustgraph.smt.cache",
    "clear_cache": "trustgraph.smt.cache",
    "guess_stats": "trustgraph.smt.cache",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = sorted(_EXPORTS)
