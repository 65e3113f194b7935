"""The solver side of one analysis: the object that owns every cache the hop answers use.

A :class:`SolverSession` is created by whoever runs an analysis (a :class:`~trustgraph.queries.engine.
ReachabilityEngine`, hence a ``TrustGraph``; a test; the bench) and handed to
:func:`trustgraph.smt.solve.answer` with each question. It holds

- ``options``: which fast paths and caches may be used (:class:`~trustgraph.smt.options.SolverOptions`, the one
  switch for tests);
- ``store``: answers by canonical question (:class:`~trustgraph.smt.cache.ResultStore`);
- ``facts``: per-policy facts by policy content (:class:`~trustgraph.smt.facts.FactsTable`);
- ``formulas``: z3's answers by the formulas asserted (:class:`~trustgraph.smt.cache.SolvedFormulas`);
- ``renamed_nevers``: the principal gate's proved small answers by their form up to an account
  (:func:`trustgraph.smt.principal_gate.renamed_key`);
- ``formula_texts``: z3's text of the formulas those forms spell (:class:`~trustgraph.smt.formula_texts.
  FormulaTexts`);
- ``stats``: counters for the bench (:class:`~trustgraph.smt.cache.SolverStats`).

Nothing is kept at module level: dropping the session (or the ``TrustGraph`` that holds it) frees everything it
remembered. Answers found under one session are never seen by another.
"""

from __future__ import annotations

import weakref
from typing import Any

from trustgraph.smt.cache import MAX_ENTRIES, ResultStore, SolvedFormulas, SolverStats
from trustgraph.smt.facts import FactsTable
from trustgraph.smt.formula_texts import FormulaTexts
from trustgraph.smt.options import SolverOptions


class SolverSession:
    """The caches and switches of one analysis (see the module docstring)."""

    def __init__(self, options: SolverOptions | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        self.options = options if options is not None else SolverOptions()
        self.stats = SolverStats()
        self.store = ResultStore(self.stats, max_entries)
        self.facts = FactsTable()
        self.formulas = SolvedFormulas()
        self.renamed_nevers: dict[Any, bool] = {}
        self.formula_texts = FormulaTexts()

    def clear(self) -> None:
        """Forget every stored answer and reset the counters (the facts stay: they are functions of the policies)."""
        self.store.clear()
        self.formulas.clear()
        self.renamed_nevers.clear()
        self.formula_texts.clear()
        for name in self.stats.as_dict():
            setattr(self.stats, name, 0)

    def cache_stats(self) -> dict[str, int]:
        """Counters and sizes, for the bench command."""
        return {**self.stats.as_dict(), "entries": len(self.store)}

    def __repr__(self) -> str:
        return f"SolverSession({self.options}, entries={len(self.store)}, policies={len(self.facts)})"


class SessionLink:
    """The session a lazily explained answer computes its core in, held weakly: the session's store keeps the answer,
    so an answer holding its session strongly makes the session, its caches and every answer in them one reference
    cycle, alive until a full collection after the engine is dropped. Once the session is gone, the core is computed
    in a new session with the same options: a session's caches change what a core costs, not what it is."""

    __slots__ = ("_options", "_session")

    def __init__(self, session: SolverSession) -> None:
        self._session = weakref.ref(session)
        self._options = session.options

    def __call__(self) -> SolverSession:
        """The session, or a new one with its options when it has been freed."""
        live = self._session()
        return live if live is not None else SolverSession(self._options)


__all__ = ["SessionLink", "SolverSession"]
