"""The result store of one analysis: answers of hop questions keyed by a canonical form of everything they depend on.

Thousands of roles share a handful of trust policies (the same CI role in every account, the same SSO trust), so the
dispatcher (``smt.solve.answer``) looks its question up here first: the canonical trust policy (its model as JSON,
locations dropped: :meth:`~trustgraph.model.policy.Policy.canonical_text`), the role's account, tags and
service-linked flag (and its ARN when a policy of the question names resources), the RCPs, the caller (a concrete
caller's policies and facts, or a symbolic caller's class), the action, the constraints, ``closed``, the pinned time,
the duration and the fast paths in use (``smt.sharing`` builds the key). A hit is re-checked by replaying the stored
witness against the new role (Sat) or re-locating the stored core in the new role's policy (Unsat).

A :class:`ResultStore` belongs to a :class:`~trustgraph.smt.session.SolverSession` and is freed with it; nothing here
is global. :class:`SolverStats` counts what the solver did, for the bench command.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass
from threading import Lock
from typing import Any

from trustgraph.model.policy import Policy

MAX_ENTRIES = 100_000


@dataclass
class SolverStats:
    """Counters of one session: store hits and misses, z3 runs, questions decided without z3, structural
    evaluations, concrete-first guesses evaluated and guesses that answered."""

    hits: int = 0
    misses: int = 0
    solver_calls: int = 0
    fast_path: int = 0
    structure_evaluations: int = 0
    guess_evaluations: int = 0
    guess_hits: int = 0
    trust_gate: int = 0

    def count(self, what: str, n: int = 1) -> None:
        """Increment the counter ``what``."""
        setattr(self, what, getattr(self, what) + n)

    def as_dict(self) -> dict[str, int]:
        """Every counter by name."""
        return asdict(self)


class ResultStore:
    """Answers by key, least recently used evicted beyond ``max_entries`` (thread-safe: notebook users may ask from
    several threads)."""

    def __init__(self, stats: SolverStats, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = Lock()
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._stats = stats
        self.max_entries = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: Any) -> Any | None:
        """The stored value for ``key`` (counts a hit or a miss)."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self._stats.misses += 1
                return None
            self._stats.hits += 1
            self._entries.move_to_end(key)
            return value

    def store(self, key: Any, value: Any) -> None:
        """Remember ``value`` for ``key``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


class SolvedFormulas:
    """z3's answers to the conjunctions a session has decided (:func:`trustgraph.smt.decide.check_tracked`), by the
    formulas asserted, in order: roles alike whose trust policies differ only in where their statements are (a
    statement's location is in the name of its assertion, not in its formula) ask z3 the same conjunction.

    z3's answer in a context of its own is a function of the formulas it is given, in their order
    (:func:`~trustgraph.smt.decide.fresh_context`), and z3 shares every term it has made: equal formulas are one
    object with one id while alive. The key is the formulas' ids, with the settings of the call; each entry holds its
    formulas, so that no id is reused while its key is kept. Only answers that do not read the assertions' names are
    kept (not the incremental solver's, whose tracking literals are named). Least recently used evicted beyond
    ``max_entries``; a miss costs what it did without the store."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._lock = Lock()
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self.max_entries = max_entries
        #: conjunctions answered from the store
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Any) -> Any | None:
        """The entry for ``key``, if kept."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self.hits += 1
                self._entries.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        """Keep ``value`` for ``key``."""
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def canonical_policy(policy: Policy | None) -> str:
    """A policy's canonical text (empty for None): see :meth:`Policy.canonical_text`."""
    return "" if policy is None else policy.canonical_text()


def canonical_levels(levels: tuple[tuple[Policy, ...], ...] | None) -> Any:
    """SCP/RCP levels as nested tuples of canonical policies."""
    if levels is None:
        return None
    return tuple(tuple(p.canonical_text() for p in level) for level in levels)


__all__ = ["MAX_ENTRIES", "ResultStore", "SolvedFormulas", "SolverStats", "canonical_levels", "canonical_policy"]
