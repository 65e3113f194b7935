"""The hops of a state that is not a plain session listed once per (node, action filter)
(``SharedSearches.listed_memo``) against their reference (listed per state): the same searches, moves, engine memos
and questions; the listing shared only by states of one node under one action filter, each equal to the node's own
listing; a graph changed under the searches listed again; and scans with the same findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import assert_searched_alike, outsider_searches, same_scans, searched_with
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.graph.nodes import bump_version
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.shared import SharedSearches
from trustgraph.semantics.request import Action
from trustgraph.synth import synthesize


def _random5(tmp_path: Path) -> TrustGraph:
    synthesize(tmp_path, accounts=4, roles_per_account=40, seed=5, profile="random")
    return load(tmp_path)


@pytest.mark.parametrize("undecided", [0, 3])
def test_listed_memo_searches_as_the_reference(undecided: int, tmp_path: Path) -> None:
    """4 accounts of 40 roles of the random profile, seed 5 (states carrying transitive tags, and states carrying
    nothing but asked with a carried value): every outsider search, move, engine memo and question alike."""
    tg = _random5(tmp_path)
    fast = searched_with(twin(tg), "listed_memo", True, undecided)
    slow = searched_with(twin(tg), "listed_memo", False, undecided)
    assert_searched_alike(fast[:3], slow[:3])
    assert fast[3] == slow[3]


def test_listing_shared_only_by_one_node_and_filter(tmp_path: Path) -> None:
    """After the searches, every expansion of a state that is not a plain session holds its node's own listing
    (what :meth:`SharedSearches._listed_hops` lists for that state alone), the same tuple for every state of the node
    under one action filter, and some node has several such states (else nothing would be shared). A memo keyed by
    less than (node, action filter) fails the first assertion: the nodes' listings differ, and so do a node's first
    hop (filtered) and its later hops."""
    tg = _random5(tmp_path)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    outsider_searches(ctx, shared)
    for source in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] != "role"):  # first hops filtered
        shared.search(source, QueryOptions(action=Action.ASSUME_ROLE))
    by_key: dict[tuple[str, Action | None], set[int]] = {}
    for (state, first, options, _), expansion in shared._expansions.items():
        if expansion.plain:
            continue
        wanted = options.action if first else None
        assert expansion.hops == shared._listed_hops(state[0], False, wanted)
        by_key.setdefault((state[0], wanted), set()).add(id(expansion.hops))
    assert by_key
    assert all(len(ids) == 1 for ids in by_key.values())
    states = {}
    for (state, _, _, _), expansion in shared._expansions.items():
        if not expansion.plain:
            states.setdefault(state[0], set()).add(state)
    assert any(len(v) > 1 for v in states.values())


def test_changed_graph_lists_again(tmp_path: Path) -> None:
    """A search after the graph changed (``bump_version``) lists every node again: the memo is emptied with the
    expansions."""
    tg = _random5(tmp_path)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    outsider_searches(ctx, shared)
    assert shared._listed
    marker = next(iter(shared._listed))
    shared._listed[marker] = ()  # a stale listing a new search must not read
    bump_version(tg.graph)
    outsider_searches(ctx, shared)
    assert shared._listed[marker] != ()


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("condition-heavy", 1), ("sample", 0)])
def test_scans_with_listed_memo_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "listed_memo"))
