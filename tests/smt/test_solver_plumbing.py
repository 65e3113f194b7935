"""Timeouts, unsat cores, the cache, witnesses, pickling: the machinery around the encoding."""

from __future__ import annotations

import pickle

import pytest

from tests.smt.helpers import NOW_MS, B, allow, deny, root, solver, target, user
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import (
    DEFAULT_TIMEOUT_MS,
    TIMEOUT_ENV,
    KeyConstraint,
    Sat,
    Unknown,
    Unsat,
    default_timeout_ms,
    solve_hop,
)
from trustgraph.smt.symbolic import SymbolicCaller

OUTSIDER_B = SymbolicCaller(kind=CallerKind.IAM_USER, account=B)
EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "12345"}}


def test_injected_timeout_is_unknown_never_unsat() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}}))
    undecided = SolverSession(SolverOptions(inject_unknown="timeout (injected)"))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, session=undecided)
    assert result == Unknown("user of 222222222222: timeout (injected)") or (
        isinstance(result, Unknown) and "timeout (injected)" in result.reason)
    # in a session without the switch the same question is decided
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE), Sat)


def test_unknown_results_are_not_cached() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}}))
    session = SolverSession(SolverOptions(inject_unknown="timeout (injected)"))
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, session=session), Unknown)
    assert len(session.store) == 0
    session.options = SolverOptions()
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, session=session), Sat)
    assert session.stats.hits == 0


def test_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert default_timeout_ms() == DEFAULT_TIMEOUT_MS
    monkeypatch.setenv(TIMEOUT_ENV, "1234")
    assert default_timeout_ms() == 1234


def test_unsat_core_names_the_blocking_condition_and_its_location() -> None:
    t = target(allow(root(B), EXTERNAL_ID), file="roles/Vendor.json")
    result = solve_hop(user(B), t, Action.ASSUME_ROLE, constraints=[KeyConstraint("sts:ExternalId", "absent")],
                       session=solver(reference=True))
    assert isinstance(result, Unsat)
    assert any(c.startswith("condition StringEquals sts:ExternalId ['12345']") for c in result.core), result.core
    assert any(c == "constraint sts:ExternalId absent" for c in result.core), result.core
    assert "roles/Vendor.json#/AssumeRolePolicyDocument/Statement/0/Condition/StringEquals/sts:ExternalId" in [
        str(loc) for loc in result.locations]


def test_explicit_deny_core_names_the_deny() -> None:
    t = target(allow(root(B)), deny("*", {"StringNotEqualsIfExists": {"sts:ExternalId": "12345"}}))
    result = solve_hop(user(B), t, Action.ASSUME_ROLE, constraints=[KeyConstraint("sts:ExternalId", "equals",
                                                                                 ("99999",))])
    assert isinstance(result, Unsat)
    assert result.core


def test_cache_hits_for_identical_trust_policies_on_different_roles() -> None:
    session = SolverSession()
    trust = allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}})
    roles = [target(trust, name=f"Role{i}") for i in range(5)]
    results = [solve_hop(OUTSIDER_B, r, Action.ASSUME_ROLE, now_ms=NOW_MS, session=session) for r in roles]
    stats = session.cache_stats()
    assert stats["misses"] == 1 and stats["hits"] == 4, stats
    assert all(isinstance(r, Sat) for r in results)
    # each hit is replayed against its own role: the allowing statement is that role's
    for r, res in zip(roles, results, strict=True):
        assert isinstance(res, Sat)
        assert res.decision.statements[0].location.file == r.role.trust_policy.location.file


def test_cache_relocates_unsat_cores() -> None:
    session = SolverSession()
    trust = allow(root(B), EXTERNAL_ID)
    absent = [KeyConstraint("sts:ExternalId", "absent")]
    first = solve_hop(OUTSIDER_B, target(trust, name="One"), Action.ASSUME_ROLE, constraints=absent, session=session)
    second = solve_hop(OUTSIDER_B, target(trust, name="Two"), Action.ASSUME_ROLE, constraints=absent, session=session)
    assert isinstance(first, Unsat) and isinstance(second, Unsat)
    assert session.cache_stats()["hits"] == 1
    assert all(loc.file == "roles/Two.json" for loc in second.locations)


def test_different_conditions_do_not_share_an_entry() -> None:
    session = SolverSession()
    a = solve_hop(OUTSIDER_B, target(allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}})), Action.ASSUME_ROLE,
                  session=session)
    b = solve_hop(OUTSIDER_B, target(allow(root(B), {"StringLike": {"sts:ExternalId": "?"}})), Action.ASSUME_ROLE,
                  session=session)
    assert isinstance(a, Sat) and isinstance(b, Unsat)
    assert session.cache_stats()["hits"] == 0


def test_ground_hops_skip_the_solver() -> None:
    session = SolverSession()
    t = target(allow(root(B), EXTERNAL_ID))
    result = solve_hop(user(B), t, Action.ASSUME_ROLE, constraints=[
        KeyConstraint("sts:ExternalId", "equals", ("12345",))], closed=True, session=session)
    assert isinstance(result, Sat)
    assert session.cache_stats()["solver_calls"] == 0 and session.cache_stats()["fast_path"] >= 1


def test_results_pickle_without_z3_objects() -> None:
    t = target(allow(root(B), EXTERNAL_ID))
    sat = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE)
    unsat = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE,
                      constraints=[KeyConstraint("sts:ExternalId", "absent")])
    for r in (sat, unsat):
        again = pickle.loads(pickle.dumps(r))
        assert type(again) is type(r)
    assert isinstance(sat, Sat) and sat.request.context["sts:externalid"] == ("12345",)


def test_symbolic_caller_witness_is_a_concrete_outsider() -> None:
    outsider = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({"111111111111"}))
    t = target(allow("*", {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy-*"}}))
    result = solve_hop(outsider, t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat)
    assert result.caller.kind is CallerKind.ROLE_SESSION
    assert result.caller.account != "111111111111" and len(result.caller.account or "") == 12
    assert result.caller.arn.split(":role/", 1)[1].startswith("deploy-")


def test_kind_that_cannot_call_the_action_is_unsat() -> None:
    saml = SymbolicCaller(kind=CallerKind.SAML, provider="arn:aws:iam::111111111111:saml-provider/Okta")
    assert isinstance(solve_hop(saml, target(allow("*")), Action.ASSUME_ROLE), Unsat)


def test_concrete_callers_share_cache_entries_across_roles_when_resources_are_star() -> None:
    session = SolverSession()
    trust = allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}})
    for i in range(3):
        assert isinstance(solve_hop(user(B), target(trust, name=f"Role{i}"), Action.ASSUME_ROLE, session=session), Sat)
    assert session.cache_stats()["hits"] == 2
