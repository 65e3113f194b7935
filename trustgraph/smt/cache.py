"""Results of solved hops, keyed by a canonical form of everything the answer depends on.

Thousands of roles share a handful of trust policies (the same CI role in every account, the same SSO trust), so
``solve_hop`` looks its question up here first: the canonical trust policy (JSON with sorted keys, locations
dropped), the role's account, tags and service-linked flag (and its ARN when the caller's identity policies could
name it), the RCPs, the caller (a concrete caller's policies and facts, or a symbolic caller's class), the action,
the constraints, ``closed``, the pinned time and the duration. A hit is re-checked by replaying the cached witness
against the new role (Sat) or re-locating the cached core in the new role's policy (Unsat).

Counters for a bench command: :func:`cache_stats`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from trustgraph.model.policy import Policy

MAX_ENTRIES = 100_000


@dataclass
class _Stats:
    hits: int = 0
    misses: int = 0
    solver_calls: int = 0
    fast_path: int = 0
    structure_evaluations: int = 0
    guess_evaluations: int = 0
    guess_hits: int = 0


_LOCK = Lock()
_STORE: OrderedDict[Any, Any] = OrderedDict()
_STATS = _Stats()


_CANONICAL: dict[int, tuple[Policy, str]] = {}


def _statement_form(st: Any) -> list[Any]:
    def globs(g: Any) -> Any:
        return None if g is None else [x.text for x in g]

    def principals(ps: Any) -> Any:
        return None if ps is None else [[p.element.value, p.text] for p in ps]

    return [
        st.sid, st.effect.value, principals(st.principals), principals(st.not_principals), globs(st.actions),
        globs(st.not_actions), globs(st.resources), globs(st.not_resources),
        # one entry per Condition: two conditions with the same operator and key stay two (a JSON object would
        # merge them, and two different policies would then share a cache entry)
        [[c.operator_text, c.key_text, [[type(v).__name__, v] for v in c.values]] for c in st.conditions],
    ]


def canonical_policy(policy: Policy | None) -> str:
    """A policy as canonical JSON of its model (locations dropped): equal policies give equal strings, different
    policies different strings. Memoised per policy object."""
    if policy is None:
        return ""
    cached = _CANONICAL.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    text = json.dumps([policy.version, policy.id, [_statement_form(st) for st in policy.statements]],
                      separators=(",", ":"))
    with _LOCK:
        if len(_CANONICAL) > 4 * MAX_ENTRIES:
            _CANONICAL.clear()
        _CANONICAL[id(policy)] = (policy, text)
    return text


def canonical_levels(levels: tuple[tuple[Policy, ...], ...] | None) -> Any:
    """SCP/RCP levels as nested tuples of canonical policies."""
    if levels is None:
        return None
    return tuple(tuple(canonical_policy(p) for p in level) for level in levels)


def lookup(key: Any) -> Any | None:
    """The cached value for ``key`` (counts a hit or a miss)."""
    with _LOCK:
        value = _STORE.get(key)
        if value is None:
            _STATS.misses += 1
            return None
        _STATS.hits += 1
        _STORE.move_to_end(key)
        return value


def store(key: Any, value: Any) -> None:
    """Remember ``value`` for ``key`` (least recently used entries are evicted beyond ``MAX_ENTRIES``)."""
    with _LOCK:
        _STORE[key] = value
        _STORE.move_to_end(key)
        while len(_STORE) > MAX_ENTRIES:
            _STORE.popitem(last=False)


def count(what: str, n: int = 1) -> None:
    """Increment a counter (``solver_calls``, ``fast_path``, ``structure_evaluations``, ``guess_evaluations``,
    ``guess_hits``)."""
    with _LOCK:
        setattr(_STATS, what, getattr(_STATS, what) + n)


def cache_stats() -> dict[str, int]:
    """Hit/miss counters and sizes, for the bench command."""
    with _LOCK:
        return {"hits": _STATS.hits, "misses": _STATS.misses, "entries": len(_STORE),
                "solver_calls": _STATS.solver_calls, "fast_path": _STATS.fast_path,
                "structure_evaluations": _STATS.structure_evaluations}


def guess_stats() -> dict[str, int]:
    """Concrete-first counters: requests guessed and evaluated, and questions they answered (``fast_path`` counts
    the latter too)."""
    with _LOCK:
        return {"guess_evaluations": _STATS.guess_evaluations, "guess_hits": _STATS.guess_hits}


def clear_cache() -> None:
    """Forget every entry and reset the counters (tests, benches)."""
    with _LOCK:
        _STORE.clear()
        for name in ("hits", "misses", "solver_calls", "fast_path", "structure_evaluations", "guess_evaluations",
                     "guess_hits"):
            setattr(_STATS, name, 0)
