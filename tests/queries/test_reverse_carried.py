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

from .builders import account, allow_aws, graph, role, trust
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
