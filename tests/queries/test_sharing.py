"""Hop answers shared between searches under different constraints (``ReachabilityEngine.decide``) and hops decided by
evaluation under constraints on caller-derived keys (``queries.ground``) give the verdicts of solving every hop."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.derived import DerivedUnsat, contradictory, meets_all
from trustgraph.queries.ground import decide_by_evaluation
from trustgraph.queries.options import QueryOptions
from trustgraph.semantics.request import Action, Verdict
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import KeyConstraint, Sat, Unknown, solve_hop

from .builders import DATASETS, dataset_graph

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
MFA = "aws:MultiFactorAuthPresent"

OPTIONS = {
    "none": QueryOptions(),
    "without-external-id": QueryOptions.make(without=["sts:ExternalId"]),
    "no-mfa": QueryOptions.make(not_like={MFA: ["true"]}),
}


@pytest.fixture(scope="module", params=DATASETS)
def tg(request: pytest.FixtureRequest) -> TrustGraph:
    return dataset_graph(request.param)


def _twin(tg: TrustGraph, *, sharing: bool) -> TrustGraph:
    twin = TrustGraph(tg.estate, tg.zone, tg.graph.copy())
    twin.engine.now_ms = tg.engine.now_ms
    twin.engine.session = SolverSession(SolverOptions(derived_answers=sharing))
    return twin


def _outside_sources(tg: TrustGraph) -> list[str]:
    return ["external"] + sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "account")


def _answers(tg: TrustGraph, order: tuple[str, ...]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for name in order:
        for source in _outside_sources(tg):
            for r in tg.query(source, None, OPTIONS[name], per_member=True):
                out[(name, r.source, r.target)] = (r.verdict, len(r.hops))
                for hop in r.hops:
                    assert hop.replay().verdict is Verdict.ALLOW
                    assert meets_all(hop.evidence[2], tg.engine.constraints(OPTIONS[name]))
    return out


@pytest.mark.parametrize("order", list(permutations(sorted(OPTIONS))), ids="/".join)
def test_searches_under_several_constraints_share_hops_without_changing_verdicts(
        tg: TrustGraph, order: tuple[str, ...]) -> None:
    shared, solved = _twin(tg, sharing=True), _twin(tg, sharing=False)
    assert _answers(shared, order) == _answers(solved, order)
    assert solved.engine.shared == 0
    assert shared.engine.shared > 0


def test_who_can_reach_after_the_checks_searches_shares_hops_without_changing_verdicts(tg: TrustGraph) -> None:
    shared, solved = _twin(tg, sharing=True), _twin(tg, sharing=False)
    _answers(shared, tuple(OPTIONS))
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    for name, options in OPTIONS.items():
        for role in roles:
            a = [(r.source, r.verdict, len(r.hops)) for r in shared.query(None, role, options)]
            b = [(r.source, r.verdict, len(r.hops)) for r in solved.query(None, role, options)]
            assert a == b, (name, role)


def test_a_derived_unsat_explains_itself_with_the_hops_own_core(tg: TrustGraph) -> None:
    """The reason an exact query prints for a blocked hop is the solver's for that hop, not the one it was derived
    from."""
    shared, solved = _twin(tg, sharing=True), _twin(tg, sharing=False)
    _answers(shared, tuple(OPTIONS))
    derived = [(k, v) for k, v in shared.engine._derived.items() if isinstance(v, DerivedUnsat)]
    assert derived
    for key, value in derived[:20]:
        own = solved.engine.solve(*key)
        assert not isinstance(own, Sat)
        if not isinstance(own, Unknown):
            assert value.core == own.core and value.locations == own.locations
            assert shared.engine.explain_unsat(key[1], value) == solved.engine.explain_unsat(key[1], own)


def test_exact_reasons_are_the_same_with_sharing(tg: TrustGraph) -> None:
    shared, solved = _twin(tg, sharing=True), _twin(tg, sharing=False)
    _answers(shared, tuple(OPTIONS))
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    for name in ("without-external-id", "no-mfa"):
        for source in _outside_sources(tg):
            for role in roles:
                a = shared.query(source, role, OPTIONS[name])
                b = solved.query(source, role, OPTIONS[name])
                assert [(r.verdict, len(r.hops), r.reason) for r in a] == [(r.verdict, len(r.hops), r.reason)
                                                                         for r in b], (name, source, role)


# ----------------------------------------------------------------------------------------------- evaluation
def test_hops_of_exported_principals_without_mfa_are_decided_by_evaluation_as_by_the_solver(tg: TrustGraph) -> None:
    """A constraint on a caller-derived key (no MFA) no longer sends a concrete caller's hop to the solver; the
    verdict is the solver's."""
    engine = tg.engine
    constraints = (KeyConstraint(MFA, "not-like", ("true",)),)
    decided = 0
    for u, v, data in tg.graph.edges(data=True):
        kind = tg.graph.nodes[u]["kind"]
        if kind not in ("user", "role") or tg.graph.nodes[v]["kind"] != "role":
            continue
        for mfa in (False, True):
            caller = engine.caller(u, mfa)
            target = engine.target(v)
            action = Action(data["action"])
            fast = decide_by_evaluation(caller, target, action, constraints, engine.now_ms)
            if fast is None:
                continue
            decided += 1
            reference = solve_hop(caller, target, action, constraints=constraints, now_ms=engine.now_ms)
            assert isinstance(fast, Sat) is isinstance(reference, Sat), (u, v, mfa)
            if isinstance(fast, Sat):
                assert meets_all(fast.request, constraints)
    assert decided > 0


# ------------------------------------------------------------------------------------------------- helpers
def test_contradictory_constraints() -> None:
    assert contradictory((KeyConstraint(MFA, "not-like", ("true",)), KeyConstraint(MFA.lower(), "equals", ("true",))))
    assert contradictory((KeyConstraint("sts:ExternalId", "absent"),
                           KeyConstraint("sts:externalid", "equals", ("x",))))
    assert contradictory((KeyConstraint("k", "equals", ("a",)), KeyConstraint("k", "equals", ("b",))))
    assert not contradictory((KeyConstraint(MFA, "not-like", ("true",)), KeyConstraint(MFA, "equals", ("false",))))
    assert not contradictory((KeyConstraint("sts:ExternalId", "absent"), KeyConstraint(MFA, "equals", ("true",))))
    assert not contradictory((KeyConstraint("k", "not-like", ("a*",)), KeyConstraint("k", "absent")))


def test_meets_all() -> None:
    from trustgraph.semantics.request import Request

    request = Request(action=Action.ASSUME_ROLE, context={"aws:multifactorauthpresent": ("false",),
                                                          "saml:aud": ("https://x",)})
    assert meets_all(request, (KeyConstraint(MFA, "not-like", ("true",)), KeyConstraint("sts:ExternalId", "absent")))
    assert not meets_all(request, (KeyConstraint(MFA, "not-like", ("f*",)),))
    assert not meets_all(request, (KeyConstraint("SAML:aud", "absent"),))
    assert meets_all(request, (KeyConstraint("SAML:aud", "equals", ("https://x",)),))
    assert not meets_all(request, (KeyConstraint("SAML:aud", "equals", ("https://y",)),))
    assert not meets_all(request, (KeyConstraint("sts:ExternalId", "equals", ("x",)),))


def test_an_outside_account_reuses_the_answers_for_every_outsider() -> None:
    """``account:ID`` is a subclass of ``external``: its hops are answered from the outsider's (Unsat, or a witness
    whose caller belongs to the account), with the verdicts of solving them."""
    tg = load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"])
    shared, solved = _twin(tg, sharing=True), _twin(tg, sharing=False)
    for twin in (shared, solved):
        twin.query("external", None, QueryOptions(), per_member=True)
    before = shared.engine.shared
    a = shared.query("account:444455556666", None, QueryOptions(), per_member=True)
    assert shared.engine.shared > before
    b = solved.query("account:444455556666", None, QueryOptions(), per_member=True)
    assert [(r.target, r.verdict, len(r.hops)) for r in a] == [(r.target, r.verdict, len(r.hops)) for r in b]
    for r in a:
        assert r.hops[0].evidence[0].account == "444455556666"
        assert all(hop.replay().verdict is Verdict.ALLOW for hop in r.hops)
