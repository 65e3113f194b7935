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
- ``candidates``: a symbolic caller's candidates by what they are made of (:class:`CandidateMemo`);
- ``stats``: counters for the bench (:class:`~trustgraph.smt.cache.SolverStats`).

Nothing is kept at module level: dropping the session (or the ``TrustGraph`` that holds it) frees everything it
remembered. Answers found under one session are never seen by another.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from trustgraph.smt.cache import MAX_ENTRIES, ResultStore, SolvedFormulas, SolverStats
from trustgraph.smt.facts import FactsTable
from trustgraph.smt.formula_texts import FormulaTexts
from trustgraph.smt.options import SolverOptions

if TYPE_CHECKING:
    from trustgraph.semantics.request import Action, Target
    from trustgraph.smt.symbolic import Candidate, SymbolicCaller

#: distinct shapes (caller, action, the role's account, partition, trust principals) :class:`CandidateMemo` keeps
MAX_CANDIDATE_SHAPES = 8


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
        self.candidates = CandidateMemo()

    def clear(self) -> None:
        """Forget every stored answer and reset the counters (the facts stay: they are functions of the policies)."""
        self.store.clear()
        self.formulas.clear()
        self.renamed_nevers.clear()
        self.formula_texts.clear()
        self.candidates.clear()
        for name in self.stats.as_dict():
            setattr(self.stats, name, 0)

    def cache_stats(self) -> dict[str, int]:
        """Counters and sizes, for the bench command."""
        return {**self.stats.as_dict(), "entries": len(self.store)}

    def __repr__(self) -> str:
        return f"SolverSession({self.options}, entries={len(self.store)}, policies={len(self.facts)})"


class CandidateMemo:
    """:func:`~trustgraph.smt.symbolic.symbolic_candidates` by what it reads: the symbolic caller, the action, and of
    the role its account, its ARN's partition and the principals its trust policy names.

    Every hop question of a symbolic caller starts by making its candidates (an outsider: users and role sessions of
    each account the trust policy names and of a fresh one, with and without MFA, each a template and the closures that
    build its z3 keys); vacuous-condition asks up to four questions per condition and class on the same statement and
    role, and roles alike name the same principals, so most lists were made before (condition-heavy-2k: 2,257 lists
    asked per scan, 1,533 of them an outsider's, 15,436 candidates). A candidate is never changed once made (its
    closures build z3 keys from the environment they are given) and none is told apart by identity, so the list made
    first serves every later question of the same shape: the same candidates, in the same order, as made afresh
    (tests/smt/test_candidate_memo.py). Small: a list is ~21 KB (an outsider's ten candidates), and the questions that
    share one come in a row (a role's statement, condition by condition), so past :data:`MAX_CANDIDATE_SHAPES` shapes it
    starts over (condition-heavy-2k: 733 lists made with 8 kept, 660 with 32, 634 with 256, whose ~5 MB per process
    showed in the scan's PSS; lists kept longer also cost the collector more). What it saves is small: the time in
    making candidates went from ~0.2-0.26 s to ~0.14-0.24 s of ~8 s CPU (--jobs 1, single runs on a loaded machine),
    about 1%."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[Any, list[Candidate]] = {}

    def __len__(self) -> int:
        return len(self._made)

    def __call__(self, caller: SymbolicCaller, target: Target, action: Action) -> list[Candidate]:
        """The candidates of ``caller`` for ``action`` on ``target`` (a list the caller must not change)."""
        from trustgraph.model.arn import partition_of
        from trustgraph.smt.symbolic import symbolic_candidates, trust_principals

        role = target.role
        key = (caller, action, role.account, partition_of(role.arn), tuple(trust_principals(target)))
        made = self._made.get(key)
        if made is None:
            made = symbolic_candidates(caller, target, action)
            if len(self._made) >= MAX_CANDIDATE_SHAPES:
                self._made.clear()
            self._made[key] = made
        return made

    def clear(self) -> None:
        """Forget every list."""
        self._made.clear()


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


__all__ = ["MAX_CANDIDATE_SHAPES", "CandidateMemo", "SessionLink", "SolverSession"]
