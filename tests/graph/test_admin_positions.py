"""AdminDecider.may_allow from each policy's shared statement positions (``shared_positions``) answers as the
reference, the copy's own statements for the action (``statements_for_action``): every principal's quick answer and
status, field by field, and may_allow for many actions on the identity policies of every principal (most of them
moved copies of repeated documents). Data: the project's test exports, the bundled example and generated
organizations."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.graph.admin import AdminDecider, effective_caller
from trustgraph.graph.build import _Index
from trustgraph.ingest.load import load_estate
from trustgraph.model.estate import Estate
from trustgraph.semantics.actions import statement_action_matches, statements_for_action
from trustgraph.synth import synthesize

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ("zzprobe:ZzProbe", "iam:ZzProbe", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy",
           "iam:AttachUserPolicy", "sts:AssumeRole", "s3:GetObject", "iam:PassRole", "ec2:RunInstances")


@pytest.fixture(scope="module", params=["sample", "checks", "example-org", "generated"])
def estate(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Estate:
    if request.param == "generated":
        out = tmp_path_factory.mktemp("org")
        synthesize(out, accounts=4, roles_per_account=50, seed=5)
        return load_estate([out])
    paths = {"sample": ROOT / "tests" / "data" / "two-account-sample", "checks": ROOT / "tests" / "data" / "checks",
             "example-org": ROOT / "datasets" / "example-org"}
    return load_estate([paths[str(request.param)]])


def _principals(estate: Estate) -> list[tuple[str, bool, tuple[str, ...]]]:
    out = []
    for acct in estate.accounts:
        for u in acct.users:
            managed = (*u.managed_policy_arns, *(a for g in u.groups if g in acct.group_by_name
                                                 for a in acct.group_by_name[g].managed_policy_arns))
            out.append((u.arn, True, managed))
        out.extend((r.arn, False, r.managed_policy_arns) for r in acct.roles)
    return out


def _decide(estate: Estate, shared: bool, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    with monkeypatch.context() as m:
        m.setattr(AdminDecider, "shared_positions", shared)
        index, decider = _Index(estate, estate.default_zone()), AdminDecider()
        out: list[object] = []
        for arn, user, managed in _principals(estate):
            policies = index.identity_policies(arn)
            out.append((arn, decider.quick(policies, user, managed), decider.status(effective_caller(estate, arn)),
                        tuple(decider.may_allow(policies, a) for a in ACTIONS)))
        return out


def test_decisions_equal_reference(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _decide(estate, False, monkeypatch)
    assert reference  # the data has principals
    assert _decide(estate, True, monkeypatch) == reference  # AdminStatus: a frozen dataclass, compared by field


def test_positions_are_the_selected_statements(estate: Estate) -> None:
    index = _Index(estate, estate.default_zone())
    for arn, _, _ in _principals(estate):
        for p in index.identity_policies(arn):
            for action in ACTIONS:
                at = p.positions(action, statement_action_matches)
                assert tuple(p.statements[i] for i in at) == statements_for_action(p, action)
                assert [st.location for st in (p.statements[i] for i in at)] == \
                    [st.location for st in statements_for_action(p, action)]


def test_edge_batch_direct_equals_add_edges_from(monkeypatch: pytest.MonkeyPatch) -> None:
    """_EdgeBatch.flush filling the adjacency itself gives add_edges_from's graph: same edges, keys, attributes
    (merged for a key listed twice), insertion orders of successors and predecessors; an endpoint that is not a node
    yet is added as add_edge adds it."""
    import networkx as nx
    from deep_values import deep

    from trustgraph.graph.build import _EdgeBatch

    def build(direct: bool) -> nx.MultiDiGraph:
        with monkeypatch.context() as m:
            m.setattr(_EdgeBatch, "direct", direct)
            G = nx.MultiDiGraph()
            for n in ("a", "b", "c"):
                G.add_node(n, kind=n)
            G.add_edge("c", "a", "k0", old=True)
            batch = _EdgeBatch(G)
            for u, v, key, attrs in [("a", "b", "k1", {"x": 1}), ("b", "a", "k1", {"x": 2}),
                                     ("a", "b", "k2", {"y": 3}), ("a", "b", "k1", {"x": 4, "z": 5}),
                                     ("c", "a", "k0", {"new": 1}), ("a", "a", "self", {}), ("a", "d", "k", {"n": 1}),
                                     ("c", "b", "k3", {"w": (1, 2)})]:
                batch.add(u, v, key, attrs)
            batch.flush()
            assert batch.pending == []
            return G

    def form(G: nx.MultiDiGraph) -> object:
        return ([(n, deep(dict(d))) for n, d in G.nodes(data=True)],
                [(u, v, k, deep(dict(d))) for u, v, k, d in G.edges(keys=True, data=True)],
                [(n, list(G.pred[n]), list(G.succ[n])) for n in G])

    assert form(build(True)) == form(build(False))
