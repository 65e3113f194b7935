"""The per-(hub, resource shape) edge lists of :meth:`HopCandidates.shape_targets`, indexed by the account of the
role, are the plain filter of the hub's edges (every edge tested by the syntactic identity filter), in the same order;
and the role-session candidate lists built from them are the reference :meth:`HopCandidates.hop_candidates` less the
roles already reached, whatever the order in which sessions ask."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustgraph.api import TrustGraph, load
from trustgraph.graph.build import resource_may_match
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Effect, Glob, Statement
from trustgraph.queries.candidates import HopCandidates, literal_accounts

from .builders import dataset_graph

PROFILES = [("mix", 1), ("federation-heavy", 1), ("chain-heavy", 2), ("vendor-heavy", 1), ("condition-heavy", 1),
            ("random", 1), ("random", 2), ("random", 3), ("random", 6)]


def _plain(c: HopCandidates, hub: str, shape_id: int, statements: tuple[Any, ...]) -> tuple[Any, ...]:
    """The reference: every edge of the hub, tested one by one."""
    return tuple(t for t in c.hub_targets(hub)
                 if not t[1].get("identity_required") or any(resource_may_match(s, t[0]) for s in statements))


def _hubs(tg: TrustGraph) -> list[str]:
    return [n for n, d in tg.graph.nodes(data=True) if d["kind"] == "principals"]


def _check_graph(tg: TrustGraph) -> int:
    c = tg.engine.candidates
    compared = 0
    for hub in _hubs(tg):
        shapes: dict[int, tuple[Any, ...]] = {}
        for member in c._members(hub):
            everything, statements, shape_id = c._scope(member)
            if not everything:
                shapes[shape_id] = statements
        for shape_id, statements in shapes.items():
            assert c.shape_targets(hub, shape_id, statements) == _plain(c, hub, shape_id, statements)
            compared += 1
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    for node in roles:  # a session with nothing reached lists exactly the reference candidates
        assert tuple(c.session_candidates(node, (), {})) == c.hop_candidates(node)
    rng = random.Random(len(roles))
    for _ in range(3):  # one search: visits grow between the sessions' requests, lists shared through `pending`
        visits: set[Any] = set()
        pending: dict[Any, Any] = {}
        for node in rng.sample(roles, min(len(roles), 40)):
            expected = [(r, d) for r, d in c.hop_candidates(node)
                        if not d.get("via_hub") or (r, False) not in visits]
            got = list(c.session_candidates(node, visits, pending))
            assert got == expected
            visits.update((r, False) for r, _ in rng.sample(got, min(len(got), 3)))
    return compared


@pytest.mark.parametrize(("profile", "seed"), PROFILES)
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=15, seed=seed, profile=profile)
    _check_graph(load(tmp_path))


@pytest.mark.parametrize("name", ["example-org", "two-account-sample"])
def test_datasets(name: str) -> None:
    _check_graph(dataset_graph(name))


_ACCOUNTS = ["111122223333", "444455556666", "1111*", "*", "?11122223333", "", "11112222333?", "*3"]
_ODD = ["", "*", "?", "a*", "*m", "i?m", "${aws:username}", "aws-cn", "sts"]
_RESOURCE_TAIL = st.sampled_from(["role/*", "role/R", "role/path/*", "*", "role/R*", "role/${aws:username}",
                                  "user/u", "role/a:b", "*:role/R"])


@st.composite
def _resource(draw: st.DrawFn) -> str:
    """A Resource value with wildcards (or variables) possible in every segment, or fewer than six segments."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["*", "arn:aws:iam::*", "role/*", "arn:*", "*:role/R"]))
    def segment(usual: str) -> str:  # mostly the text of a role's ARN, so that many draws match some role
        return draw(st.sampled_from([usual] * 6 + _ODD))

    return ":".join([segment("arn"), segment("aws"), segment("iam"), segment(""),
                     draw(st.sampled_from(_ACCOUNTS)), draw(_RESOURCE_TAIL)])


def _statement(resources: list[str] | None, not_resources: list[str] | None) -> Statement:
    def globs(texts: list[str] | None) -> tuple[Glob, ...] | None:
        if texts is None:
            return None
        return tuple(Glob(t, parse_pattern(t, wildcards=True, variables=True)) for t in texts)

    return Statement(effect=Effect.ALLOW, actions=(Glob("sts:AssumeRole", parse_pattern(
        "sts:AssumeRole", wildcards=True, variables=False)),), resources=globs(resources), not_resources=globs(
        not_resources))


_statements = st.lists(st.one_of(
    st.lists(_resource(), min_size=0, max_size=3).map(lambda r: _statement(r, None)),
    st.lists(_resource(), min_size=1, max_size=2).map(lambda r: _statement(None, r)),
), min_size=0, max_size=3).map(tuple)

_ROLES = ["arn:aws:iam::111122223333:role/R", "arn:aws:iam::444455556666:role/path/x",
          "arn:aws:iam::111122223333:role/a:b", "arn:aws:iam::011122223333:role/R", "arn:aws:iam::111122223333",
          "arn:aws-cn:iam::111122223333:role/R", "arn:aws:iam::111122223334:role/R"]


@given(_statements)
def test_literal_accounts_is_sound(statements: tuple[Statement, ...]) -> None:
    accounts = literal_accounts(statements)
    for role in _ROLES:
        parts = role.split(":", 5)
        if accounts is not None and any(resource_may_match(s, role) for s in statements):
            assert len(parts) == 6
            assert parts[4] in accounts


_ORG: dict[str, TrustGraph] = {}


def _mix_org(tmp: Path) -> TrustGraph:
    if "mix" not in _ORG:
        from trustgraph.synth import synthesize

        synthesize(tmp, accounts=5, roles_per_account=12, seed=4, profile="mix")
        _ORG["mix"] = load(tmp)
    return _ORG["mix"]


@given(st.lists(_statements, min_size=1, max_size=4))
def test_any_statements_on_every_hub(tmp_path_factory: pytest.TempPathFactory,
                                     shapes: list[tuple[Statement, ...]]) -> None:
    """Statements drawn with wildcards (or variables) in every segment: the indexed list is the plain one on every
    hub of a generated organization."""
    tg = _mix_org(tmp_path_factory.mktemp("mix"))
    c = HopCandidates(tg.graph, tg.engine.caller)
    for shape_id, statements in enumerate(shapes):
        for hub in _hubs(tg):
            assert c.shape_targets(hub, shape_id, statements) == _plain(c, hub, shape_id, statements)


@given(_statements)
def test_resource_accounts_of_the_hub_edges(statements: tuple[Statement, ...]) -> None:
    """The same on a hub whose edges go to the drawn accounts' roles (literal, odd and non-ARN names)."""
    from .builders import account, allow_aws, graph, role, trust

    trusted = ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root", "*"]
    roles = [role(a, name, trust(allow_aws(trusted)))
             for a in ("111122223333", "444455556666", "011122223333") for name in ("R", "x", "R2")]
    tg = _GRAPH.get("hub") or _GRAPH.setdefault("hub", graph(account("111122223333", roles=roles[:3]),
                                                             account("444455556666", roles=roles[3:6]),
                                                             account("011122223333", roles=roles[6:])))
    c = HopCandidates(tg.graph, tg.engine.caller)
    assert sum(len(c.hub_targets(hub)) for hub in _hubs(tg)) >= 18
    for hub in _hubs(tg):
        assert c.shape_targets(hub, 0, statements) == _plain(c, hub, 0, statements)


_GRAPH: dict[str, TrustGraph] = {}
