"""One role, many sources, in an estate whose policies read carried session values (tags, source identity): each
source's answer read off the reverse search over carried states (:mod:`trustgraph.queries.reverse_carried`) is the
answer of the search per source over the whole backward closure (the reference, ``layered = False``): same sources,
verdicts, paths, witnesses, reasons and approximations. Compared on small random organizations whose policies read
carried tags, on hand-built source-identity and tag chains, with the hops asked under several options and with
injected undecided hops; every witness of the reverse search replays in the evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.smt.options import SolverOptions

from .builders import V, account, allow_aws, graph, role, trust
from .test_carried import ASSUME_SET, ASSUME_TAG, A, B, _si_chain, allow_all, arn
from .test_reverse import OPTIONS, _key, _roles, _twins
from .test_reverse import _compare as compare_every_pair


def _compare(tg: TrustGraph, options: QueryOptions, sources: tuple[str | None, ...] = (None, "external"),
             solver: SolverOptions | None = None) -> dict[Reach, int]:
    """Both twins asked every (source, role) in turn; compared field by field; the verdicts counted. The carried
    reverse search must have answered (it is not switched off by the estate)."""
    assert tg.engine.demand, "the estate must read a carried value"
    assert _twins(tg, solver)[0].carried_reverse
    return compare_every_pair(tg, _roles(tg), options, sources, solver)


@pytest.fixture(scope="module", params=(6, 7, 8, 11))
def carried_org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    """Random shapes (no profile names them) whose policies read carried session tags at 3 x 25 roles."""
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp(f"org-random-{request.param}")
    synthesize(out, accounts=3, roles_per_account=25, seed=request.param, profile="random")
    return load(Path(out))


@pytest.mark.parametrize("name", ["none", "without-external-id", "first-action"])
def test_random_organizations_reading_carried_tags(carried_org: TrustGraph, name: str) -> None:
    assert _compare(carried_org, OPTIONS[name])[Reach.REACHABLE] > 0


def test_undecided_hops_stay_unknown(carried_org: TrustGraph) -> None:
    """Every hop that reaches z3 times out: the sources that need one are Unknown in both, never dropped."""
    counts = _compare(carried_org, QueryOptions(), (None,), SolverOptions(inject_unknown="timeout (injected)"))
    assert counts[Reach.REACHABLE] + counts[Reach.UNKNOWN] > 0


def _tag_estate() -> TrustGraph:
    """Pinned and optional transitive tags, a role that reads aws:PrincipalTag with either value, a role whose
    trust lacks sts:TagSession (a carrying session is refused there), and two routes of the same length."""
    pinned = {"StringEquals": {"aws:RequestTag/team": ["blue", "red"]},
              "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}
    tagging = allow_all("sts:AssumeRole", "sts:TagSession")
    blue = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    red = {"StringEquals": {"aws:PrincipalTag/team": "red"}}
    return graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", pinned, ASSUME_TAG)), inline=[tagging]),
        role(A, "Free", trust(allow_aws(f"arn:aws:iam::{B}:root", None, ASSUME_TAG)), inline=[tagging]),
        role(A, "Blue", trust(allow_aws([arn("First"), arn("Free")], blue, ASSUME_TAG)), inline=[tagging]),
        role(A, "Plain", trust(allow_aws([arn("First"), arn("Free")])), inline=[tagging]),
        role(A, "Red", trust(allow_aws([arn("Blue"), arn("Plain")], red, ASSUME_TAG)), inline=[tagging]),
        role(A, "Target", trust(allow_aws([arn("Blue"), arn("Red"), arn("Plain")], None, ASSUME_TAG))),
    ]), zone=zone_from_ids([A]))


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_hand_built_carried_chains(name: str) -> None:
    bob = {"StringEquals": {"aws:SourceIdentity": "bob"}}
    for tg in (_si_chain(["alice", "bob"], ASSUME_SET, bob), _si_chain(["bob"], "sts:AssumeRole", bob),
               _tag_estate()):
        _compare(tg, OPTIONS[name], (None, "external", f"account:{B}"))


def test_the_tag_estate_is_answered_by_carried_paths() -> None:
    """The outsider reaches Target through a session that carries a tag value; both searches agree on its path."""
    tg = _tag_estate()
    found = {r.source: r for r in tg.who_can_reach(arn("Target"))}
    assert found[f"account:{B}"].verdict is Reach.REACHABLE
    assert _compare(tg, QueryOptions(), (None,))[Reach.REACHABLE] > 0


@pytest.mark.parametrize("name", ["none", "without-external-id"])
def test_each_outsider_on_its_own_as_the_checks_ask(carried_org: TrustGraph, name: str) -> None:
    """``query("external", role, per_member=True)`` (the reach checks' question): one answer per outsider."""
    new_tg, old_tg = _twins(carried_org)
    reached = 0
    for target in _roles(carried_org):
        new = new_tg.query("external", target, OPTIONS[name], per_member=True)
        old = old_tg.query("external", target, OPTIONS[name], per_member=True)
        assert [_key(r) for r in new] == [_key(r) for r in old], target
        reached += sum(r.verdict is Reach.REACHABLE for r in new)
    assert reached > 0


# ------------------------------------------------------------------------------- a path back through a start state
SAML = f"arn:aws:iam::{B}:saml-provider/Okta"


def _back_through_a_start(second_sso: bool = False) -> TrustGraph:
    """An outside SAML provider and an outside role Out of B as one group of sources, asked with the first-hop action
    sts:AssumeRoleWithSAML: the provider gets into Sso, whose session may assume Out, which may assume Target (and
    SelfHop, a role that may assume itself); Out's own first hop is refused by the action, but a later hop from the
    same session is not. Sso may also reach Target the long way, through Mid and Far. A role reads aws:SourceIdentity,
    so the estate reads a carried value (the carried reverse search answers it). ``second_sso``: Sso2, after Sso in
    the provider's candidate order, trusts the provider too and may assume Out."""
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": "*"}]}}
    saml = {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"}
    out = f"arn:aws:iam::{B}:role/Out"
    reads_si = {"StringEquals": {"aws:SourceIdentity": "bob"}}
    return graph(account(A, roles=[
        role(A, "Sso", trust(saml), inline=[everything]),
        role(A, "Mid", trust(allow_aws(arn("Sso"))), inline=[everything]),
        role(A, "Far", trust(allow_aws(arn("Mid"))), inline=[everything]),
        role(A, "Target", trust(allow_aws([out, arn("Far")]))),
        role(A, "Reader", trust(allow_aws(f"arn:aws:iam::{A}:root", reads_si, ASSUME_SET))),
        *([role(A, "Sso2", trust(saml), inline=[everything])] if second_sso else []),
    ]), account(B, roles=[role(B, "Out", trust(allow_aws([arn("Sso"), arn("Sso2")] if second_sso else arn("Sso"))),
                               inline=[everything])]),
        zone=zone_from_ids([A]))


def test_a_path_back_through_a_start_state_is_refused() -> None:
    """The reverse search's shortest path for the group goes provider -> Sso -> Out -> Target, through Out, a start
    state of the group, which the forward search never visits twice: the reverse search refuses it (no answer: the
    caller searches), and the search from the same starts takes the long way instead."""
    from trustgraph.queries.backward import backward_closure
    from trustgraph.queries.reverse_carried import CarriedPaths, usable

    tg = _back_through_a_start()
    engine, target, out = tg.engine, arn("Target"), f"arn:aws:iam::{B}:role/Out"
    provider = next(n for n in tg.graph if n.startswith("federated:") and n.endswith("Okta"))
    options = QueryOptions.make(action="sts:AssumeRoleWithSAML")
    starts = (provider, out)
    assert engine.demand and usable(engine, options)
    closure = backward_closure(engine, target, options, outside_only=True, starts=frozenset(starts))
    paths = CarriedPaths(engine, closure, options, outside_only=True, groups=[("group", starts)])
    begins = [b for node in starts for b in paths._starts(node)]
    while True:  # as CarriedPaths.result deepens: until the least distance is exact
        best = paths._best_first_hop(begins, {s for s, _ in begins})
        if (best is not None and best[0] - 1 <= paths.levels) or paths.complete:
            break
        paths._deepen(max(1, paths.levels))
    assert best is not None and best[0] == 3 and best[2][0] == arn("Sso")  # Sso -> Out -> Target: through a start
    assert paths.result("group", starts) is None
    outcome = engine.search("group", options, outside_only=True, stop_at=target, starts=starts,
                            candidates=closure.candidates)
    searched = engine.result_for(outcome, target)
    assert searched.verdict is Reach.REACHABLE
    assert [h.target for h in searched.hops] == [arn("Sso"), arn("Mid"), arn("Far"), target]


def test_a_first_hop_into_a_start_state_is_not_taken() -> None:
    """A first hop that lands in a start state of the group is not taken (the forward search has visited that state):
    the group {provider, Sso} asked with the first action sts:AssumeRoleWithSAML (which refuses Sso's own first
    hops) goes provider -> Sso2 -> Out -> Target, not through provider -> Sso, the first of the two equally near
    first hops; without Sso2 neither search finds a path."""
    from trustgraph.queries.backward import backward_closure
    from trustgraph.queries.reverse_carried import CarriedPaths

    options = QueryOptions.make(action="sts:AssumeRoleWithSAML")
    out = f"arn:aws:iam::{B}:role/Out"
    for second_sso in (True, False):
        tg = _back_through_a_start(second_sso)
        engine, target = tg.engine, arn("Target")
        provider = next(n for n in tg.graph if n.startswith("federated:") and n.endswith("Okta"))
        starts = (provider, arn("Sso"))
        closure = backward_closure(engine, target, options, starts=frozenset(starts))
        paths = CarriedPaths(engine, closure, options, outside_only=False, groups=[("group", starts)])
        found = paths.result("group", starts)
        outcome = engine.search("group", options, stop_at=target, starts=starts, candidates=closure.candidates)
        if not second_sso:
            assert found is None
            assert target not in outcome.first and not outcome.unknown_edges
            continue
        assert found is not None and [h.target for h in found.hops] == [arn("Sso2"), out, target]
        assert _key(found) == _key(engine.result_for(outcome, target))
