"""Hops the caller's fixed values rule out (``queries.fixed``, switch ``SolverOptions.fixed_refutation``).

Every hop it refutes is Unsat on the reference path (every candidate encoded and solved, no fast path), and the
searches from outside and the who_can_reach answers of an engine with the switch on equal those of the switch off,
field by field: on the bundled example, the two-account sample and small random-profile organizations whose trusts
pin principal tags that the sessions carrying demanded transitive tags do not have (seeds 13 and 5 carry demanded tags;
seed 5 at 400 roles is where the solver built thousands of full encodings for such hops)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _fresh(tg: TrustGraph, on: bool, session: SolverSession, per_role_demand: bool) -> TrustGraph:
    # one solver session for both runs (the switch off first): a hop sent to the solver gets the same witness in both
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.per_role_demand = per_role_demand
    fresh.engine.now_ms = tg.engine.now_ms
    session.options = SolverOptions() if on else SolverOptions().without("fixed_refutation")
    fresh.engine.session = session
    return fresh


def _plain(results: Any) -> list[Any]:
    return [(r.source, r.target, r.verdict, r.reason, r.approximations, tuple(
        (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
        for h in r.hops)) for r in results]


def _answers(tg: TrustGraph, roles: list[str]) -> list[Any]:
    out = []
    for without in ((), ("sts:ExternalId",)):
        out.append(_plain(tg.query("*", None, QueryOptions.make(without=without))))
    for role in roles:
        out.append(_plain(tg.who_can_reach(role)))
    return out


def _roles(tg: TrustGraph, n: int = 8) -> list[str]:
    roles = sorted(r for r, d in tg.graph.nodes(data=True) if d["kind"] == "role" and d["inside"])
    return roles[:: max(1, len(roles) // n)]


def _check(tg: TrustGraph, per_role_demand: bool = True) -> tuple[int, int]:
    """Compare the two switches' answers; every refuted hop against the reference path. Returns (refuted hops,
    refuted hops of carried sessions). ``per_role_demand`` off: every hop into a role that may allow the companion
    action is asked with every demanded value, as before values were asked per role (the carried sessions this test
    is about are then made for every such role, not only for those whose downstream reads the value)."""
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.solve import Sat, Unknown, reference_answer

    roles = _roles(tg)
    session = SolverSession()
    off = _answers(_fresh(tg, False, session, per_role_demand), roles)
    on_tg = _fresh(tg, True, session, per_role_demand)
    engine = on_tg.engine
    tested = engine.fixed_refutes
    refuted_hops: dict[Any, None] = {}  # every hop the engine refuted, in order (however its verdicts are kept)

    def recorded(state: Any, role: str, action: Any) -> bool:
        hit = tested(state, role, action)
        if hit:
            refuted_hops[(state, role, action)] = None
        return hit

    engine.fixed_refutes = recorded  # type: ignore[method-assign]
    on = _answers(on_tg, roles)
    assert len(on) == len(off)
    for a, b in zip(on, off, strict=True):
        assert a == b
    refuted = list(refuted_hops)
    for state, role, action in refuted:
        q = HopQuestion(engine.caller(*state), engine.target(role), action, (), False, engine.now_ms)
        reference = reference_answer(q)
        assert not isinstance(reference, (Sat, Unknown)), (state, role, action)
    return len(refuted), sum(1 for state, _, _ in refuted if len(state) == 3)


def test_bundled_example() -> None:
    _check(load())


def test_two_account_sample() -> None:
    _check(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("seed", "roles", "carried_refuted"), [(13, 15, True), (5, 30, True), (10, 15, False),
                                                                (2, 15, False)])
def test_random_profile(seed: int, roles: int, carried_refuted: bool, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=roles, seed=seed, profile="random")
    refuted, carried = _check(load(tmp_path), per_role_demand=not carried_refuted)
    if seed != 2:
        assert refuted > 0
    if carried_refuted:
        assert carried > 0


def test_a_session_carrying_a_tag_another_trust_pins_otherwise_is_refuted() -> None:
    """A session carrying the transitive tag team=data calls a role whose trust allows team=platform from any address
    of a range (aws:SourceIp: the caller's choice, so evaluation does not decide the hop): refuted, as the reference
    path says; the same trust allowing team=data is not refuted. A role whose trust does not allow sts:TagSession is
    refuted for every carried session (the carried tags pass into the new session)."""
    from trustgraph.queries.fixed import fixed_refutes
    from trustgraph.semantics.carried import Carried
    from trustgraph.semantics.request import Action
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.solve import Sat, Unsat, reference_answer

    from .builders import account, graph, role, trust

    a = "111122223333"

    def statement(team: str, tag_session: bool) -> dict[str, Any]:
        actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
        return {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:root"}, "Action": actions,
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": team},
                              "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}

    assume = {"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]}}
    tg = graph(account(a, roles=[
        role(a, "caller", trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a}:root"},
                                 "Action": "sts:AssumeRole"}), inline=[assume]),
        role(a, "platform", trust(statement("platform", True))),
        role(a, "data", trust(statement("data", True))),
        role(a, "data-no-tags", trust(statement("data", False))),
    ]))
    engine = tg.engine
    carried = engine.caller(f"arn:aws:iam::{a}:role/caller", False, Carried(None, (("team", "data"),)))
    plain = engine.caller(f"arn:aws:iam::{a}:role/caller", False)
    expected = {("platform", True): True, ("data", True): False, ("data-no-tags", True): True,
                ("platform", False): True, ("data", False): True, ("data-no-tags", False): True}
    for (name, carries), refuted in expected.items():
        caller = carried if carries else plain
        target = engine.target(f"arn:aws:iam::{a}:role/{name}")
        assert fixed_refutes(caller, target, Action.ASSUME_ROLE, engine.now_ms) is refuted, (name, carries)
        reference = reference_answer(HopQuestion(caller, target, Action.ASSUME_ROLE, (), False, engine.now_ms))
        assert isinstance(reference, Unsat if refuted else Sat), (name, carries)


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().fixed_refutation
    assert SolverOptions().fixed_refutation
