"""Concrete-first (``smt.guess``) and lazy unsat cores give the answers of the solver-only path.

Concrete-first may only turn a question the solver answers Sat into a Sat with another (replayed) witness: the
conformance rows and random trust policies are asked with it on and off and must get the same kind of answer, the
same approximate/exact marking, and witnesses the evaluator allows. Guesses never choose what the caller cannot
send (principal keys of a concrete caller, another time than the pinned one, MFA on a federated call, a key a
closed query leaves out). Lazy cores are the cores the eager path computes.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conformance.table import CASES, Case, build_caller, build_target
from tests.conformance.test_conformance_smt import NOW_MS as CASE_NOW_MS
from tests.conformance.test_conformance_smt import pinned_constraints
from tests.properties.test_hop_properties import callers, make_caller, statements
from tests.smt.helpers import GITHUB, GITHUB_PROVIDER, NOW_MS, A, B, allow, deny, root, session, solver, target, user
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.guess import _glob_witness
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import KeyConstraint, Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

SUB = f"{GITHUB}:sub"
AUD = f"{GITHUB}:aud"
WEB = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=GITHUB_PROVIDER)
OUTSIDER = SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A}), excluded_orgs=frozenset())


def both(caller: Any, t: Any, action: Action = Action.ASSUME_ROLE, **kw: Any) -> tuple[Any, Any]:
    """The answer with concrete-first on, and the solver-only answer."""
    kw.setdefault("timeout_ms", 20_000)
    on = solve_hop(caller, t, action, **kw)
    off = solve_hop(caller, t, action, session=solver("concrete_first"), **kw)
    return on, off


def assert_same(on: Any, off: Any, t: Any, what: Any) -> None:
    """Same kind of answer, same exactness, and a witness the evaluator allows."""
    assert type(on) is type(off), (what, on, off)
    if isinstance(on, Sat):
        assert on.decision.allowed or on.approximations, (what, on)
        assert evaluate_hop(on.caller, t, on.request).allowed == on.decision.allowed
        assert bool(on.approximations) == bool(off.approximations), (what, on.approximations, off.approximations)


# -- the conformance table ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_conformance_rows_same_answer(case: Case) -> None:
    t = build_target(case)
    caller = build_caller(case)
    on, off = both(caller, t, case.action, constraints=pinned_constraints(case), closed=True, now_ms=CASE_NOW_MS,
                   duration_seconds=case.duration_seconds)
    assert_same(on, off, t, (case.id, "pinned"))
    on, off = both(caller, t, case.action, now_ms=CASE_NOW_MS)
    assert_same(on, off, t, (case.id, "open"))


# -- random trust policies ---------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
constraint_sets = st.sampled_from([
    (), (KeyConstraint("sts:ExternalId", "absent"),), (KeyConstraint("sts:ExternalId", "not-like", ("a*",)),),
    (KeyConstraint("sts:ExternalId", "equals", ("ab",)),), (KeyConstraint("aws:SourceIp", "absent"),),
    (KeyConstraint("aws:MultiFactorAuthPresent", "equals", ("true",)),),
    (KeyConstraint("aws:RequestTag/team", "equals", ("a",)),),
])


@SETTINGS
@given(sts=st.lists(statements(), min_size=1, max_size=3), who=callers, constraints=constraint_sets,
       closed=st.booleans())
def test_random_policies_same_answer(sts: list[dict[str, Any]], who: str, constraints: tuple[KeyConstraint, ...],
                                     closed: bool) -> None:
    t = target(*sts)
    on, off = both(make_caller(who), t, constraints=constraints, closed=closed, now_ms=NOW_MS)
    event(f"{type(on).__name__}/{type(off).__name__}")
    if isinstance(on, Unknown) or isinstance(off, Unknown):
        return  # a timeout on one side says nothing about the other
    assert_same(on, off, t, (policy_to_json(t.role.trust_policy), who, constraints, closed))


SUBJECTS = ["repo:acme/*", "repo:acme/app:*", "repo:acme*", "repo:*/*:*", "*", "repo:acme/app:ref:refs/heads/main",
            "repo:?cme/*:environment:prod"]
NOT_LIKE = [(), ("repo:acme/*",), ("repo:/*",), ("repo:acme/*", "repo:/*"), ("*",)]


@st.composite
def github_statements(draw: Any) -> dict[str, Any]:
    cond: dict[str, Any] = {}
    subs = draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=2))
    cond[draw(st.sampled_from(["StringLike", "StringEquals", "StringNotLike"]))] = {SUB: subs}
    if draw(st.booleans()):
        cond["StringEquals"] = {**cond.get("StringEquals", {}), AUD: "sts.amazonaws.com"}
    effect = draw(st.sampled_from(["Allow", "Allow", "Deny"]))
    return {"Effect": effect, "Principal": {"Federated": GITHUB_PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}


@SETTINGS
@given(sts=st.lists(github_statements(), min_size=1, max_size=3), not_like=st.sampled_from(NOT_LIKE),
       closed=st.booleans())
def test_random_subject_globs_same_answer(sts: list[dict[str, Any]], not_like: tuple[str, ...],
                                          closed: bool) -> None:
    t = target(*sts)
    constraints = (KeyConstraint(SUB, "not-like", not_like),) if not_like else ()
    on, off = both(WEB, t, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, constraints=constraints, closed=closed,
                   now_ms=NOW_MS)
    event(f"{type(on).__name__}/{type(off).__name__}")
    if isinstance(on, Unknown) or isinstance(off, Unknown):
        return
    assert_same(on, off, t, (policy_to_json(t.role.trust_policy), not_like, closed))


# -- what a guess may not choose ---------------------------------------------------------------------------------


def test_guess_answers_without_the_solver() -> None:
    session = SolverSession()
    t = target(allow(root(B), {"StringEquals": {"sts:ExternalId": "ab-12"}}))
    result = solve_hop(OUTSIDER, t, Action.ASSUME_ROLE, now_ms=NOW_MS, session=session)
    assert isinstance(result, Sat) and result.request.context["sts:externalid"] == ("ab-12",)
    stats = session.cache_stats()
    assert stats["solver_calls"] == 0 and session.cache_stats()["guess_hits"] == 1


def test_glob_witness_meets_every_glob_and_avoids_not_like() -> None:
    from trustgraph.ingest.policy_json import conditions_from_json
    from trustgraph.model.location import MEMORY

    conds = conditions_from_json({"StringLike": {SUB: "repo:acme/*"}, "stringlike": {SUB: "repo:*/*:*"}}, MEMORY,
                                 variables=True)
    found = _glob_witness(conds, [KeyConstraint(SUB, "not-like", ("repo:/*",))])
    assert found is not None and found.startswith("repo:acme/") and ":" in found[len("repo:acme/"):]
    assert _glob_witness(conds, [KeyConstraint(SUB, "not-like", ("repo:acme/*",))]) is None


def test_concrete_caller_principal_keys_are_never_guessed() -> None:
    # bob has no tag: a guess may not give him one; the solver says Unsat, and so must concrete-first
    t = target(allow(root(B), {"StringEquals": {"aws:PrincipalTag/team": "blue"}}))
    on, off = both(user(B), t, now_ms=NOW_MS)
    assert isinstance(on, Unsat) and isinstance(off, Unsat)


def test_pinned_time_is_never_guessed() -> None:
    t = target(allow(root(B), {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}))
    on, off = both(user(B), t, now_ms=NOW_MS)
    assert isinstance(on, Unsat) and isinstance(off, Unsat)


def test_federated_calls_carry_no_mfa_or_external_id() -> None:
    for cond in ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"StringEquals": {"sts:ExternalId": "ab"}}):
        t = target({"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER},
                    "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond})
        on, off = both(WEB, t, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, now_ms=NOW_MS)
        assert isinstance(on, Unsat) and isinstance(off, Unsat), cond


def test_role_session_mfa_is_the_callers() -> None:
    t = target(allow(root(B), {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    on, off = both(session(B), t, now_ms=NOW_MS)
    assert isinstance(on, Unsat) and isinstance(off, Unsat)


def test_closed_queries_guess_only_given_keys() -> None:
    t = target(allow(root(B), {"StringEquals": {"sts:ExternalId": "ab"}}))
    on, off = both(user(B), t, closed=True, now_ms=NOW_MS)
    assert isinstance(on, Unsat) and isinstance(off, Unsat)
    given = [KeyConstraint("sts:ExternalId", "not-like", ("zz*",))]
    on, off = both(user(B), t, closed=True, now_ms=NOW_MS, constraints=given)
    assert isinstance(on, Sat) and isinstance(off, Sat)
    assert on.request.context["sts:externalid"] == ("ab",)


def test_source_ip_and_vpc_endpoint_keys_are_exclusive() -> None:
    t = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                               "StringEquals": {"aws:SourceVpce": "vpce-1"}}))
    on, off = both(user(B), t, now_ms=NOW_MS)
    assert isinstance(on, Unsat) and isinstance(off, Unsat)


def test_deny_makes_the_guess_fall_back_to_the_solver() -> None:
    t = target(allow(root(B)), deny(root(B), {"Null": {"sts:ExternalId": "true"}}),
               deny(root(B), {"StringLike": {"sts:ExternalId": "a*"}}))
    on, off = both(user(B), t, now_ms=NOW_MS)
    assert isinstance(on, Sat) and isinstance(off, Sat)
    assert not on.request.context["sts:externalid"][0].startswith("a")


# -- lazy cores --------------------------------------------------------------------------------------------------


def test_lazy_core_is_the_eager_core() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}}), name="Lazy", file="roles/Lazy.json")
    constraints = [KeyConstraint("sts:ExternalId", "not-like", ("a*",))]
    lazy = solve_hop(OUTSIDER, t, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW_MS)
    assert isinstance(lazy, Unsat)
    assert not lazy.core_computed  # nothing read it yet
    core, locations = lazy.core, lazy.locations
    assert lazy.core_computed
    assert any("StringLike sts:ExternalId" in c for c in core), core
    assert any("constraint sts:ExternalId not-like" in c for c in core), core
    assert any(loc.file == "roles/Lazy.json" for loc in locations)
    again = solve_hop(OUTSIDER, t, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW_MS)
    assert isinstance(again, Unsat)
    assert again != lazy and not again.core_computed  # comparing never runs the solver: unequal until explained
    assert again.explained() == lazy  # asked for explicitly: the same core
    restored = pickle.loads(pickle.dumps(solve_hop(OUTSIDER, t, Action.ASSUME_ROLE, constraints=constraints,
                                                   now_ms=NOW_MS)))
    assert restored.core == core and restored.locations == locations


def test_cached_lazy_core_is_relocated() -> None:
    session = SolverSession()
    cond = {"StringLike": {"sts:ExternalId": "ab*"}}
    constraints = [KeyConstraint("sts:ExternalId", "not-like", ("a*",))]
    first = solve_hop(OUTSIDER, target(allow(root(B), cond), name="One", file="roles/One.json"), Action.ASSUME_ROLE,
                      constraints=constraints, now_ms=NOW_MS, session=session)
    second = solve_hop(OUTSIDER, target(allow(root(B), cond), name="Two", file="roles/Two.json"),
                       Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW_MS, session=session)
    assert isinstance(first, Unsat) and isinstance(second, Unsat)
    assert session.cache_stats()["hits"] == 1
    assert second.locations and all(loc.file == "roles/Two.json" for loc in second.locations)
    assert all(loc.file == "roles/One.json" for loc in first.locations)


ORG_OPS = ["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIfExists", "ForAnyValue:StringEquals",
           "ForAllValues:StringNotEquals"]


@st.composite
def org_statements(draw: Any) -> dict[str, Any]:
    cond = {draw(st.sampled_from(ORG_OPS)): {"aws:PrincipalOrgID": draw(st.lists(
        st.sampled_from(["o-mine", "o-other", "o-*", "o-abc123"]), min_size=1, max_size=2))}}
    if draw(st.booleans()):
        cond["Null"] = {"aws:PrincipalOrgID": draw(st.sampled_from(["true", "false"]))}
    return {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
            "Principal": draw(st.sampled_from(["*", {"AWS": f"arn:aws:iam::{B}:root"}])),
            "Action": "sts:AssumeRole", "Condition": cond}


@SETTINGS
@given(sts=st.lists(org_statements(), min_size=1, max_size=3),
       excluded=st.sampled_from([frozenset(), frozenset({"o-mine"}), frozenset({"o-mine", "o-other"})]))
def test_outsider_organizations_same_answer(sts: list[dict[str, Any]], excluded: frozenset[str]) -> None:
    t = target(*sts)
    outsider = SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A}), excluded_orgs=excluded)
    on, off = both(outsider, t, now_ms=NOW_MS)
    event(f"{type(on).__name__}/{type(off).__name__}")
    if isinstance(on, Unknown) or isinstance(off, Unknown):
        return
    assert_same(on, off, t, (policy_to_json(t.role.trust_policy), excluded))
    if isinstance(on, Sat) and on.caller.org_id is not None:
        assert on.caller.org_id not in excluded


def test_values_that_do_not_read_as_their_type_are_left_to_the_solver() -> None:
    # the encoding keeps "not-an-ip" as text and marks the answer approximate; concrete-first must not hide that
    t = target(allow(root(B), {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    given = [KeyConstraint("aws:SourceIp", "equals", ("not-an-ip",))]
    on, off = both(user(B), t, now_ms=NOW_MS, constraints=given)
    assert type(on) is type(off)
    if isinstance(on, Sat):
        assert bool(on.approximations) == bool(off.approximations)
