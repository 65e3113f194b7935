"""One role, many sources: each source's answer read off one reverse search over the decided hops
(:mod:`trustgraph.queries.reverse`, ``GraphQueries.reverse``) is the answer of the search per source over the whole
backward closure (the reference, ``layered = False``): same sources, verdicts, paths (so shortest-path lengths),
witnesses, reasons and approximations. Compared on the bundled example, the two-account sample, generated
organizations of every profile and estates built to make the two differ (ties between shortest paths, MFA, account
hubs with many members, undecided hops); every witness of the reverse search replays in the evaluator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from tests.counting import count_calls
from tests.queries.engines import compare_engines, org_of
from trustgraph.api import TrustGraph, load
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

from .builders import DATASETS, account, allow_aws, assume_policy, dataset_graph, graph, role, trust, user

OPTIONS = {
    "none": QueryOptions(),
    "without-external-id": QueryOptions.make(without=["sts:ExternalId"]),
    "no-mfa": QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
    "first-action": QueryOptions.make(action="sts:AssumeRole"),
}


def _key(r: ReachResult) -> tuple[Any, ...]:
    return (r.source, r.target, r.verdict, r.hops, r.reason, r.approximations)


def _twins(tg: TrustGraph, solver: SolverOptions | None = None) -> tuple[TrustGraph, TrustGraph]:
    """Two engines over the same graph at the same analysis time: the reverse search, and the reference. They share
    one solver session: both read the same hop answers (which of several valid witnesses a hop gets depends on the
    order questions are asked in)."""
    out = []
    session = SolverSession(solver) if solver is not None else SolverSession()
    for reverse in (True, False):
        twin = twin_of(tg, session)
        twin.layered = reverse
        twin.reverse = reverse
        out.append(twin)
    return out[0], out[1]


def _roles(tg: TrustGraph) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


def _replays(result: ReachResult) -> bool:
    from trustgraph.semantics.evaluate import evaluate_hop

    for hop in result.hops:
        caller, target, request = hop.evidence
        if not evaluate_hop(caller, target, request).allowed:
            return False
    return True


def _compare(tg: TrustGraph, roles: list[str], options: QueryOptions, sources: tuple[str | None, ...] = (None,),
             solver: SolverOptions | None = None) -> dict[Reach, int]:
    """Ask both twins every (source, role) and compare field by field, each hop's witness context included
    (:func:`engines.compare_engines`); the verdicts counted, every reachable answer's witnesses replayed."""
    new_tg, old_tg = _twins(tg, solver)

    def replays(r: ReachResult) -> None:
        assert r.verdict is not Reach.REACHABLE or _replays(r), (r.source, r.target)

    return compare_engines(org_of(tg), {"reverse": new_tg, "per source": old_tg}, options=(options,),
                           sources=sources, targets=roles, each=replays).verdicts


@pytest.mark.parametrize("name", sorted(OPTIONS))
@pytest.mark.parametrize("dataset", DATASETS)
def test_datasets(dataset: str, name: str) -> None:
    tg = dataset_graph(dataset)
    assert _compare(tg, _roles(tg), OPTIONS[name], (None, "external"))[Reach.REACHABLE] > 0


@pytest.mark.parametrize("dataset", DATASETS)
def test_undecided_hops_stay_unknown(dataset: str) -> None:
    """Every hop that reaches z3 times out: the sources that need one are Unknown in both, never dropped."""
    tg = dataset_graph(dataset)
    counts = _compare(tg, _roles(tg), QueryOptions(), (None,), SolverOptions(inject_unknown="timeout (injected)"))
    assert counts[Reach.REACHABLE] > 0
    assert counts[Reach.UNKNOWN] > 0


PROFILES = ("mix", "federation-heavy", "chain-heavy", "vendor-heavy", "condition-heavy")


@pytest.fixture(scope="module", params=PROFILES)
def profiled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp(f"org-{request.param}")
    size = 8 if request.param == "condition-heavy" else 25  # condition-heavy hops are slow to solve
    synthesize(out, accounts=3, roles_per_account=size, seed=3, profile=request.param)
    return load(Path(out))


def test_generated_profiles(profiled: TrustGraph) -> None:
    counts = _compare(profiled, _roles(profiled), QueryOptions(), (None, "external"))
    assert counts[Reach.REACHABLE] > 0


def _reverse_passes(tg: TrustGraph) -> Iterator[tuple[str, Any, Any]]:
    """(role, its backward closure, the reverse pass over it) for every role the reverse pass applies to, closures
    sharing the graph's cache as in a session."""
    from trustgraph.queries.backward import backward_closure

    for target in _roles(tg):
        closure = backward_closure(tg.engine, target, QueryOptions(), cache=tg._closure_cache())
        paths = tg._reverse_paths(closure, QueryOptions(), False)
        if paths is not None:
            yield target, closure, paths


def _into_target_is_the_closures(tg: TrustGraph) -> int:
    """For every role, the reverse search's candidates of a node into the target (the last hop of every path it
    builds, read off the target's rows) are the closure's candidates of the node kept to those into the target, in
    the same order: the nodes checked."""
    checked = 0
    for target, closure, paths in _reverse_passes(tg):
        for node in tg.graph.nodes:
            want = [entry for entry in closure.successors(node) if entry[1] == target]
            assert paths._into_target(node) == want, (target, node)
            checked += bool(want)
    return checked


def test_candidates_into_the_target(profiled: TrustGraph) -> None:
    assert _into_target_is_the_closures(profiled) > 0


def test_candidates_into_the_target_of_a_hub() -> None:
    tg, _ = _hub_and_ties()
    assert _into_target_is_the_closures(tg) > 0


@pytest.fixture(scope="module", params=(1, 2, 3))
def random_seed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    """The random profile (shapes no profile names): seed 1 has roles trusting other accounts' roots, seed 2 roles
    allowed sts:AssumeRole on every role reaching them (hub members by the hundred at scale), seed 3 roles trusted
    organization-wide."""
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp(f"org-random-{request.param}")
    synthesize(out, accounts=3, roles_per_account=25, seed=request.param, profile="random")
    return load(Path(out))


def test_random_profile(random_seed: TrustGraph) -> None:
    """Every role of a small random organization, the queries asked in turn on one engine (the closures share
    what they read across queries, as in an analyst's session)."""
    counts = _compare(random_seed, _roles(random_seed), QueryOptions(), (None, "external"))
    assert counts[Reach.REACHABLE] > 0


def _hub_and_ties() -> tuple[TrustGraph, str]:
    """An account-root trust with many members (only those whose identity policy allows the call get in), users
    with and without MFA, and two shortest paths of the same length through different roles (the forward search's
    order picks one: the reverse search must pick the same)."""
    a = "111111111111"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    users = [user(a, f"u{i}", inline=[everything]) for i in range(3)]
    roles = [role(a, "Target", trust(allow_aws(f"arn:aws:iam::{a}:root")))]
    roles += [role(a, f"M{i}", trust(allow_aws(f"arn:aws:iam::{a}:user/u{i % 3}")),
                   inline=[assume_policy(arn("Target")) if i % 2 else assume_policy(arn("Other"))])
              for i in range(12)]
    roles += [role(a, name, trust(allow_aws([f"arn:aws:iam::{a}:user/u0", f"arn:aws:iam::{a}:user/u1"])),
                   inline=[everything]) for name in ("TieB", "TieA")]
    roles.append(role(a, "Guarded", trust(allow_aws(f"arn:aws:iam::{a}:user/u2", mfa)), inline=[everything]))
    roles.append(role(a, "Other", trust(allow_aws([arn("TieA"), arn("TieB"), arn("Guarded")]))))
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, users=users, roles=roles), zone=zone_from_ids([a])), arn("Target")


def test_hub_members_and_ties() -> None:
    tg, target = _hub_and_ties()
    assert tg.engine.mfa_sensitive
    counts = _compare(tg, _roles(tg), QueryOptions(), (None,))
    assert counts[Reach.REACHABLE] > 0
    found = {r.source.rsplit("/", 1)[-1]: len(r.hops) for r in tg.who_can_reach(target)}
    # odd members allow the call on Target; even ones do not (their identity policy names Other)
    assert {f"M{i}" for i in range(1, 12, 2)} <= set(found)
    assert not {f"M{i}" for i in range(0, 12, 2)} & set(found)
    assert found["TieA"] == found["TieB"] == 1
    assert found["u0"] == 1  # a user of the account: the root trust admits it directly


def _mfa_outcomes() -> tuple[TrustGraph, str]:
    """An outside account B may call R with or without MFA; a session of R with MFA gets into G2 (which requires
    it) and G2 into Target: B's shortest path takes the other MFA outcome of its first hop (3 hops), the session of R
    without MFA goes the long way (R, X1, X2, Target)."""
    a, b = "111111111111", "222222222222"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    roles = [role(a, "R", trust(allow_aws(f"arn:aws:iam::{b}:root")), inline=[everything]),
             role(a, "G2", trust(allow_aws(arn("R"), mfa)), inline=[everything]),
             role(a, "X1", trust(allow_aws(arn("R"))), inline=[everything]),
             role(a, "X2", trust(allow_aws(arn("X1"))), inline=[everything]),
             role(a, "Target", trust(allow_aws([arn("X2"), arn("G2")])))]
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, roles=roles), zone=zone_from_ids([a])), arn("Target")


def test_the_other_mfa_outcome_of_a_first_hop() -> None:
    tg, target = _mfa_outcomes()
    assert _compare(tg, _roles(tg), QueryOptions(), (None, "external"))[Reach.REACHABLE] > 0
    found = {r.source: r for r in tg.who_can_reach(target)}
    assert len(found["account:222222222222"].hops) == 3
    assert len(found["arn:aws:iam::111111111111:role/R"].hops) == 3
    assert found["arn:aws:iam::111111111111:role/R"].hops[0].target.endswith("/X1")


def _named_sessions(restricted: bool) -> tuple[TrustGraph, str]:
    """Sources S0..S5 (every role of the account may call Hub, which trusts the account root) share the rest of
    their path Hub -> Mid -> Fin -> Target, where Fin trusts only the session ``Mid/ops``: the hop Hub -> Mid is asked
    again naming that session (a step of the shared part of the paths). With ``restricted`` Mid admits only
    sessions named ``batch``: the renamed hop is refused and the hop into Fin is marked approximate."""
    a = "111111111111"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    named = {"StringEquals": {"sts:RoleSessionName": "batch"}} if restricted else None
    roles = [role(a, f"S{i}", trust(allow_aws(f"arn:aws:iam::{a}:user/nobody")), inline=[everything])
             for i in range(6)]
    roles += [role(a, "Hub", trust(allow_aws(f"arn:aws:iam::{a}:root")), inline=[everything]),
              role(a, "Mid", trust(allow_aws(arn("Hub"), named)), inline=[everything]),
              role(a, "Fin", trust(allow_aws(f"arn:aws:sts::{a}:assumed-role/Mid/ops")), inline=[everything]),
              role(a, "Target", trust(allow_aws(arn("Fin"))))]
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, roles=roles), zone=zone_from_ids([a])), arn("Target")


@pytest.mark.parametrize("restricted", [False, True])
def test_session_names_agreed_on_a_shared_path(restricted: bool) -> None:
    """The reverse search builds the agreed part of a path shared by many sources once: every source's answer is
    still the reference's, field by field (renamed hops and approximation notes included)."""
    tg, target = _named_sessions(restricted)
    assert _compare(tg, _roles(tg), QueryOptions(), (None,))[Reach.REACHABLE] > 0
    found = {r.source.rsplit("/", 1)[-1]: r for r in tg.who_can_reach(target)}
    assert {f"S{i}" for i in range(6)} <= set(found)
    for i in range(6):
        hops = found[f"S{i}"].hops
        assert [h.target.rsplit("/", 1)[-1] for h in hops] == ["Hub", "Mid", "Fin", "Target"]
        renamed = hops[1].context.get("sts:RoleSessionName") == ("ops",)
        assert renamed is not restricted
        assert bool(hops[2].approximations) is restricted


@pytest.mark.parametrize("restricted", [False, True])
def test_the_session_name_test_reads_the_evidence_as_the_search_record_does(restricted: bool) -> None:
    """``_names_session`` (asked once per source by the path builder) reads the hops' fields directly: it answers
    as ``names_evidence`` on the (method, caller, request) a search records (``evidence_of``), for every ordered
    pair of hops the answers hold (consecutive or not, either order, a hop with itself), both outcomes met."""
    from trustgraph.queries.answers import _names_session, names_evidence
    from trustgraph.queries.outcome import evidence_of

    tg, target = _named_sessions(restricted)
    tg.layered = False  # the reference: each source searched, its path agreed by agree_on_session_names
    hops = {id(h): h for r in tg.who_can_reach(target) for h in r.hops}.values()
    seen = set()
    for prev in hops:
        for hop in hops:
            got = _names_session(prev, hop)
            assert got is names_evidence(evidence_of(prev), evidence_of(hop))
            seen.add(got)
    assert seen == {False, True}

def _first_hops_in_order() -> tuple[TrustGraph, dict[str, str]]:
    """An outside account trusted by three roles, in its candidate order: Far (two hops from Target), Target itself
    and After (one hop from Target); and a second outsider trusted by Far and After only."""
    from trustgraph.ingest.zone_file import zone_from_ids

    a, b, c = "111111111111", "222222222222", "333333333333"
    arns = {name: f"arn:aws:iam::{a}:role/{name}" for name in ("Far", "Mid", "Target", "After")}
    outsiders = [f"arn:aws:iam::{b}:root", f"arn:aws:iam::{c}:root"]
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    roles = [role(a, "Far", trust(allow_aws(outsiders)), inline=[everything]),
             role(a, "Mid", trust(allow_aws(arns["Far"])), inline=[everything]),
             role(a, "Target", trust(allow_aws([outsiders[0], arns["Mid"], arns["After"]]))),
             role(a, "After", trust(allow_aws(outsiders)), inline=[everything])]
    return graph(account(a, roles=roles), zone=zone_from_ids([a])), arns


def test_a_first_hop_that_cannot_be_nearer_is_not_asked() -> None:
    """The reverse search asks a source's first hops in the search's order, each only while it could be strictly
    nearer the target than the best found so far (the first of equally near hops is the one the search takes): after
    the outsider's hop into Target itself, its hop into After is never decided; the second outsider's path goes
    through After, found after Far. Both answers are the reference's."""
    from trustgraph.semantics.request import Action

    tg, arns = _first_hops_in_order()
    counts = _compare(tg, [arns["Target"]], QueryOptions(), (None,))
    assert counts[Reach.REACHABLE] >= 2
    new_tg, _ = _twins(tg)
    found = {r.source: [h.target for h in r.hops] for r in new_tg.who_can_reach(arns["Target"])}
    assert found["account:222222222222"] == [arns["Target"]]
    assert found["account:333333333333"] == [arns["After"], arns["Target"]]
    engine = new_tg.engine
    asked = {(k[0][0], k[1]) for k in (*engine._memo, *engine._derived) if k[2] is Action.ASSUME_ROLE}
    assert ("account:222222222222", arns["Far"]) in asked  # before any best: asked
    assert ("account:222222222222", arns["After"]) not in asked  # past the bound: not asked
    assert ("account:333333333333", arns["After"]) in asked


def test_reverse_answers_without_per_source_searches() -> None:
    """The reverse search answers every reaching source itself: no forward search runs for them."""
    from trustgraph.queries.engine import ReachabilityEngine

    tg, target = _hub_and_ties()
    calls = []
    original = ReachabilityEngine.search

    def counted(self: ReachabilityEngine, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return original(self, *args, **kwargs)

    ReachabilityEngine.search = counted  # type: ignore[method-assign]
    try:
        results = tg.who_can_reach(target)
    finally:
        ReachabilityEngine.search = original  # type: ignore[method-assign]
    assert len(results) > 5 and all(r.verdict is Reach.REACHABLE for r in results)
    assert calls == []


def test_closures_sharing_a_cache_are_those_built_alone(random_seed: TrustGraph) -> None:
    """A backward closure that reads rows and hop shapes a closure to another role left in its ClosureCache is the
    closure built with a cache of its own: same states and statuses, sources and candidate lists."""
    from trustgraph.queries.backward import ClosureCache, backward_closure

    tg = random_seed
    options = QueryOptions()
    shared = ClosureCache(tg.engine)
    for target in _roles(tg):
        together = backward_closure(tg.engine, target, options, cache=shared)
        alone = backward_closure(tg.engine, target, options, cache=ClosureCache(tg.engine))
        assert together.status == alone.status and together.sources == alone.sources, target
        assert together.examined == alone.examined, target
        for node in tg.graph.nodes:
            assert together.successors(node) == alone.successors(node), (target, node)


def test_mfa_session_possible_reads_the_mfa_in_candidates(random_seed: TrustGraph) -> None:
    """HopCandidates.mfa_session_possible answers as a test of mfa_in_candidates' list, with and without users."""
    candidates = random_seed.engine.candidates
    for target in _roles(random_seed):
        listed = candidates.mfa_in_candidates(target)
        for users_count in (False, True):
            fresh = type(candidates)(random_seed.graph, random_seed.engine.caller)
            expected = any(users_count or random_seed.graph.nodes[u]["kind"] != "user" for u, _ in listed)
            assert fresh.mfa_session_possible(target, users_count) is expected, (target, users_count)
            assert candidates.mfa_session_possible(target, users_count) is expected, (target, users_count)
    tg, _ = _hub_and_ties()
    for target in _roles(tg):
        fresh = type(tg.engine.candidates)(tg.graph, tg.engine.caller)
        assert fresh.mfa_session_possible(target, True) is bool(tg.engine.candidates.mfa_in_candidates(target))


def test_a_full_closure_cache_starts_again(random_seed: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ROW_LIMIT rows GraphQueries takes a new ClosureCache; the answers are the same as with one kept."""
    from trustgraph.queries import backward

    kept = TrustGraph(random_seed.estate, random_seed.zone, random_seed.graph)
    kept.engine.now_ms = random_seed.engine.now_ms
    roles = _roles(random_seed)
    expected = [[_key(r) for r in kept.who_can_reach(t)] for t in roles]
    monkeypatch.setattr(backward, "ROW_LIMIT", 5)
    small = TrustGraph(random_seed.estate, random_seed.zone, random_seed.graph)
    small.engine.now_ms = random_seed.engine.now_ms
    small.engine.session = kept.engine.session
    caches = []  # kept alive: their ids stay distinct
    for t, want in zip(roles, expected, strict=True):
        assert [_key(r) for r in small.who_can_reach(t)] == want, t
        caches.append(small._closures)
    assert len({id(c) for c in caches}) > 1


def _lean_compared(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every role asked of two reverse searches on one session, with ``lean_reverse`` (a source whose path is its start
    state's own steps answered with that state's agreed tail; distances and steps read by loops) and without (its
    first hop joined to the next state's tail; walk_distances and the successor generator, the reference of the
    fast path): the same answers field by field. Returns how many answers the fast path
    gave (it must be used for the comparison to mean anything)."""
    from trustgraph.queries.agreed import AgreedPaths

    used = count_calls(monkeypatch, AgreedPaths, "own")
    fast, slow = _twins(tg)
    slow.reverse = True
    slow.layered = True
    slow.lean_reverse = False
    for target in _roles(tg):
        new = fast.who_can_reach(target)
        before = used[0]
        old = slow.who_can_reach(target)
        assert used[0] == before  # the reference never takes the fast path
        assert [_key(r) for r in new] == [_key(r) for r in old], target
        for r in new:
            assert r.verdict is not Reach.REACHABLE or _replays(r), (r.source, target)
    return used[0]


def test_lean_reverse_is_the_reference(profiled: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _lean_compared(profiled, monkeypatch) > 0


def test_lean_reverse_on_random_organizations(random_seed: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _lean_compared(random_seed, monkeypatch) > 0


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted"])
def test_lean_reverse_on_built_estates(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub members and ties, the other MFA outcome of a first hop, session names agreed on a shared path (renamed
    and refused): the states whose tails a source takes as its answer carry every one of them."""
    tg = {"hub": _hub_and_ties, "mfa": _mfa_outcomes, "named": lambda: _named_sessions(False),
          "restricted": lambda: _named_sessions(True)}[shape]()[0]
    assert _lean_compared(tg, monkeypatch) > 0


def test_the_distance_pass_is_walk_distances(random_seed: TrustGraph) -> None:
    """ReversePaths' own distance pass (its hop look-up written into the loop) gives walk_distances' distances with
    the hop test it replaces (_lands_without_mfa), for every role, closures sharing a cache as in a session."""
    from trustgraph.queries.backward import walk_distances

    tg = random_seed
    checked = 0
    for target, closure, paths in _reverse_passes(tg):
        assert paths.dist == walk_distances(tg.graph, closure, paths._lands_without_mfa), target
        checked += len(paths.dist) > 2
    assert checked > 0
