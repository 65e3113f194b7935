"""Small builders for SMT tests: a target role from trust-policy JSON, callers, pinned time, and hop questions drawn
from pools of trust statements' parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.model.values import parse_date
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown, Unsat
from trustgraph.smt.session import SolverSession

A = "111111111111"
B = "222222222222"
ORG = "o-mine"
NOW_MS = parse_date("2026-11-28T00:00:00Z")
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{A}:oidc-provider/{GITHUB}"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def target(*statements: dict[str, Any], name: str = "R", account: str = A, file: str | None = None) -> Target:
    """Role ``name`` in ``account`` whose trust policy has ``statements``."""
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    trust = policy_from_json(doc, Location(file or f"roles/{name}.json", "/AssumeRolePolicyDocument"), kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{account}:role/{name}", name=name, role_id=f"AROA{name.upper():X<16}",
                            account=account, trust_policy=trust))


def allow(principal: Any, condition: dict[str, Any] | None = None, action: Any = "sts:AssumeRole") -> dict[str, Any]:
    """A trust Allow statement."""
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return st


def deny(principal: Any, condition: dict[str, Any] | None = None, action: Any = "sts:AssumeRole") -> dict[str, Any]:
    """A trust Deny statement."""
    st = allow(principal, condition, action)
    st["Effect"] = "Deny"
    return st


def root(account: str) -> dict[str, str]:
    """``{"AWS": "arn:aws:iam::ACCOUNT:root"}``."""
    return {"AWS": f"arn:aws:iam::{account}:root"}


def user(account: str = B, name: str = "bob", **kw: Any) -> Caller:
    """An IAM user with an allow-all identity policy."""
    pol = policy_from_json(ALLOW_ALL, Location("identity.json", ""), kind="identity")
    return Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{account}:user/{name}", account=account,
                  unique_id=f"AIDA{name.upper():X<16}", user_name=name, identity_policies=(pol,), **kw)


def session(account: str = B, role: str = "Ops", session_name: str | None = "s1", **kw: Any) -> Caller:
    """A role session with an allow-all identity policy."""
    pol = policy_from_json(ALLOW_ALL, Location("identity.json", ""), kind="identity")
    return Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{account}:role/{role}", account=account,
                  unique_id=f"AROA{role.upper():X<16}", session_name=session_name, identity_policies=(pol,), **kw)


def solver(*off: str, reference: bool = False) -> SolverSession:
    """A solver session of its own with the named switches off (``reference``: every fast path and cache off)."""
    return SolverSession(SolverOptions.reference() if reference else SolverOptions().without(*off))


def merged(*blocks: dict[str, Any]) -> dict[str, Any]:
    """One Condition block holding every operator and key of ``blocks`` (a later key replaces an earlier one)."""
    out: dict[str, Any] = {}
    for block in blocks:
        for op, body in block.items():
            out.setdefault(op, {}).update(body)
    return out


@st.composite
def trust_questions(draw: st.DrawFn, conditions: Sequence[dict[str, Any]], free: Sequence[dict[str, Any]],
                    principals: Sequence[Any], callers: Sequence[Any],
                    constraints: Sequence[tuple[KeyConstraint, ...]], actions: Sequence[Any], deny_one_in: int,
                    timeout_ms: int) -> HopQuestion:
    """An AssumeRole question into a role of one to three statements, each an Allow (a Deny one time in
    ``deny_one_in``) for a principal of ``principals`` and one of ``actions``, on up to two conditions of
    ``conditions`` merged with one of ``free``; the caller, constraints and closedness drawn too."""
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        cond = merged(*draw(st.lists(st.sampled_from(conditions), max_size=2)), draw(st.sampled_from(free)))
        make = deny if draw(st.integers(0, deny_one_in - 1)) == 0 else allow
        statements.append(make(draw(st.sampled_from(principals)), cond or None, draw(st.sampled_from(actions))))
    return HopQuestion(draw(st.sampled_from(callers)), target(*statements), Action.ASSUME_ROLE,
                       draw(st.sampled_from(constraints)), draw(st.booleans()), NOW_MS, timeout_ms=timeout_ms)


def same_answer(q: HopQuestion, off: SolverOptions) -> Sat | Unsat | Unknown:
    """``q``'s answer with every fast path, asserted equal to its answer under ``off`` (the path without a gate), each
    in a session of its own: the same kind; a Sat of the same caller, request, decision and approximations; an Unsat
    of the same core and locations."""
    from trustgraph.smt.solve import answer

    got = answer(q, SolverSession())
    want = answer(q, SolverSession(off))
    assert type(got) is type(want), (q, got, want)
    if isinstance(got, Sat):
        assert isinstance(want, Sat)
        assert (got.caller, got.request, got.decision, got.approximations) == \
            (want.caller, want.request, want.decision, want.approximations)
    elif isinstance(got, Unsat):
        assert isinstance(want, Unsat)
        assert (got.core, got.locations) == (want.core, want.locations), q
    return got


def gate_hits(monkeypatch: Any, gate: str) -> list[int]:
    """A counter of the times ``smt.solve``'s ``gate`` (a function it calls by that name, answering True when the gate
    decides) decides from now on: ``hits[0]``."""
    from trustgraph.smt import solve as solve_module

    hits = [0]
    real = getattr(solve_module, gate)

    def counted(*args: Any) -> bool:
        out: bool = real(*args)
        hits[0] += out
        return out

    monkeypatch.setattr(solve_module, gate, counted)
    return hits


def github_role(account: str, name: str, repository: str, sub: str) -> dict[str, Any]:
    """A CI role trusting the account's GitHub Actions provider for ``repository`` and the subject pattern ``sub`` (a
    dead statement when they contradict), refusing curl user agents."""
    provider = f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
    return {
        "Arn": f"arn:aws:iam::{account}:role/ci/{name}", "RoleName": name, "Path": "/ci/",
        "RoleId": f"AROA{account}{name.upper().replace('-', '')}"[:21], "Tags": [],
        "AttachedManagedPolicies": [], "RolePolicyList": [], "InstanceProfileList": [],
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                 "token.actions.githubusercontent.com:repository": repository},
                "StringLike": {"token.actions.githubusercontent.com:sub": sub},
                "StringNotLikeIfExists": {"aws:UserAgent": "*curl*"}}}]},
    }
