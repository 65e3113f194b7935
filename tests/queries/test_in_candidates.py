"""The in-candidates of a role (:meth:`HopCandidates.in_candidates`, what the backward closure of who_can_reach reads),
built from each feeding hub's members grouped by resource shape and skipping the shapes whose Resources name other
accounts only, are those of the plain walk over every member of every feeding hub (each tested by the syntactic
identity filter), in the same order, with the same edge data and order keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.graph.build import resource_may_match
from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.candidates import HopCandidates

from .builders import dataset_graph

PROFILES = [("mix", 1), ("federation-heavy", 1), ("chain-heavy", 2), ("vendor-heavy", 1), ("condition-heavy", 1),
            ("random", 1), ("random", 2), ("random", 3), ("random", 6)]


def _plain(c: HopCandidates, role: str) -> tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]:
    """The reference: every member of every hub feeding the role's hubs, one by one."""
    G = c.G
    role_account = G.nodes[role]["account"]
    out: list[tuple[str, dict[str, Any], tuple[int, int]]] = []
    for u, _, data in G.in_edges(role, data=True):
        if G.nodes[u]["kind"] != NodeKind.PRINCIPALS.value:
            out.append((u, data, (0, c._direct_index(u)[id(data)])))
            continue
        for feeder in c._feeders(u):
            entries = c._hub_index(feeder).get(id(data), ())
            if not entries:
                continue
            cross = entries[0][1]["cross_account"]
            identity = entries[0][1].get("identity_required")
            for member, h, account, everything, statements, _ in c._member_rows(feeder):
                if cross and account == role_account:
                    continue
                if identity and not everything and not any(resource_may_match(st, role) for st in statements):
                    continue
                for j, copy in entries:
                    out.append((member, copy, (1 + h, j)))
    return tuple(out)


def _check(tg: TrustGraph) -> int:
    """Every role's in-candidates against the reference; the number of hub rows compared."""
    c = tg.engine.candidates
    via_hubs = 0
    for role in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == NodeKind.ROLE.value):
        got = c.in_candidates(role)
        want = _plain(c, role)
        assert [(u, id(d), k) for u, d, k in got] == [(u, id(d), k) for u, d, k in want], role
        via_hubs += sum(1 for _, _, k in got if k[0] > 0)
    return via_hubs


@pytest.mark.parametrize(("profile", "seed"), PROFILES)
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=25, seed=seed, profile=profile)
    assert _check(load(tmp_path)) > 0


@pytest.mark.parametrize("name", ["example-org", "two-account-sample"])
def test_datasets(name: str) -> None:
    _check(dataset_graph(name))

