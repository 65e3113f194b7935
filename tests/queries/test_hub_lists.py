"""The shared searches list a plain role session's hops from its hubs' lists made once per (hub, resource shape,
account, action filter) (``SharedSearches.hub_lists``); the reference lists them edge by edge
(``SharedSearches._listed_hops``, ``hub_lists = False``). Both must give every state the same hops in the same order,
and the searches the same states, parents, paths and undecided hops."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org

from trustgraph.checks.context import ScanContext
from trustgraph.queries.shared import SharedSearches
from trustgraph.semantics.request import Action

ORGS = [
    ("example", 0),
    ("sample", 0),
    ("vendor-heavy", 1),
    ("vendor-heavy", 3),
    ("federation-heavy", 1),
    ("mix", 1),
    ("chain-heavy", 3),
    ("condition-heavy", 1),
    ("random", 2),
]


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_hub_lists_equal_the_listed_hops(name: str, seed: int, tmp_path: Path) -> None:
    """Every state the outsiders' searches expand gets the same hops from the hubs' shared lists as listed edge by
    edge, for every action filter; members of a hub with no edge of their own share one tuple."""
    tg = small_org(name, seed, tmp_path)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    for source, outside_only in sources:
        shared.search(source, ctx.options(), outside_only=outside_only)
    states = {key[0] for key in shared._expansions}
    roles = [s for s in states if tg.graph.nodes[s[0]]["kind"] == "role"]
    assert roles or name == "example"
    plain_states = 0
    for state in states:
        expansion = shared.expansion(state, 1, ctx.options(), ())
        if not expansion.plain:
            continue
        plain_states += 1
        for wanted in (None, *Action):
            listed = shared._listed_hops(state[0], True, wanted)
            assert shared._plain_hops(state[0], wanted) == listed, (state, wanted)
        assert expansion.hops == shared._listed_hops(state[0], True, None)
    # condition-heavy's policies read carried keys (engine.demand): its sessions are never plain
    assert plain_states or name in ("example", "sample", "condition-heavy")
    # a hub's tuple is shared: the members with no edge of their own and one hub hold the same object
    by_id = {id(shared._plain_hops(s[0], None)) for s in roles}
    assert len(by_id) <= len(roles)


@pytest.mark.parametrize(("name", "seed"), [("vendor-heavy", 1), ("federation-heavy", 1), ("random", 2)])
def test_searches_with_hub_lists_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    """The outsiders' searches with the hubs' shared lists and with the edge-by-edge reference: same states in the
    same order, parents, depths, paths (witnesses) and undecided hops, under the three options of the reach
    checks."""
    tg = small_org(name, seed, tmp_path)
    ctx = ScanContext(tg)
    fast = SharedSearches(tg.engine)
    reference = SharedSearches(tg.engine)
    reference.hub_lists = False
    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    assert sources
    compared = 0
    for options in (
        ctx.options(),
        ctx.options(without=("sts:ExternalId",)),
        ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
    ):
        for source, outside_only in sources:
            new = fast.search(source, options, outside_only=outside_only)
            old = reference.search(source, options, outside_only=outside_only)
            assert [(s, v.parent, new.path_to(s), v.depth) for s, v in new.visits.items()] == [
                (s, v.parent, old.path_to(s), v.depth) for s, v in old.visits.items()
            ]
            assert new.first == old.first and new.unknown_edges == old.unknown_edges
            compared += len(new.visits)
    assert compared > len(sources)
    assert fast._hub_hops and not reference._hub_hops


def test_enum_members_hash_by_identity() -> None:
    """Action and CallerKind hash by identity (in C); they still compare and look up as before."""
    from trustgraph.semantics.request import CallerKind

    for member in (*Action, *CallerKind):
        assert hash(member) == object.__hash__(member)
        assert {member: 1}[type(member)(member.value)] == 1
    assert Action("sts:AssumeRole") is Action.ASSUME_ROLE and Action.ASSUME_ROLE != "sts:AssumeRole"
