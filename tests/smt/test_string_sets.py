"""The fast paths for glob and set conditions over multi-valued keys, held to the reference path.

``small_model_slots`` (``smt.slots``) gives a multi-valued key ``max(1, n)`` slots for ``n`` conditions instead of two
per condition; ``string_cells`` (``smt.strings``) decides the string variables that only meet regular expressions (an
outsider's organization id and paths among them) with our own automata; concrete-first tries an outsider inside the
organizations an aws:PrincipalOrgPaths pattern names, with paths the patterns match and one they do not, and with the
principal tags the conditions ask for. Each is held to the reference path (``SolverOptions.reference()``) on generated
trust policies whose conditions are globs and set operators over aws:PrincipalOrgPaths, aws:TagKeys,
aws:PrincipalOrgID and principal tags, and on the shape of the condition-heavy profile that made z3 slow.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, A, B, allow, deny, root, target
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.slots import small_model_bounds
from trustgraph.smt.solve import answer, reference_answer
from trustgraph.smt.symbolic import SymbolicCaller

ORG = "o-aaaa"
PATH_GLOBS = [f"{ORG}/r-ab/*", f"{ORG}/*", "o-?aaa/r-*", "*", f"{ORG}/r-ab/ou-1/*", "o-bbbb/r-*", f"{ORG}/r-ab/",
              "*/ou-1/*"]
TAG_KEYS = ["team", "project", "Team", "t*", "*"]
OUTSIDER = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}), excluded_orgs=frozenset())
NAMED = SymbolicCaller(kind=CallerKind.IAM_USER, account=B, excluded_orgs=frozenset({"o-bbbb"}))

ONLY = {
    "small_model_slots": SolverOptions(
        cache=False, concrete_first=False, mfa_twins=False, ground_constraints=False, evaluation=False,
        derived_answers=False, small_model_slots=True, string_cells=False),
    "string_cells": SolverOptions(
        cache=False, concrete_first=False, mfa_twins=False, ground_constraints=False, evaluation=False,
        derived_answers=False, small_model_slots=False, string_cells=True),
    "concrete_first": SolverOptions(cache=False, concrete_first=True, mfa_twins=False, ground_constraints=False,
                                    small_model_slots=False, string_cells=False),
    "ground_constraints": SolverOptions(
        cache=False, concrete_first=False, mfa_twins=False, ground_constraints=True, evaluation=False,
        derived_answers=False, small_model_slots=False, string_cells=False),
    "all": SolverOptions(cache=False),
}


@st.composite
def set_conditions(draw: st.DrawFn) -> dict[str, Any]:
    """One Condition block: globs and set operators over multi-valued keys, plus the keys they interact with."""
    cond: dict[str, dict[str, Any]] = {}

    def put(op: str, key: str, value: Any) -> None:
        cond.setdefault(op, {})[key] = value

    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["paths", "paths", "tagkeys", "orgid", "tag", "null"]))
        if kind == "paths":
            op = draw(st.sampled_from(["ForAnyValue:StringLike", "ForAllValues:StringLike",
                                       "ForAnyValue:StringNotLike", "ForAllValues:StringNotLike",
                                       "ForAnyValue:StringEquals", "ForAnyValue:StringLikeIfExists"]))
            put(op, "aws:PrincipalOrgPaths", draw(st.lists(st.sampled_from(PATH_GLOBS), min_size=1, max_size=2)))
        elif kind == "tagkeys":
            op = draw(st.sampled_from(["ForAllValues:StringEquals", "ForAnyValue:StringLike",
                                       "ForAllValues:StringNotLike", "ForAnyValue:StringEqualsIgnoreCase"]))
            put(op, "aws:TagKeys", draw(st.lists(st.sampled_from(TAG_KEYS), min_size=1, max_size=2)))
            if draw(st.booleans()):
                put("StringLike", "aws:RequestTag/team", "a*")
        elif kind == "orgid":
            put(draw(st.sampled_from(["StringEquals", "StringNotEquals", "StringLike"])), "aws:PrincipalOrgID",
                draw(st.sampled_from([ORG, "o-bbbb", "o-*"])))
        elif kind == "tag":
            put(draw(st.sampled_from(["StringEquals", "StringEqualsIfExists", "StringNotLike"])),
                "aws:PrincipalTag/team", draw(st.sampled_from(["web", "w*"])))
        else:
            put("Null", draw(st.sampled_from(["aws:PrincipalOrgPaths", "aws:TagKeys", "aws:PrincipalOrgID"])),
                draw(st.sampled_from(["true", "false"])))
    return cond


@st.composite
def set_statements(draw: st.DrawFn) -> dict[str, Any]:
    principal = draw(st.sampled_from([root(B), "*"]))
    cond = draw(set_conditions())
    action = ["sts:AssumeRole", "sts:TagSession"]
    if draw(st.integers(0, 3)) == 0:
        return deny(principal, cond, action)
    return allow(principal, cond, action)


def _undecided(*answers: object) -> bool:
    return any(isinstance(a, Unknown) or (isinstance(a, Sat) and a.approximate) for a in answers)


# "aws:TagKeys absent"/"equals" with an aws:RequestTag condition: ground_constraints and concrete-first once answered
# Sat where the reference proves Unsat (the tags were not coupled to a grounded aws:TagKeys; test_tag_keys_pinned...)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sts=st.lists(set_statements(), min_size=1, max_size=2), path=st.sampled_from(sorted(ONLY)),
       caller=st.sampled_from([OUTSIDER, NAMED]),
       constraints=st.sampled_from([(), (KeyConstraint("aws:TagKeys", "absent"),),
                                    (KeyConstraint("aws:TagKeys", "equals", ("project",)),),
                                    (KeyConstraint("aws:PrincipalOrgPaths", "absent"),),
                                    (KeyConstraint("aws:PrincipalOrgPaths", "not-like", (f"{ORG}/*",)),)]))
def test_glob_and_set_conditions_get_the_reference_answer(sts: list[dict[str, Any]], path: str,
                                                         caller: SymbolicCaller,
                                                         constraints: tuple[KeyConstraint, ...]) -> None:
    t = target(*sts)
    q = HopQuestion(caller, t, Action.ASSUME_ROLE, constraints, now_ms=NOW_MS, timeout_ms=3_000)
    ref = reference_answer(q)
    fast = answer(q, SolverSession(ONLY[path]))
    event(f"{path}: {type(ref).__name__}")
    if _undecided(fast, ref):
        return
    assert type(fast) is type(ref), (path, policy_to_json(t.role.trust_policy), caller, constraints, fast, ref)
    if isinstance(fast, Sat):
        assert evaluate_hop(fast.caller, t, fast.request).allowed


@pytest.mark.parametrize("path", ["ground_constraints", "concrete_first", "all"])
@pytest.mark.parametrize("caller", [OUTSIDER, NAMED], ids=["outsider", "named"])
@pytest.mark.parametrize(("pin", "expected"), [
    (KeyConstraint("aws:TagKeys", "absent"), Unsat),
    (KeyConstraint("aws:TagKeys", "equals", ("project",)), Unsat),
    (KeyConstraint("aws:TagKeys", "equals", ("Team",)), Sat),  # tag keys compare case-insensitively
], ids=["absent", "other-key", "same-key"])
def test_tag_keys_pinned_by_a_constraint_fix_which_request_tags_exist(path: str, caller: SymbolicCaller,
                                                                     pin: KeyConstraint, expected: type) -> None:
    """aws:TagKeys lists exactly the tags passed: pinned absent (``--without aws:TagKeys``), no aws:RequestTag/team
    can match. The grounded constraint and the concrete-first guesses once left the tags free (Sat; reference Unsat)."""
    principal = root(B) if caller is NAMED else "*"
    t = target(allow(principal, {"StringEquals": {"aws:RequestTag/team": "a"}}, ["sts:AssumeRole", "sts:TagSession"]))
    q = HopQuestion(caller, t, Action.ASSUME_ROLE, (pin,), now_ms=NOW_MS, timeout_ms=10_000)
    ref = reference_answer(q)
    fast = answer(q, SolverSession(ONLY[path]))
    assert type(ref) is expected and type(fast) is expected, (ref, fast)
    if isinstance(fast, Sat):
        assert fast.request.context["aws:requesttag/team"] == ("a",)
        assert [k.lower() for k in fast.request.context["aws:tagkeys"]] == ["team"]


# -- the condition-heavy shape -----------------------------------------------------------------------------------

GUARDED = {"Bool": {"aws:SecureTransport": "true"},
           "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project", "cost-center"]},
           "NumericLessThanEquals": {"sts:DurationSeconds": "3600"},
           "StringEquals": {"aws:PrincipalTag/team": "web"},
           "StringEqualsIfExists": {"aws:PrincipalTag/clearance": "high"}}


def test_an_outsider_outside_the_org_path_is_found_without_the_solver() -> None:
    """The vacuous-condition question of the condition-heavy profile: a principal in the organization whose path is
    not under the root (Deny when the path matches, Deny when it is absent). z3 took 0.5-26 s on it."""
    t = target(allow(root(B), GUARDED, ["sts:AssumeRole", "sts:TagSession"]),
               deny(root(B), {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab/*"]}}),
               deny(root(B), {"Null": {"aws:PrincipalOrgPaths": "true"}}))
    q = HopQuestion(NAMED, t, Action.ASSUME_ROLE, now_ms=NOW_MS, timeout_ms=20_000)
    session = SolverSession()
    fast = answer(q, session)
    assert isinstance(fast, Sat) and session.cache_stats()["solver_calls"] == 0
    assert fast.caller.org_paths and not fast.caller.org_paths[0].startswith(f"{ORG}/r-ab/")
    assert dict(fast.caller.tags)["team"] == "web"
    assert isinstance(reference_answer(q), Sat)


def test_a_path_under_the_root_is_found_without_the_solver() -> None:
    t = target(allow(root(B), {**GUARDED, "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab/*"]}},
                     ["sts:AssumeRole", "sts:TagSession"]))
    session = SolverSession()
    fast = answer(HopQuestion(NAMED, t, Action.ASSUME_ROLE, now_ms=NOW_MS), session)
    assert isinstance(fast, Sat) and session.cache_stats()["solver_calls"] == 0
    assert fast.caller.org_id == ORG and fast.caller.org_paths == (f"{ORG}/r-ab/",)


def test_an_excluded_organization_is_never_guessed() -> None:
    t = target(allow(root(B), {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-bbbb/r-*"]}}))
    q = HopQuestion(NAMED, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    assert answer(q, SolverSession()).__class__ is reference_answer(q).__class__
    fast = answer(q, SolverSession())
    assert not (isinstance(fast, Sat) and fast.caller.org_id == "o-bbbb")


# -- the small-model bound ---------------------------------------------------------------------------------------


def test_slots_are_one_per_condition_reading_the_key() -> None:
    t = target(allow(root(B), {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["a*"]},
                               "ForAllValues:StringLike": {"aws:TagKeys": ["t*"]},
                               "Null": {"aws:PrincipalOrgPaths": "false"},
                               "StringEquals": {"aws:PrincipalOrgID": ORG}}),
               deny(root(B), {"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": ["b*"]}}))
    bounds = small_model_bounds(t.role.trust_policy.statements, 2, {"aws:principalorgpaths": 1})
    assert bounds["aws:principalorgpaths"] == 2  # Null asks only for presence
    assert bounds["aws:tagkeys"] == 3  # one condition, two tags whose presence aws:TagKeys lists
    assert "aws:principalorgid" not in bounds  # single-valued
    assert small_model_bounds((), 0, {})["aws:tagkeys"] == 1


def test_two_disjoint_members_need_two_slots() -> None:
    """A set that must hold two members no single glob matches both of: the bound gives two slots, and z3 finds it."""
    t = target(allow(root(B), {"ForAnyValue:StringLike": {"aws:TagKeys": ["alpha*"]},
                               "ForAnyValue:StringEquals": {"aws:TagKeys": ["beta"]}},
                     ["sts:AssumeRole", "sts:TagSession"]))
    q = HopQuestion(NAMED, t, Action.ASSUME_ROLE, now_ms=NOW_MS, timeout_ms=20_000)
    fast = answer(q, SolverSession(ONLY["small_model_slots"]))
    assert isinstance(fast, Sat) and isinstance(reference_answer(q), Sat)
    listed = fast.request.context["aws:tagkeys"]
    assert "beta" in listed and any(k.startswith("alpha") for k in listed)


# -- the AWS-documented "any principal in this OU" trust (WILD-FINDINGS F7) -------------------------------------------

OU_ORG = "o-4zjoj7yaek"
OU_PATH = f"{OU_ORG}/r-ctbr/ou-ctbr-eb8f624f/"
OU_CALLERS = {
    "any-aws": SymbolicCaller(kind=CallerKind.ROLE_SESSION),  # the class vacuous-condition / dead-trust-statement ask
    "outsider": SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}),
                               excluded_orgs=frozenset({OU_ORG})),
    "outsider-any-org": SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
}
OU_CONDITIONS = {
    "any-like": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{OU_PATH}*"]}},
    "any-like+orgid": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{OU_PATH}*"]},
                       "StringEquals": {"aws:PrincipalOrgID": OU_ORG}},
    "any-not-like": {"ForAnyValue:StringNotLike": {"aws:PrincipalOrgPaths": [f"{OU_PATH}*"]}},
}


def _ou_questions(cond: dict[str, Any]) -> dict[str, tuple[Any, tuple[KeyConstraint, ...]]]:
    """The questions vacuous-condition asks of the statement (alone, key absent, the condition's counterexample)."""
    op, keys = next(iter(cond.items()))
    ((key, values),) = keys.items()
    st_ = allow("*", cond)
    return {"alone": (target(st_), ()), "absent": (target(st_), (KeyConstraint(key, "absent"),)),
            "counter": (target(allow("*", {k: v for k, v in cond.items() if k != op} or None),
                               deny("*", {op: {key: values}}), deny("*", {"Null": {key: "true"}})), ())}


@pytest.mark.parametrize("shape", sorted(OU_CONDITIONS))
@pytest.mark.parametrize("who", sorted(OU_CALLERS))
def test_the_documented_ou_trust_is_decided_without_z3_string_search(shape: str, who: str) -> None:
    """``Principal "*"`` with ``ForAnyValue:StringLike aws:PrincipalOrgPaths o-x/r-y/ou-z/*`` (IAM User Guide,
    aws:PrincipalOrgPaths): z3's sequence solver took ~20 s per question and ended Unknown (the reference path still
    does on the Sat ones). The fast paths decide every question with at most a few z3 calls on the Boolean
    abstraction: a Sat is a replayed request of a principal whose path is (or is not) under the OU, an Unsat is the
    reference's answer (which z3 proves at once there)."""
    for name, (t, constraints) in _ou_questions(OU_CONDITIONS[shape]).items():
        q = HopQuestion(OU_CALLERS[who], t, Action.ASSUME_ROLE, constraints, now_ms=NOW_MS, timeout_ms=20_000)
        session = SolverSession()
        fast = answer(q, session)
        assert not isinstance(fast, Unknown), (shape, who, name, fast)
        assert session.cache_stats()["solver_calls"] <= 4, (shape, who, name, session.cache_stats())
        if isinstance(fast, Sat):
            assert evaluate_hop(fast.caller, t, fast.request).allowed and not fast.approximate
            continue
        assert isinstance(reference_answer(q), Unsat), (shape, who, name)
