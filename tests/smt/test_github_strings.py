"""GitHub Actions tokens under the string fast paths, held to the reference path.

A GitHub trust policy reads the token's ``sub`` (``repo:OWNER/NAME:...``), ``repository`` and ``repository_owner``
claims with globs, equalities and their negations; the claims are tied to each other by word equations
(``smt.presence.claim_couplings``). ``string_cells`` (``smt.strings``) decides such formulas with our own automata, and
concrete-first guesses tokens from the conditions' literals. Each is held to the reference path
(``SolverOptions.reference()``) on generated statements over those claims.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import GITHUB, GITHUB_PROVIDER, NOW_MS, allow, deny, target
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer, reference_answer
from trustgraph.smt.symbolic import SymbolicCaller

CALLER = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=GITHUB_PROVIDER)
ACTION = "sts:AssumeRoleWithWebIdentity"
SUBS = ["repo:acme/*", "repo:acme/app:ref:refs/heads/main", "repo:acme/app:*", "repo:*:environment:prod",
        "repo:acme/*:pull_request", "repo:ac?e/*", "*:ref:refs/tags/*", "repo:evil/app:*", "*"]
REPOS = ["acme/app", "acme/*", "evil/app", "*/app", "a*"]
OWNERS = ["acme", "evil", "a*"]

ONLY = {
    "string_cells": SolverOptions(
        cache=False, concrete_first=False, mfa_twins=False, ground_constraints=False, evaluation=False,
        derived_answers=False, small_model_slots=False, string_cells=True),
    "concrete_first": SolverOptions(cache=False, concrete_first=True, mfa_twins=False, ground_constraints=False,
                                    small_model_slots=False, string_cells=False),
    "all": SolverOptions(cache=False),
}


@st.composite
def claim_conditions(draw: st.DrawFn) -> dict[str, Any]:
    """One Condition block over the token's audience, subject, repository and owner."""
    cond: dict[str, dict[str, Any]] = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    for _ in range(draw(st.integers(1, 3))):
        claim = draw(st.sampled_from(["sub", "sub", "repository", "repository_owner"]))
        values = {"sub": SUBS, "repository": REPOS, "repository_owner": OWNERS}[claim]
        op = draw(st.sampled_from(["StringLike", "StringNotLike", "StringEquals", "StringNotEquals",
                                   "ForAnyValue:StringLike", "StringLikeIfExists"]))
        cond.setdefault(op, {})[f"{GITHUB}:{claim}"] = draw(st.lists(st.sampled_from(values), min_size=1,
                                                                     max_size=2))
    return cond


@st.composite
def claim_statements(draw: st.DrawFn) -> dict[str, Any]:
    cond = draw(claim_conditions())
    if draw(st.integers(0, 3)) == 0:
        return deny({"Federated": GITHUB_PROVIDER}, cond, ACTION)
    return allow({"Federated": GITHUB_PROVIDER}, cond, ACTION)


def _undecided(*answers: object) -> bool:
    return any(isinstance(a, Unknown) or (isinstance(a, Sat) and a.approximate) for a in answers)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sts=st.lists(claim_statements(), min_size=1, max_size=2), path=st.sampled_from(sorted(ONLY)),
       constraints=st.sampled_from([(), (KeyConstraint(f"{GITHUB}:sub", "not-like", ("repo:acme/*",)),),
                                    (KeyConstraint(f"{GITHUB}:repository", "absent"),)]))
def test_github_claims_get_the_reference_answer(sts: list[dict[str, Any]], path: str,
                                                constraints: tuple[KeyConstraint, ...]) -> None:
    t = target(*sts)
    q = HopQuestion(CALLER, t, Action.ASSUME_ROLE_WITH_WEB_IDENTITY, constraints, now_ms=NOW_MS, timeout_ms=5_000)
    ref = reference_answer(q)
    fast = answer(q, SolverSession(ONLY[path]))
    event(f"{path}: {type(ref).__name__}/{type(fast).__name__}")
    if _undecided(fast, ref):
        return
    assert type(fast) is type(ref), (path, policy_to_json(t.role.trust_policy), constraints, fast, ref)
    if isinstance(fast, Sat):
        assert evaluate_hop(fast.caller, t, fast.request).allowed
