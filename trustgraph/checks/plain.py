"""Hop witnesses and reach answers as plain values, to cross process boundaries (:mod:`trustgraph.checks.parallel`).

A :class:`~trustgraph.queries.results.HopWitness` keeps its request context in a ``MappingProxyType``, which does not
pickle; its ``evidence`` (the caller, target and request objects a query reads when it asks a hop again) is left out:
it is not part of a witness's value (``compare=False``), and what is rebuilt from plain values is only read into
findings, whose report never shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trustgraph.queries.results import HopWitness, Reach, ReachResult


def hop_to_plain(h: HopWitness) -> dict[str, Any]:
    """A hop witness as picklable plain values (its evidence left out)."""
    return {"source": h.source, "target": h.target, "action": h.action, "caller": h.caller, "context": dict(h.context),
            "statements": h.statements, "approximations": h.approximations, "method": h.method,
            "calls": tuple((a, r, dict(c)) for a, r, c in h.calls)}


def hop_from_plain(plain: dict[str, Any]) -> HopWitness:
    """The inverse of :func:`hop_to_plain`."""
    return HopWitness(**plain)


def results_to_plain(results: Iterable[ReachResult], memo: dict[int, Any]) -> tuple[Any, ...]:
    """Reach answers as picklable plain values (their hops' evidence left out): each answer a tuple, each distinct hop
    witness one dictionary that every answer through it refers to, so that ``pickle`` writes it once when the values
    are pickled together (the answers of one source share most of their hops, and the sources' paths end with the
    same hops: random:2 at 2,000 roles, the federated providers' answers for the admin roles hold ~30x fewer distinct
    hops than hops; written once per answer, half of them took 5.6 MB and ~0.25 s of CPU to write and read back).
    ``memo`` (id of a hop -> its dictionary) is shared by the calls whose values are pickled together; the caller
    keeps the answers alive meanwhile (the ids are theirs)."""
    def plain(h: HopWitness) -> dict[str, Any]:
        found: dict[str, Any] | None = memo.get(id(h))
        if found is None:
            found = memo[id(h)] = hop_to_plain(h)
        return found

    kept = list(results)
    return tuple((r.source, r.target, r.verdict.value, tuple(plain(h) for h in r.hops), r.reason, r.approximations)
                 for r in kept)


def results_from_plain(plain: Iterable[tuple[Any, ...]], memo: dict[int, Any]) -> tuple[ReachResult, ...]:
    """The inverse of :func:`results_to_plain`: one hop witness per distinct dictionary, shared by the answers;
    ``memo`` (id of a dictionary -> its hop) shared by the calls on values unpickled together, which the caller keeps
    alive meanwhile."""
    items = list(plain)

    def hop(h: dict[str, Any]) -> HopWitness:
        found: HopWitness | None = memo.get(id(h))
        if found is None:
            found = memo[id(h)] = hop_from_plain(h)
        return found

    return tuple(ReachResult(source=source, target=target, verdict=Reach(verdict), hops=tuple(hop(h) for h in path),
                             reason=reason, approximations=approximations)
                 for source, target, verdict, path, reason, approximations in items)


__all__ = ["hop_from_plain", "hop_to_plain", "results_from_plain", "results_to_plain"]
