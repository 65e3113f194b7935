"""Small shared pieces of the query tests that hold a fast path to its reference: a synthesized organization loaded,
an answer as a comparable key (with each hop's witness context), and every policy statement of an organization."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trustgraph.api import TrustGraph, load
from trustgraph.queries.results import ReachResult


def answer_key(r: ReachResult) -> tuple[Any, ...]:
    """Everything a who_can_reach answer says, hops' witness contexts included, as one comparable value."""
    return (r.source, r.target, r.verdict, r.hops, r.reason, r.approximations,
            tuple(h.evidence[2] if h.evidence else None for h in r.hops))


def ask_every_role(tg: TrustGraph, owner: Any, name: str, replacement: Any) -> None:
    """who_can_reach asked of every role of ``tg`` in name order, with ``owner.name`` replaced by ``replacement``
    (a checking wrapper of the fast path under test) for the duration."""
    import pytest

    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(owner, name, replacement)
        for role in roles:
            tg.who_can_reach(role)


def policy_statements(tg: TrustGraph) -> list[Any]:
    """Every statement of the roles' inline policies and of the accounts' managed policies (those with a document)."""
    statements = [st for caller in tg.estate.role_by_arn.values()
                  for p in caller.inline_policies for st in p.document.statements]
    statements += [st for snap in tg.estate.accounts for mp in snap.policies if mp.document is not None
                   for st in mp.document.statements]
    return statements


def synthesized(tmp: Path, profile: str, seed: int, size: int = 12) -> TrustGraph:
    """A ``trustgraph synth`` organization of 3 accounts x ``size`` roles, written under ``tmp`` and loaded."""
    from trustgraph.synth import synthesize

    synthesize(tmp, accounts=3, roles_per_account=size, seed=seed, profile=profile)
    return load(tmp)
