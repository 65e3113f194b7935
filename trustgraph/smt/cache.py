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


_LOCK = Lock()
_STORE: OrderedDict[Any, Any] = OrderedDict()
_STATS = _Stats()


def canonical_policy(policy: Policy | None) -> str:
    """A policy as sorted JSON without locations: equal documents give equal strings."""
    if policy is None:
        return ""
    from trustgraph.ingest.policy_json import policy_to_json

    return json.dumps(policy_to_json(policy), sort_keys=True, separators=(",", ":"))


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
    """Increment a counter (``solver_calls``, ``fast_path``, ``structure_evaluations``)."""
    with _LOCK:
        setattr(_STATS, what, getattr(_STATS, what) + n)


def cache_stats() -> dict[str, int]:
    """Hit/miss counters and sizes, for the bench command."""
    with _LOCK:
        return {"hits": _STATS.hits, "misses": _STATS.misses, "entries": len(_STORE),
                "solver_calls": _STATS.solver_calls, "fast_path": _STATS.fast_path,
                "structure_evaluations": _STATS.structure_evaluations}


def clear_cache() -> None:
    """Forget every entry and reset the counters (tests, benches)."""
    with _LOCK:
        _STORE.clear()
        for name in ("hits", "misses", "solver_calls", "fast_path", "structure_evaluations"):
            setattr(_STATS, name, 0)
