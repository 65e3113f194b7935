"""One role, many sources: the searches restricted to shortest-path layers (``TrustGraph.layered``,
:class:`trustgraph.queries.backward.Layers`) give the answers of the searches over the whole backward closure (the
reference, ``layered = False``): same sources, verdicts, paths, witnesses, reasons and approximations, on the test
datasets, generated organizations of several seeds, and an estate of long chains where the two searches differ most
in the states they visit."""

from __future__ import annotations

from pathlib import Path

import pytest
from twins import twin as twin_of

from tests.queries.engines import compare_engines, org_of
from trustgraph.api import TrustGraph, load
from trustgraph.queries.backward import Layers, backward_closure, distances
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession

from .builders import DATASETS, account, allow_aws, dataset_graph, graph, role, trust, user

OPTIONS = {
    "none": QueryOptions(),
    "without-external-id": QueryOptions.make(without=["sts:ExternalId"]),
    "no-mfa": QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
    "first-action": QueryOptions.make(action="sts:AssumeRole"),
}


def _twins(tg: TrustGraph) -> tuple[TrustGraph, TrustGraph]:
    """Two engines over the same graph at the same analysis time: layered, and the reference. They share one solver
    session: both read the same hop answers (which of several valid witnesses a hop gets depends on the order
    questions are asked in)."""
    out = []
    session = SolverSession()
    for layered in (True, False):
        twin = twin_of(tg, session)
        twin.layered = layered
        twin.reverse = False  # the layered searches per source (the reverse search: test_reverse.py)
        out.append(twin)
    return out[0], out[1]


def _roles(tg: TrustGraph) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


def _compare(tg: TrustGraph, roles: list[str], options: QueryOptions, sources: tuple[str | None, ...] = (None,),
             ) -> int:
    """Ask both twins every (source, role) and compare field by field, each hop's witness context included
    (:func:`engines.compare_engines`); returns how many answers were reachable."""
    new_tg, old_tg = _twins(tg)
    return compare_engines(org_of(tg), {"layered": new_tg, "whole closure": old_tg}, options=(options,),
                           sources=sources, targets=roles).reachable


@pytest.mark.parametrize("name", sorted(OPTIONS))
@pytest.mark.parametrize("dataset", DATASETS)
def test_datasets(dataset: str, name: str) -> None:
    tg = dataset_graph(dataset)
    assert _compare(tg, _roles(tg), OPTIONS[name], (None, "external")) > 0


@pytest.fixture(scope="module", params=[1, 2, 5])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp(f"org-seed{request.param}")
    synthesize(out, accounts=4, roles_per_account=30, seed=request.param)
    return load(Path(out))


@pytest.mark.parametrize("name", ["none", "without-external-id"])
def test_generated_organizations(generated: TrustGraph, name: str) -> None:
    roles = _roles(generated)
    assert _compare(generated, roles, OPTIONS[name], (None, "external")) > 0


def _chains() -> tuple[TrustGraph, str]:
    """Users reach Start; Start reaches F0..F4 and C1; C(k) trusts C(k-1) and every F; the last C is the target. The
    closure holds every role, a user's shortest path is 3 hops (through an F), a C's runs down the chain."""
    a = "111111111111"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    users = [user(a, f"u{i}", inline=[everything]) for i in range(6)]
    roles = [role(a, "Start", trust(allow_aws([f"arn:aws:iam::{a}:user/u{i}" for i in range(6)])),
                  inline=[everything]),
             role(a, "Guarded", trust(allow_aws(f"arn:aws:iam::{a}:user/u0", mfa)), inline=[everything])]
    roles += [role(a, f"F{j}", trust(allow_aws(arn("Start"))), inline=[everything]) for j in range(5)]
    previous = "Start"
    for k in range(1, 9):
        trusted = [arn(previous)] + [arn(f"F{j}") for j in range(5)] + ([arn("Guarded")] if k == 8 else [])
        roles.append(role(a, f"C{k}", trust(allow_aws(trusted)), inline=[everything]))
        previous = f"C{k}"
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, users=users, roles=roles), zone=zone_from_ids([a])), arn("C8")


def test_long_chains() -> None:
    tg, target = _chains()
    assert tg.engine.mfa_sensitive
    assert _compare(tg, _roles(tg), QueryOptions()) > 0
    found = {r.source: len(r.hops) for r in tg.who_can_reach(target)}
    assert found["arn:aws:iam::111111111111:user/u1"] == 3
    assert found["arn:aws:iam::111111111111:user/u0"] == 2  # through Guarded, with MFA
    assert found["arn:aws:iam::111111111111:role/C1"] == 7


def test_distances_count_hops_to_the_target() -> None:
    tg, target = _chains()
    options = QueryOptions()
    closure = backward_closure(tg.engine, target, options)
    dist = distances(tg.engine, closure, options)
    assert dist[(target, False)] == 0
    assert dist[("arn:aws:iam::111111111111:role/F0", False)] == 1
    assert dist[("arn:aws:iam::111111111111:role/C1", False)] == 7
    assert dist[("arn:aws:iam::111111111111:role/Start", False)] == 2
    layers = Layers(tg.engine, closure, options)
    outcome = layers.search("arn:aws:iam::111111111111:user/u3", ("arn:aws:iam::111111111111:user/u3",),
                            outside_only=False)
    assert target in outcome.first
    # only states on (or within the bound of) a shortest path were visited: never C1..C7
    assert not any(node.endswith(("/C1", "/C4", "/C7")) for node, _ in outcome.visits)
