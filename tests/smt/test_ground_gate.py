"""A candidate whose every admitting Allow trust statement has a condition the reference folds to False on the keys it
grounds is Unsat without the guesses and the encoding (``smt.trust_gate.ground_refuted``, switch
``SolverOptions.ground_gate``): the answer equals the one with the switch off, field by field (Sat witnesses, Unsat
cores and locations once explained, the candidates' cores joined in their order), on hypothesis-drawn trust policies
mixing conditions on fixed principal keys (MFA age, token issue time, principal tags, organization, account) with
IfExists variants, keys the caller chooses, constraints and several candidates, and on searches and scans of the
profiles."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import (
    NOW_MS,
    A,
    B,
    allow,
    deny,
    gate_hits,
    root,
    same_answer,
    session,
    target,
    trust_questions,
    user,
)
from trustgraph.api import load
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

OFF = SolverOptions().without("ground_gate")

FIXED_CONDITIONS: list[dict[str, Any]] = [
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "900"}},
    {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "900"}},
    {"Null": {"aws:TokenIssueTime": "false"}},
    {"Null": {"aws:MultiFactorAuthAge": "true"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "data"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "web"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}},
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-mine/r-ab12/*"}},
    {"StringEquals": {"aws:PrincipalAccount": B}},
    {"StringNotEquals": {"aws:PrincipalAccount": B}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
    {"StringEquals": {"aws:PrincipalType": "User"}},
    {"StringEquals": {"aws:userid": "AROAOPSXXXXXXXXXXXXX:s1"}},
    {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"StringEquals": {"aws:ResourceTag/env": "prod"}},
]
FREE_CONDITIONS: list[dict[str, Any]] = [
    {}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"StringEquals": {"sts:ExternalId": "x"}},
    {"StringEquals": {"aws:RequestTag/team": "data"}},
]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, root(B), root(A), {"AWS": f"arn:aws:iam::{A}:user/bob"},
                         {"AWS": f"arn:aws:iam::{B}:user/bob"},
                         {"AWS": f"arn:aws:iam::{B}:role/Ops"}, {"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s1"},
                         {"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s2"}]
#: identity policies that allow assuming roles, some of them tagging too (with a condition, or on other roles only)
LIMITED = [policy_from_json({"Version": "2012-10-17", "Statement": statements}, Location("limited.json", ""),
                            kind="identity") for statements in (
    [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": f"arn:aws:iam::{A}:role/Other"}],
    [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
     {"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*",
      "Condition": {"StringEquals": {"aws:RequestTag/team": "web"}}}],
    [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}],
)]
CALLERS: list[Any] = [
    *(replace(user(account=acct), identity_policies=(pol,)) for acct in (A, B) for pol in LIMITED),
    replace(session(account=A, session_name=None), identity_policies=(LIMITED[0],)),
    replace(session(account=A, transitive_tags=(("team", "data"),)), identity_policies=(LIMITED[2],)),
    user(), user(mfa=True), user(tags=(("team", "data"),)), session(), session(session_name=None),
    session(mfa=True), session(session_name=None, tags=(("team", "web"),)),
    session(transitive_tags=(("team", "data"),)),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.IAM_USER, account=B),
]
CONSTRAINTS: list[tuple[KeyConstraint, ...]] = [
    (), (KeyConstraint("sts:externalid", "absent"),),
    (KeyConstraint("aws:multifactorauthpresent", "equals", ("true",)),),
    (KeyConstraint("aws:requesttag/team", "equals", ("data",)), KeyConstraint("sts:transitivetagkeys", "equals",
                                                                              ("team",))),
    (KeyConstraint("aws:principaltag/team", "absent"),),
]


ACTIONS: list[Any] = ["sts:AssumeRole", "sts:AssumeRole", "sts:*", ["sts:AssumeRole", "sts:TagSession"]]
questions = partial(trust_questions, FIXED_CONDITIONS, FREE_CONDITIONS, PRINCIPALS, CALLERS, CONSTRAINTS, ACTIONS,
                    deny_one_in=5, timeout_ms=20_000)


_same = partial(same_answer, off=OFF)




_count = partial(gate_hits, gate="ground_refuted")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_gate_gives_the_answer_of_the_path_without_it(q: HopQuestion) -> None:
    _same(q)


def test_a_user_without_mfa_is_refuted_without_guesses_or_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
                                 "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 allow(root(B), {"Null": {"aws:TokenIssueTime": "false"}}))
    q = HopQuestion(user(), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    fast = SolverSession()
    out = answer(q, fast)
    assert isinstance(out, Unsat) and not out.core_computed
    assert hits[0] == 1
    stats = fast.cache_stats()
    assert stats["guess_evaluations"] == 0 and stats["structure_evaluations"] == 0 and stats["solver_calls"] == 0
    got = _same(q)
    assert isinstance(got, Unsat) and any("can never hold" in c for c in got.core)
    # with MFA, the first statement may apply: not refuted, and Sat
    hits[0] = 0
    q2 = HopQuestion(user(mfa=True), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    assert isinstance(answer(q2, SolverSession()), Sat) and hits[0] == 0


def test_several_candidates_keep_their_cores_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session whose name is free: one candidate per session name the trust policy names and one for any other
    name; the gate refutes some, the reference decides the others, and the joined core is the reference's."""
    hits = _count(monkeypatch)
    tgt = target(allow({"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s2"}, {"Null": {"aws:MultiFactorAuthAge": "false"}}),
                 allow(root(B), {"StringEquals": {"aws:userid": "AROAOPSXXXXXXXXXXXXX:other",
                                                  "sts:ExternalId": "x"}}),
                 deny(root(B), {"StringEquals": {"sts:ExternalId": "x"}}))
    q = HopQuestion(session(session_name=None), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    got = _same(q)
    assert isinstance(got, Unsat) and len(got.core) > 1
    assert hits[0] >= 1


TAGS = (KeyConstraint("aws:requesttag/team", "equals", ("data",)),
        KeyConstraint("sts:transitivetagkeys", "equals", ("team",)))


@pytest.mark.parametrize(("caller", "principal", "refuted"), [
    (replace(user(account=A), identity_policies=(LIMITED[0],)), root(A), True),  # its account: identity needed
    (replace(user(account=B), identity_policies=(LIMITED[0],)), root(B), True),
    (replace(user(account=B), identity_policies=(LIMITED[1],)), root(B), True),  # tagging only other roles
    (replace(user(account=A), identity_policies=(LIMITED[0],)), {"AWS": f"arn:aws:iam::{A}:user/bob"}, False),
    (replace(user(account=B), identity_policies=(LIMITED[2],)), root(B), False),  # tagging under a condition
    (replace(user(account=B), identity_policies=(LIMITED[3],)), root(B), False),
    (user(account=B), root(B), False),
])
def test_passed_tags_need_tag_session_from_the_identity(caller: Any, principal: Any, refuted: bool,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A constraint passes a session tag: the caller must be allowed sts:TagSession, by its identity policies unless
    the trust policy of a role in its account names it itself."""
    hits = _count(monkeypatch)
    tgt = target(allow(principal, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                       action=["sts:AssumeRole", "sts:TagSession"]))
    q = HopQuestion(caller, tgt, Action.ASSUME_ROLE, TAGS, False, NOW_MS, timeout_ms=20_000)
    got = _same(q)
    assert bool(hits[0]) is refuted
    assert isinstance(got, Unsat) or not refuted


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().ground_gate
    assert SolverOptions().ground_gate


@pytest.mark.parametrize(("profile", "seed"), [("mix", 1), ("random", 2), ("random", 3), ("random", 5)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
